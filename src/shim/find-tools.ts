// Finds the real tools the shims stand for on PATH. In: PATH and the shim directory; out: the tool table
// {name, kind, real}, first directory wins. Kept in $XDG_CACHE_HOME/continuity/tools under the search
// directories, and used again only while every directory searched and every file looked at has the same stamp.
// Must stay true: a real tool is never a shim (the shim dir, marked dirs and files carrying the marker are
// skipped), cached or not.
import { constants, existsSync, promises as fs, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { sha256Hex } from '../model/hash.js';
import { BASE_TOOLS, type ToolKind, toolKind } from './tools.js';

export interface ShimTool {
  name: string;
  kind: ToolKind;
  /** the PATH entry's path, not symlink-resolved (/usr/bin/gcc), so compiler identity is kept */
  real: string;
}

/** A file in every shim directory; PATH entries holding it are never searched for real tools. */
export const SHIM_DIR_MARKER = '.continuity-shims';
/** A string compiled into every shim binary (see SHIM_MARKER in shims/shim.c.hbs). */
export const SHIM_BINARY_MARKER = 'continuity-shim-marker-v1';

/** What stat says of a path (symbolic links followed), to the nanosecond; 'none' when it says nothing. */
type PathStamp = string;
const FRESH_NS = 1_000_000_000n;

function stampNow(p: string): { stamp: PathStamp; fresh: boolean } {
  try {
    const st = statSync(p, { bigint: true, throwIfNoEntry: false });
    if (!st) return { stamp: 'none', fresh: false };
    const now = BigInt(Date.now()) * 1_000_000n;
    return {
      stamp: `${st.mode}:${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`,
      fresh: now - st.mtimeNs < FRESH_NS || now - st.ctimeNs < FRESH_NS,
    };
  } catch {
    return { stamp: 'none', fresh: false };
  }
}

function realOrSelf(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

/** An executable regular file that is not a continuity shim. */
async function isRealTool(p: string): Promise<boolean> {
  try {
    const st = await fs.stat(p);
    if (!st.isFile()) return false;
    await fs.access(p, constants.X_OK);
    // Shim binaries are small; only those could carry the marker.
    if (st.size < 4 * 1024 * 1024) {
      const bytes = await fs.readFile(p);
      if (bytes.includes(SHIM_BINARY_MARKER)) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/** PATH directories worth searching: absolute, existing, not the shim dir, not another shim dir.
 *  Synchronous: a dozen stats of directories the kernel has cached, asked at every generation. */
function searchDirs(pathVar: string, shimDir: string): string[] {
  const self = realOrSelf(shimDir);
  const out: string[] = [];
  for (const entry of pathVar.split(':')) {
    if (entry === '') continue;
    const dir = path.resolve(entry);
    if (out.includes(dir)) continue;
    if (realOrSelf(dir) === self) continue;
    if (existsSync(path.join(dir, SHIM_DIR_MARKER))) continue;
    out.push(dir);
  }
  return out;
}

/** The search itself, with every path it looked at (the directories read, then each candidate statted). */
async function search(dirs: readonly string[]): Promise<{ tools: ShimTool[]; looked: string[] }> {
  const names = new Set(Object.keys(BASE_TOOLS));
  for (const dir of dirs) {
    let entries: string[];
    try {
      entries = await fs.readdir(dir);
    } catch {
      continue;
    }
    for (const e of entries) if (toolKind(e) !== null) names.add(e);
  }
  const tools: ShimTool[] = [];
  const looked: string[] = [...dirs];
  for (const name of [...names].sort()) {
    const kind = toolKind(name);
    if (kind === null) continue;
    for (const dir of dirs) {
      const candidate = path.join(dir, name);
      looked.push(candidate);
      if (await isRealTool(candidate)) {
        tools.push({ name, kind, real: candidate });
        break;
      }
    }
  }
  return { tools, looked };
}

/** Resolves every known tool name (base names and variants found in the directories) once, first dir wins. */
export async function findTools(pathVar: string, shimDir: string): Promise<ShimTool[]> {
  return (await search(searchDirs(pathVar, shimDir))).tools;
}

interface ToolCacheEntry {
  v: 1;
  dirs: string[];
  /** every path the search looked at, with its stamp then */
  looked: [string, PathStamp][];
  tools: ShimTool[];
}

/** A kept entry for these directories whose every stamp still holds (anything malformed holds nothing). */
function holds(x: unknown, dirs: readonly string[]): x is ToolCacheEntry {
  if (typeof x !== 'object' || x === null) return false;
  const e = x as Partial<ToolCacheEntry>;
  return e.v === 1 && JSON.stringify(e.dirs) === JSON.stringify(dirs) && Array.isArray(e.tools) &&
    e.tools.every((t) => typeof t?.name === 'string' && typeof t.real === 'string' && toolKind(t.name) === t.kind) &&
    Array.isArray(e.looked) &&
    e.looked.every((l) => Array.isArray(l) && typeof l[0] === 'string' && stampNow(l[0]).stamp === l[1]);
}

/**
 * findTools, answered from `cacheDir` while nothing the answer was read from has changed: each search
 * directory (a name added, removed or renamed there moves its stamp) and each file looked at (replaced,
 * rewritten, made executable or not, a symbolic link now leading elsewhere). An answer read from something
 * changed within the last second is not kept, since a later change in the same clock tick would not show.
 */
export async function findToolsCached(pathVar: string, shimDir: string, cacheDir: string): Promise<ShimTool[]> {
  const dirs = searchDirs(pathVar, shimDir);
  const file = path.join(cacheDir, `${sha256Hex(JSON.stringify(dirs))}.json`);
  const kept = await fs.readFile(file, 'utf8').then((t) => JSON.parse(t) as unknown, () => null);
  if (holds(kept, dirs)) return kept.tools;
  const before = new Map<string, { stamp: PathStamp; fresh: boolean }>();
  for (const d of dirs) before.set(d, stampNow(d));
  const { tools, looked } = await search(dirs);
  const stamps: [string, PathStamp][] = [];
  for (const p of looked) {
    const now = stampNow(p);
    const was = before.get(p);
    // a directory that changed while it was read, or anything too new to vouch for: not kept
    if (now.fresh || (was !== undefined && (was.fresh || was.stamp !== now.stamp))) return tools;
    stamps.push([p, now.stamp]);
  }
  const entry: ToolCacheEntry = { v: 1, dirs, looked: stamps, tools };
  // a cache that cannot be written only costs the next search
  const tmp = `${file}.tmp-${process.pid}`;
  await fs.mkdir(cacheDir, { recursive: true })
    .then(() => fs.writeFile(tmp, JSON.stringify(entry) + '\n'))
    .then(() => fs.rename(tmp, file))
    .catch(() => fs.rm(tmp, { force: true }));
  return tools;
}
