// Running a tool to completion and keeping what it printed: the confession's configure and build steps
// and Ninja's queries. node:child_process alone (loading a process library costs every command about a
// tenth of a second before it starts).
// Must stay true: `all` holds stdout and stderr interleaved in the order they arrived; a tool that cannot
// be started resolves (exit code 127, the reason in stderr and all), it never rejects.
import { spawn } from 'node:child_process';

export interface RunOptions {
  cwd?: string;
  /** set over the inherited environment */
  env?: Record<string, string>;
}

export interface RunResult {
  /** the exit code; 128 + the signal's number when a signal ended it, 127 when it could not be started */
  exitCode: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  all: string;
}

const SIGNALS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGTERM: 15 };

/** Runs `cmd args` with stdin closed, collecting its output; resolves when it has exited and its pipes closed. */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolvePromise) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const all: Buffer[] = [];
    let settled = false;
    const finish = (exitCode: number, signal: NodeJS.Signals | null, extra = ''): void => {
      if (settled) return;
      settled = true;
      if (extra) {
        const b = Buffer.from(extra);
        err.push(b);
        all.push(b);
      }
      const text = (bs: Buffer[]): string => Buffer.concat(bs).toString('utf8');
      resolvePromise({ exitCode, signal, stdout: text(out), stderr: text(err), all: text(all) });
    };
    const child = spawn(cmd, args, {
      ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
      env: opts.env ? { ...process.env, ...opts.env } : process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (b: Buffer) => {
      out.push(b);
      all.push(b);
    });
    child.stderr.on('data', (b: Buffer) => {
      err.push(b);
      all.push(b);
    });
    child.on('error', (e: NodeJS.ErrnoException) => finish(127, null, `${cmd}: ${e.code === 'ENOENT' ? 'not found' : e.message}\n`));
    child.on('close', (code, signal) => finish(code ?? 128 + (signal ? SIGNALS[signal] ?? 0 : 0), signal));
  });
}
