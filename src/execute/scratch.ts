// Where an action is staged: a private directory per action, on a tmpfs when the machine has a roomy
// one (/dev/shm), else in the store's work/. On a disk, thousands of directories made and removed in
// quick succession make every new one slow to allocate (ext4 steps over recently freed inodes); in
// memory they cost next to nothing. In: the store; out: fresh directories, swept once their process died.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmdirSync, rmSync, statfsSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { TMP_PREFIX, pidAlive, tmpOwner } from './atomic.js';
import type { Store } from './store.js';

const TMPFS_MAGIC = 0x01021994;
const SHM = '/dev/shm';
/** room a tmpfs must have free to be used: several large links staged at once fit in it */
const ROOM = 2 * 1024 ** 3;
const PREFIX = `continuity-stage${TMP_PREFIX}`;

let shm: string | null | undefined;

/** The tmpfs directory stages go in, or null when there is none with room (checked once per process). */
function tmpfsRoot(): string | null {
  if (shm !== undefined) return shm;
  shm = null;
  try {
    const s = statfsSync(SHM);
    if (s.type === TMPFS_MAGIC && s.bavail * s.bsize >= ROOM) shm = SHM;
  } catch {
    // no /dev/shm here
  }
  if (shm) sweep(shm);
  return shm;
}

/** Removes stages left by builds that died (their pid is in the name). */
function sweep(dir: string): void {
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => n.startsWith(PREFIX));
  } catch {
    return;
  }
  for (const n of names) {
    const pid = tmpOwner(n.slice(PREFIX.length - TMP_PREFIX.length));
    if (pid !== null && pid !== process.pid && !pidAlive(pid)) rmSync(join(dir, n), { recursive: true, force: true });
  }
}

/** A fresh private directory for staging one action; remove it (removeScratch) when done. */
export async function scratchDir(store: Store): Promise<string> {
  const root = tmpfsRoot();
  if (root === null) return store.workDir();
  const d = join(root, `${PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`);
  mkdirSync(d, { mode: 0o700 });
  return d;
}

/** Removes a tree: one readdir per directory, then unlink or rmdir, nothing tried twice (fs.rmSync goes
 *  through lstat and failed calls for every entry, a good part of an action's cost in a small build). */
function removeTree(dir: string): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) removeTree(p);
    else unlinkSync(p);
  }
  rmdirSync(dir);
}

export function removeScratch(dir: string): void {
  try {
    removeTree(dir);
  } catch {
    try {
      rmSync(dir, { recursive: true, force: true }); // a directory made unwritable, say
    } catch {
      // swept later (by Store.open, or by the next build's first stage)
    }
  }
}
