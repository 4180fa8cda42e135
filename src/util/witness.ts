// Evidence that what a cached result was computed from is still there, checked by stat alone: a file's
// stamp, where a path resolves to, what kind of thing a path is. In: paths when a result is made; out:
// witnesses, which hold later only while the file system still shows the same. A file too new to vouch
// for (see stamp.ts) gives no witness, and then the result is not to be cached.
import { readlinkSync, realpathSync, statSync } from 'node:fs';
import { stampOfSync } from './stamp.js';

export type PathType = 'file' | 'dir' | 'other' | 'none';

export type Witness =
  /** a regular file with this stamp (symbolic links followed) */
  | { kind: 'stamp'; path: string; stamp: string }
  /** the path resolves, symbolic links followed, to `real` */
  | { kind: 'resolves'; path: string; real: string }
  /** the path (symbolic links followed) leads to this kind of thing */
  | { kind: 'is'; path: string; type: PathType }
  /** a symbolic link with this target */
  | { kind: 'link'; path: string; target: string };

/** What the path leads to, symbolic links followed ('none' for nothing, or a dangling link). */
export function pathType(path: string): PathType {
  try {
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st) return 'none';
    return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
  } catch {
    return 'none';
  }
}

const realOf = (path: string): string | null => {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
};

const linkOf = (path: string): string | null => {
  try {
    return readlinkSync(path);
  } catch {
    return null;
  }
};

/** A witness of the file's present stamp; null when it is not a regular file or is too new to vouch for. */
export function stampWitness(path: string): Witness | null {
  const s = stampOfSync(path);
  return s && !s.fresh ? { kind: 'stamp', path, stamp: s.stamp } : null;
}

/** Witnesses that `path` still leads to the same binary: where it resolves to, and that file's stamp. */
export function toolWitnesses(path: string): Witness[] | null {
  const real = realOf(path);
  const stamp = real === null ? null : stampWitness(real);
  return real === null || stamp === null ? null : [{ kind: 'resolves', path, real }, stamp];
}

export function holds(w: Witness): boolean {
  switch (w.kind) {
    case 'stamp':
      return stampOfSync(w.path)?.stamp === w.stamp;
    case 'resolves':
      return realOf(w.path) === w.real;
    case 'is':
      return pathType(w.path) === w.type;
    case 'link':
      return linkOf(w.path) === w.target;
  }
}

/** Whether every witness still holds (checked in order, stopping at the first that does not). */
export const allHold = (ws: readonly Witness[]): boolean => ws.every(holds);

/** A well-formed witness, read back from a file. */
export function isWitness(x: unknown): x is Witness {
  if (typeof x !== 'object' || x === null) return false;
  const w = x as Record<string, unknown>;
  if (typeof w['path'] !== 'string') return false;
  switch (w['kind']) {
    case 'stamp':
      return typeof w['stamp'] === 'string';
    case 'resolves':
      return typeof w['real'] === 'string';
    case 'is':
      return ['file', 'dir', 'other', 'none'].includes(w['type'] as string);
    case 'link':
      return typeof w['target'] === 'string';
    default:
      return false;
  }
}
