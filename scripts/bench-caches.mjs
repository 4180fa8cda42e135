// Caches for a benchmark's "first confession of a project": an empty cache home (no header scans, no
// compiler probes, no store) that holds only what is kept once per machine, not once per project: the
// shim binaries already built for this version, and the table of the tools found on PATH (it holds while
// the searched directories and the tools in them are unchanged). buildShimsOnce() builds them
// (and says how long that took) so that the figure can be reported on its own.
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { homedir } from 'node:os';

const home = () => process.env.XDG_CACHE_HOME || join(homedir(), '.cache');

/** A fresh XDG_CACHE_HOME under dir with this machine's shim binaries in it. */
export function firstConfessionCache(dir) {
  const xdg = join(dir, 'xdg-cache');
  mkdirSync(join(xdg, 'continuity'), { recursive: true });
  for (const kept of ['shims', 'tools']) {
    const from = join(home(), 'continuity', kept);
    if (existsSync(from)) cpSync(from, join(xdg, 'continuity', kept), { recursive: true });
  }
  return xdg;
}

/** Generates the shims into dir once with an empty shim cache of their own; returns the seconds it took, and
 *  leaves the binary in this machine's shim cache. */
export async function buildShimsOnce(root, dir) {
  const { generateShims } = await import(join(root, 'dist', 'shim', 'generate.js'));
  const cacheDir = join(dir, 'empty-shim-cache');
  const t0 = process.hrtime.bigint();
  await generateShims({ dir: join(dir, 'shims-cold'), cacheDir });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await generateShims({ dir: join(dir, 'shims-warm') }); // into the machine's cache, for firstConfessionCache
  return seconds;
}
