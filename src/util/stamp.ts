// A file's stamp: what stat says about it (device, inode, size, mtime and ctime to the nanosecond).
// In: a path; out: its stamp, and whether it changed within the last second. A fresh file is not to be
// vouched for by its stamp: a later write in the same clock tick would leave the stamp as it is.
import { statSync, type BigIntStats } from 'node:fs';
import { stat } from 'node:fs/promises';

const FRESH_NS = 1_000_000_000n;

export interface Stamp {
  stamp: string;
  /** changed within the last second: not to be vouched for */
  fresh: boolean;
}

function stampFrom(st: BigIntStats): Stamp | null {
  if (!st.isFile()) return null;
  const now = BigInt(Date.now()) * 1_000_000n;
  return {
    stamp: `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`,
    fresh: now - st.mtimeNs < FRESH_NS || now - st.ctimeNs < FRESH_NS,
  };
}

/** The stamp of a regular file (following symbolic links); null for anything else or nothing. */
export async function stampOf(path: string): Promise<Stamp | null> {
  try {
    return stampFrom(await stat(path, { bigint: true }));
  } catch {
    return null;
  }
}

/** The same without a trip through the thread pool: for hot paths that check many files whose metadata
 *  is in the kernel's cache (a stat takes microseconds there, a promise round trip tens of them). */
export function stampOfSync(path: string): Stamp | null {
  try {
    const st = statSync(path, { bigint: true, throwIfNoEntry: false });
    return st ? stampFrom(st) : null;
  } catch {
    return null;
  }
}
