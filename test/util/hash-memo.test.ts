// The hash memo: a file's hash is taken from the memo only while its inode, size, mtime and ctime are
// unchanged; a same-size edit with the old mtime put back is still seen (ctime), and so is corruption.
import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Hex } from '../../src/model/hash.js';
import { forgetFile, hashFile, knownToHold, loadHashMemo, readIfHolds, recallFact, rememberFact, saveHashMemo } from '../../src/util/hash-memo.js';

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 1100));

describe('hash memo', () => {
  it('vouches for a file only while its stamp holds; a same-size edit with the old mtime restored is seen', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'continuity-memo-'));
    const f = join(dir, 'a.h');
    await writeFile(f, 'int a = 1;\n');
    const h1 = sha256Hex(new TextEncoder().encode('int a = 1;\n'));
    // just written: hashed, but not remembered (a write in the same clock tick would go unseen)
    expect(await hashFile(f)).toBe(h1);
    expect(await knownToHold(f, h1)).toBe(false);
    await settle();
    expect(await hashFile(f)).toBe(h1);
    expect(await knownToHold(f, h1)).toBe(true);

    const before = await stat(f);
    await writeFile(f, 'int a = 2;\n'); // same size
    await utimes(f, before.atime, before.mtime); // mtime put back; ctime cannot be
    expect(await knownToHold(f, h1)).toBe(false);
    expect(await hashFile(f)).toBe(sha256Hex(new TextEncoder().encode('int a = 2;\n')));

    expect(await hashFile(join(dir, 'missing.h'))).toBeNull();
    expect(await hashFile(dir)).toBeNull(); // a directory is not a file
  });

  it('readIfHolds: bytes when they hash to the expected value, null for corrupted bytes even once vouched for', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'continuity-memo-'));
    const f = join(dir, 'obj');
    const bytes = new TextEncoder().encode('object bytes\n');
    const h = sha256Hex(bytes);
    await writeFile(f, bytes);
    await settle();
    expect(Buffer.from((await readIfHolds(f, h))!).equals(Buffer.from(bytes))).toBe(true);
    expect(await knownToHold(f, h)).toBe(true);
    const before = await stat(f);
    await writeFile(f, 'objecT bytes\n');
    await utimes(f, before.atime, before.mtime);
    expect(await readIfHolds(f, h)).toBeNull();
    expect(await knownToHold(f, h)).toBe(false);
    forgetFile(f);
  });

  it('is saved and loaded with its facts; a fact is recalled only while its file is unchanged', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'continuity-memo-'));
    const tool = join(dir, 'tool');
    await writeFile(tool, '#!/bin/sh\n');
    await settle();
    await loadHashMemo(join(dir, 'memo.json'));
    expect(await hashFile(tool)).not.toBeNull();
    await rememberFact('version', tool, { v: 1 });
    expect(await recallFact('version', tool)).toEqual({ v: 1 });
    await saveHashMemo();
    const saved = JSON.parse(await readFile(join(dir, 'memo.json'), 'utf8')) as { files: Record<string, unknown>; facts: Record<string, unknown> };
    expect(Object.keys(saved.files)).toContain(tool);
    expect(Object.keys(saved.facts)).toContain('version');
    await writeFile(tool, '#!/bin/sh\necho 2\n');
    expect(await recallFact('version', tool)).toBeNull();
  });
});
