// Running one command and keeping how it ended and what it printed: how the build starts a sandbox,
// in its own process or in the launcher's (launcher-main.ts, which imports nothing else).
// Must stay true: it resolves, never rejects: 127 with the reason when the command cannot be started,
// 128 when a signal ended it.
import { spawn } from 'node:child_process';

export interface Collected {
  code: number;
  stdout: string;
  stderr: string;
}

export function collect(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Collected> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    const out: Buffer[] = [];
    const errb: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => errb.push(b));
    child.on('error', (e) => resolve({ code: 127, stdout: '', stderr: `${cmd}: ${e.message}` }));
    child.on('close', (code, signal) =>
      resolve({ code: code ?? (signal ? 128 : 1), stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(errb).toString('utf8') }),
    );
  });
}
