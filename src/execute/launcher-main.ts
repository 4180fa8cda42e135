// The launcher process (see launcher.ts): starts the commands it is sent and answers with how each
// ended and what it printed. It forks cheaply because it holds next to nothing; it exits when its
// parent goes, and the sandboxes it started die with it (bubblewrap's --die-with-parent).
import { collect } from './collect.js';

interface Request {
  id: number;
  cmd: string;
  args: string[];
}

const send = (m: unknown): void => {
  process.send?.(m);
};

process.on('message', (m: Request) => {
  let ran;
  try {
    ran = collect(m.cmd, m.args);
  } catch (e: unknown) {
    send({ id: m.id, code: 127, stdout: '', stderr: `${m.cmd}: ${e instanceof Error ? e.message : String(e)}` });
    return;
  }
  void ran.then((r) => send({ id: m.id, ...r }));
});
process.on('disconnect', () => process.exit(0));
