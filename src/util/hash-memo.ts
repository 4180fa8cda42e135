// File hashes remembered by what stat says about the file, so that a build with nothing changed reads
// and hashes nothing twice. In: paths; out: their sha256, from the memo while the file's inode, size,
// mtime and ctime (nanoseconds) are those recorded, else read and hashed afresh.
// The memo lives in one process and, when loaded from a file (`continuity build` keeps
// <store>/hash-memo.json), across runs. A file changed in the second before it was hashed is not
// remembered: a later write in the same clock tick would not change its stamp. Files this program writes
// itself (store objects, materialized outputs) are remembered at once.
import { readFile } from 'node:fs/promises';
import { type Sha256, sha256Hex } from '../model/hash.js';
import { writeFileAtomic } from './fs.js';
import { type Stamp, stampOf, stampOfSync } from './stamp.js';

interface Entry {
  stamp: string;
  sha256: Sha256;
}

interface MemoFile {
  version: 1;
  files: Record<string, Entry>;
  /** what was learnt about a file by running it (a compiler's version, its target), by its stamp */
  facts?: Record<string, { stamp: string; value: unknown }>;
}

const files = new Map<string, Entry>();
const facts = new Map<string, { stamp: string; value: unknown }>();
let backing: string | null = null;
let dirty = false;

/** Loads a memo file (a missing or unreadable one is an empty memo); later calls to save() write it. */
export async function loadHashMemo(path: string): Promise<void> {
  backing = path;
  try {
    const m = JSON.parse(await readFile(path, 'utf8')) as MemoFile;
    if (m.version === 1 && typeof m.files === 'object' && m.files !== null) {
      for (const [p, e] of Object.entries(m.files)) {
        if (typeof e?.stamp === 'string' && typeof e.sha256 === 'string' && /^[0-9a-f]{64}$/.test(e.sha256)) files.set(p, e);
      }
      for (const [k, f] of Object.entries(m.facts ?? {})) if (typeof f?.stamp === 'string') facts.set(k, f);
    }
  } catch {
    // no memo yet, or a damaged one: start empty
  }
}

/** Writes the memo back (atomically) when it changed; entries for vanished files are dropped. */
export async function saveHashMemo(): Promise<void> {
  if (!backing || !dirty) return;
  const out: MemoFile = { version: 1, files: {} };
  for (const [p, e] of files) if (stampOfSync(p)?.stamp === e.stamp) out.files[p] = e;
  out.facts = Object.fromEntries(facts);
  await writeFileAtomic(backing, JSON.stringify(out), 0o644, { sync: false });
  dirty = false;
}

function remember(path: string, stamp: string, sha256: Sha256): void {
  const e = files.get(path);
  if (e && e.stamp === stamp && e.sha256 === sha256) return;
  files.set(path, { stamp, sha256 });
  dirty = true;
}

/**
 * Reads a file whose stamp was `s` and hashes it; the hash is remembered when the stamp held through the
 * read (else the bytes may mix two versions) and the file is not too new to vouch for.
 */
async function readHashed(path: string, s: Stamp): Promise<{ bytes: Uint8Array; sha256: Sha256 } | null> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch {
    return null;
  }
  const sha256 = sha256Hex(bytes);
  const after = await stampOf(path);
  if (after && after.stamp === s.stamp && !after.fresh) remember(path, s.stamp, sha256);
  return { bytes, sha256 };
}

/** The file's sha256, or null when it is not a readable regular file. */
export async function hashFile(path: string): Promise<Sha256 | null> {
  const s = stampOfSync(path); // a lowering asks for thousands of files, most of them vouched for
  if (!s) return null;
  const e = files.get(path);
  if (e && e.stamp === s.stamp) return e.sha256;
  return (await readHashed(path, s))?.sha256 ?? null;
}

/** Whether the memo says the file still holds exactly `h` (no reading). */
export async function knownToHold(path: string, h: Sha256): Promise<boolean> {
  const e = files.get(path);
  if (!e || e.sha256 !== h) return false;
  return (await stampOf(path))?.stamp === e.stamp;
}

/** knownToHold without the thread pool (see stampOfSync). */
export function knownToHoldSync(path: string, h: Sha256): boolean {
  const e = files.get(path);
  if (!e || e.sha256 !== h) return false;
  return stampOfSync(path)?.stamp === e.stamp;
}

/** The stamp under which the memo vouches that the file holds exactly `h`, while it still does; else null. */
export function vouchedStamp(path: string, h: Sha256): string | null {
  return knownToHoldSync(path, h) ? (files.get(path)?.stamp ?? null) : null;
}

/**
 * Remembers a file this program has just written with bytes hashing to `sha256` (a store object, a
 * materialized output): at once, fresh or not, since the bytes are known without reading them back.
 */
export async function rememberOwn(path: string, sha256: Sha256): Promise<void> {
  const s = await stampOf(path);
  if (s) remember(path, s.stamp, sha256);
}

/** The file's bytes when they hash to `h` (the hash skipped when the memo vouches for them); else null. */
export async function readIfHolds(path: string, h: Sha256): Promise<Uint8Array | null> {
  const s = await stampOf(path);
  if (!s) return null;
  const e = files.get(path);
  if (e && e.stamp === s.stamp && e.sha256 === h) {
    const bytes = await readFile(path).catch(() => null);
    if (bytes && (await stampOf(path))?.stamp === s.stamp) return bytes;
  }
  const got = await readHashed(path, s);
  if (got?.sha256 === h) return got.bytes;
  forgetFile(path);
  return null;
}

/** Forgets a file (it was found corrupt, or removed). */
export function forgetFile(path: string): void {
  if (files.delete(path)) dirty = true;
}

/** A fact remembered about file `path` under `key`, while the file's stamp is unchanged; else null. */
export async function recallFact(key: string, path: string): Promise<unknown> {
  const f = facts.get(key);
  if (!f) return null;
  return (await stampOf(path))?.stamp === f.stamp ? f.value : null;
}

/** Remembers a fact about file `path` (not when the file changed in the last second). */
export async function rememberFact(key: string, path: string, value: unknown): Promise<void> {
  const s = await stampOf(path);
  if (!s || s.fresh) return;
  facts.set(key, { stamp: s.stamp, value });
  dirty = true;
}
