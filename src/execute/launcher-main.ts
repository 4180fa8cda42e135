// The launcher process (see launcher.ts): starts the commands it is sent and answers with how each
// ended and what it printed. It forks cheaply because it holds next to nothing; it exits when its
// parent goes, and the sandboxes it started die with it (bubblewrap's --die-with-parent).
import { spawn } from 'node:child_process';

interface Request {
  id: number;
  cmd: string;
  args: string[];
}

const send = (m: unknown): void => {
  process.send?.(m);
};

process.on('message', (m: Request) => {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let child;
  try {
    child = spawn(m.cmd, m.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e: unknown) {
    send({ id: m.id, code: 127, stdout: '', stderr: `${m.cmd}: ${e instanceof Error ? e.message : String(e)}` });
    return;
  }
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  child.on('error', (e) => send({ id: m.id, code: 127, stdout: '', stderr: `${m.cmd}: ${e.message}` }));
  child.on('close', (code, signal) =>
    send({ id: m.id, code: code ?? (signal ? 128 : 1), stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
  );
});
process.on('disconnect', () => process.exit(0));
