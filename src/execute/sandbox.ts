// Running one action where only its declared inputs and its toolchain closure are visible.
// bubblewrap when installed, util-linux `unshare` (as root) otherwise; `none` only when asked for.
// Every kind gives: no network, fresh PID/IPC/UTS/mount namespaces, a cleared environment, /tmp a
// tmpfs, the closure read-only, and the staged tree at /continuity.
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readlinkSync } from 'node:fs';
import { type Result, ok, err } from '../model/result.js';
import { SANDBOX_ROOT } from '../lower/paths.js';
import type { Launcher } from './launcher.js';
import { type Collected, collect } from './collect.js';

export type SandboxKind = 'bwrap' | 'unshare' | 'none';

/** Variables every action sees besides its declared ones (declared ones win). */
export const FIXED_ENV: Readonly<Record<string, string>> = {
  PATH: '/usr/local/bin:/usr/bin:/bin',
  LC_ALL: 'C',
  HOME: '/tmp',
  TMPDIR: '/tmp',
  SOURCE_DATE_EPOCH: '0',
};

export interface SandboxSpec {
  /** host directory seen as /continuity */
  stage: string;
  cwd: string;
  command: string[];
  env: Record<string, string>;
  /** host paths mounted read-only at the same place */
  closure: string[];
  /** extra read-only files: host file → path inside */
  binds: { host: string; path: string }[];
}

/** how the command ended and what it printed */
export type SandboxResult = Collected;

const works = (cmd: string, args: string[]): boolean => {
  const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 20_000 });
  return r.status === 0;
};

let detected: SandboxKind | null | undefined;

/** Finds a sandbox that actually works on this machine (checked by running `true` in it once). */
export function detectSandbox(noSandbox: boolean, prefer?: SandboxKind): Result<SandboxKind, string> {
  if (noSandbox) return ok('none');
  if (prefer === 'unshare' && process.getuid?.() === 0 && works('unshare', ['--mount', '--net', '--pid', '--ipc', '--uts', '--fork', '/bin/true'])) return ok('unshare');
  if (detected === undefined) {
    detected = null;
    const probe: SandboxSpec = { stage: '/', cwd: '/', command: ['/bin/true'], env: {}, closure: ['/usr', '/bin', '/lib', '/lib64'], binds: [] };
    if (works('bwrap', bwrapArgs(probe))) detected = 'bwrap';
    else if (process.getuid?.() === 0 && works('unshare', ['--mount', '--net', '--pid', '--ipc', '--uts', '--fork', '/bin/true'])) detected = 'unshare';
  }
  if (detected === null) {
    return err('no sandbox available: install bubblewrap (apt-get install bubblewrap), run as root for unshare, or pass --no-sandbox');
  }
  return ok(detected);
}

function closureArgs(closure: readonly string[], emit: (kind: 'symlink' | 'bind', host: string, target: string) => void): void {
  for (const p of closure) {
    if (!existsSync(p)) continue;
    const st = lstatSync(p);
    if (st.isSymbolicLink()) emit('symlink', readlinkSync(p), p);
    else emit('bind', p, p);
  }
}

function envEntries(env: Record<string, string>): [string, string][] {
  return Object.entries({ ...FIXED_ENV, ...env });
}

export function bwrapArgs(s: SandboxSpec): string[] {
  const a: string[] = ['--unshare-all', '--die-with-parent', '--new-session', '--hostname', 'continuity', '--clearenv'];
  for (const [k, v] of envEntries(s.env)) a.push('--setenv', k, v);
  a.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp');
  closureArgs(s.closure, (kind, host, target) => a.push(...(kind === 'symlink' ? ['--symlink', host, target] : ['--ro-bind', host, target])));
  if (s.stage !== '/') a.push('--bind', s.stage, SANDBOX_ROOT);
  for (const b of s.binds) a.push('--ro-bind', b.host, b.path);
  a.push('--chdir', s.cwd, '--', ...s.command);
  return a;
}

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** The script run inside `unshare`: builds a root on a tmpfs from bind mounts, then chroots into it. */
export function unshareScript(s: SandboxSpec, newRoot: string): string {
  const L: string[] = ['set -e', 'mount --make-rprivate /', `R=${q(newRoot)}`, 'mkdir -p "$R"', 'mount -t tmpfs tmpfs "$R"'];
  const ro = (host: string, target: string, file: boolean): void => {
    L.push(file ? `mkdir -p "$R"$(dirname ${q(target)}) && touch "$R"${q(target)}` : `mkdir -p "$R"${q(target)}`);
    L.push(`mount --rbind ${q(host)} "$R"${q(target)}`, `mount -o remount,bind,ro "$R"${q(target)}`);
  };
  closureArgs(s.closure, (kind, host, target) => {
    if (kind === 'symlink') L.push(`mkdir -p "$R"$(dirname ${q(target)})`, `ln -s ${q(host)} "$R"${q(target)}`);
    else ro(host, target, !lstatSync(host).isDirectory());
  });
  L.push(`mkdir -p "$R"${SANDBOX_ROOT}`, `mount --bind ${q(s.stage)} "$R"${SANDBOX_ROOT}`);
  for (const b of s.binds) ro(b.host, b.path, true);
  L.push('mkdir -p "$R/proc" "$R/dev" "$R/tmp"', 'mount -t proc proc "$R/proc"', 'mount --rbind /dev "$R/dev"', 'mount -t tmpfs tmpfs "$R/tmp"');
  const env = envEntries(s.env).map(([k, v]) => q(`${k}=${v}`)).join(' ');
  const inner = `cd ${q(s.cwd)} && exec ${s.command.map(q).join(' ')}`;
  L.push(`exec chroot "$R" /usr/bin/env -i ${env} /bin/sh -c ${q(inner)}`);
  return L.join('\n');
}

/**
 * Runs the action's command in the sandbox, started by `launcher` when given (see launcher.ts). For
 * `none`, paths under /continuity are rewritten to the stage.
 */
export function runSandboxed(kind: SandboxKind, s: SandboxSpec, scratch: string, launcher?: Launcher): Promise<SandboxResult> {
  const start = (cmd: string, args: string[]): Promise<SandboxResult> => launcher?.run(cmd, args) ?? collect(cmd, args, {});
  switch (kind) {
    case 'bwrap':
      return start('bwrap', bwrapArgs(s));
    case 'unshare':
      return start('unshare', ['--mount', '--net', '--pid', '--ipc', '--uts', '--fork', '--kill-child', '/bin/sh', '-c', unshareScript(s, scratch)]);
    case 'none': {
      const re = new RegExp(`${SANDBOX_ROOT}(?=/|$)`, 'g');
      const fix = (x: string): string => x.replace(re, s.stage);
      const env = Object.fromEntries(envEntries(s.env).map(([k, v]) => [k, fix(v)]));
      const [cmd, ...args] = s.command.map(fix);
      return collect(cmd as string, args, { cwd: fix(s.cwd), env });
    }
  }
}
