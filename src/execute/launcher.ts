// Sandboxes started from a small helper process. Forking the build process itself for every action
// blocks its event loop while the kernel copies its page tables and the child execs, milliseconds at a
// time and more the larger the build's memory; the launcher (launcher-main.ts) forks cheaply, beside it.
// In: a command; out: how it ended and what it printed, as spawning it here would give. When the launcher
// cannot be started, or has died, commands are spawned directly.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import type { Collected } from './collect.js';

/** what spawning the command here would give (collect.ts) */
export type Ran = Collected;

interface Reply extends Ran {
  id: number;
}

export interface Launcher {
  /** null when the launcher is gone: spawn the command yourself */
  run(cmd: string, args: string[]): Promise<Ran> | null;
  close(): void;
  /** the launcher's process, while it lives */
  pid(): number | null;
}

/** the compiled launcher beside this module (absent when this module runs from source: then no launcher) */
const MAIN = fileURLToPath(new URL('./launcher-main.js', import.meta.url));

export function startLauncher(main = MAIN): Launcher {
  let child: ChildProcess | null = null;
  let next = 0;
  const pending = new Map<number, (r: Ran) => void>();
  const gone = (why: string): void => {
    child = null;
    for (const [, done] of pending) done({ code: 125, stdout: '', stderr: `continuity: the launcher ${why} while the command ran` });
    pending.clear();
  };
  try {
    if (!existsSync(main)) throw new Error(`${main} is missing`);
    child = fork(main, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'json', execArgv: [] });
    child.on('message', (m: Reply) => {
      const done = pending.get(m.id);
      pending.delete(m.id);
      done?.({ code: m.code, stdout: m.stdout, stderr: m.stderr });
    });
    child.on('exit', (code, signal) => gone(`exited (${signal ?? code})`));
    child.on('error', () => gone('failed'));
    child.unref();
    child.channel?.unref();
  } catch {
    child = null;
  }
  return {
    run: (cmd, args) => {
      const c = child;
      if (!c || !c.connected) return null;
      const id = next++;
      const p = new Promise<Ran>((resolve) => pending.set(id, resolve));
      if (pending.size === 1) c.channel?.ref();
      c.send({ id, cmd, args });
      return p.finally(() => {
        if (pending.size === 0) c.channel?.unref();
      });
    },
    pid: () => child?.pid ?? null,
    close: () => {
      const c = child;
      child = null;
      if (c?.connected) c.disconnect();
    },
  };
}
