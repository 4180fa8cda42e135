// Atomic file writes: a temporary file in the same directory, then rename. Readers see the old file
// or the whole new one, never a part. Temporary names start with `.tmp-<pid>-` so they can be swept.
import { randomBytes } from 'node:crypto';
import { chmod, copyFile, mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export const TMP_PREFIX = '.tmp-';
export const tmpName = (dir: string): string => join(dir, `${TMP_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`);

export async function writeFileAtomic(path: string, data: string | Uint8Array | Iterable<string>, mode = 0o644): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = tmpName(dir);
  try {
    await writeFile(tmp, data, { mode });
    await rename(tmp, path);
  } catch (e: unknown) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** Copies a file atomically (the kernel copies the bytes), giving the copy `mode`. */
export async function copyFileAtomic(from: string, path: string, mode = 0o644): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = tmpName(dir);
  try {
    await copyFile(from, tmp);
    await chmod(tmp, mode);
    await rename(tmp, path);
  } catch (e: unknown) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** Creates (or replaces) a symbolic link atomically. */
export async function symlinkAtomic(target: string, path: string): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = tmpName(dir);
  try {
    await symlink(target, tmp);
    await rename(tmp, path);
  } catch (e: unknown) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** The pid a temporary name was made by, or null when the name is not one of ours. */
export function tmpOwner(name: string): number | null {
  const m = /^\.tmp-(\d+)-/.exec(basename(name));
  return m ? Number(m[1]) : null;
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e: unknown) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
