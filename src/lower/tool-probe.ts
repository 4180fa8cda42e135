// A tool binary → its identity: sha256 of the real (symlink-resolved) file, `--version`'s first line,
// and `-dumpmachine` for compilers. Cached per path while the path leads to the same, unchanged file.
import { execFile } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { readFile, realpath } from 'node:fs/promises';
import { recallFact, rememberFact } from '../util/hash-memo.js';
import { stampOfSync } from '../util/stamp.js';
import { type Sha256, sha256Hex } from '../model/hash.js';
import { type Result, ok, err } from '../model/result.js';

export type ToolFamily = 'gcc' | 'clang' | 'nvcc' | 'ar' | 'other';

export interface ToolIdentity {
  path: string;
  realPath: string;
  sha256: Sha256;
  version: string | null;
  /** the compiler's own `-dumpmachine` (for nvcc, the host compiler's) */
  machine: string | null;
}

function run(cmd: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 20_000, env: { PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'C' } }, (e, stdout) => {
      resolve(e ? null : stdout);
    });
  });
}

export function toolFamily(path: string): ToolFamily {
  const base = path.split('/').pop() ?? path;
  if (base.includes('nvcc')) return 'nvcc';
  if (base.includes('clang')) return 'clang';
  if (/(^|-)ar$|ranlib$/.test(base)) return 'ar';
  if (/(^|-)(gcc|g\+\+|cc|c\+\+|cpp)(-[0-9.]+)?$/.test(base)) return 'gcc';
  return 'other';
}

// per path, with where the path led and that file's stamp when it was probed: a tool replaced while the
// process lives (a long-lived caller, a test) is probed again
const cache = new Map<string, { at: string; identity: Promise<Result<ToolIdentity, string>> }>();

function whereNow(path: string): string {
  try {
    const real = realpathSync(path);
    return `${real}\0${stampOfSync(real)?.stamp ?? ''}`;
  } catch {
    return '';
  }
}

async function probe(path: string): Promise<Result<ToolIdentity, string>> {
  let real: string;
  try {
    real = await realpath(path);
  } catch {
    return err(`tool ${path} is not on this machine`);
  }
  // A tool whose binary is unchanged since it was last asked answers the same: no need to run it again.
  const key = `tool-identity ${path} ${process.env['PATH'] ?? ''}`;
  const known = (await recallFact(key, real)) as ToolIdentity | null;
  if (known && known.path === path && known.realPath === real) return ok(known);
  const got = await probeAfresh(path, real);
  if (got.ok) await rememberFact(key, real, got.value);
  return got;
}

async function probeAfresh(path: string, real: string): Promise<Result<ToolIdentity, string>> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(real);
  } catch {
    return err(`tool ${path} is not on this machine`);
  }
  const family = toolFamily(path);
  const first = (s: string | null): string | null => s?.split('\n').find((l) => l.trim() !== '')?.trim() ?? null;
  const version = family === 'other' ? null : first(await run(path, ['--version']));
  let machine: string | null = null;
  if (family === 'gcc' || family === 'clang') machine = first(await run(path, ['-dumpmachine']));
  else if (family === 'nvcc') machine = first(await run('cc', ['-dumpmachine']));
  return ok({ path, realPath: real, sha256: sha256Hex(bytes), version, machine });
}

export function probeTool(path: string): Promise<Result<ToolIdentity, string>> {
  const at = whereNow(path);
  const c = cache.get(path);
  if (c && c.at === at) return c.identity;
  const identity = probe(path);
  cache.set(path, { at, identity });
  return identity;
}

/** This machine as a triple string, for tools that cannot say (ar, sh). */
export function hostMachine(): string {
  const arch = process.arch === 'x64' ? 'x86_64' : process.arch === 'arm64' ? 'aarch64' : process.arch;
  return process.platform === 'linux' ? `${arch}-linux-gnu` : `${arch}-unknown-${process.platform}`;
}
