// Witnesses hold while the file system shows what they saw: a file's stamp, where a path resolves to,
// what a path is, where a link points; a file too new to vouch for gives none.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, renameSync, symlinkSync, unlinkSync, utimesSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allHold, holds, isWitness, pathType, stampWitness, toolWitnesses, type Witness } from '../../src/util/witness.js';

const old = (p: string): void => {
  const t = new Date(Date.now() - 10_000);
  utimesSync(p, t, t);
};
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 1100));

describe('witnesses', () => {
  it('a stamp holds until the file changes, and a fresh file gives none', async () => {
    const d = mkdtempSync(join(tmpdir(), 'continuity-witness-'));
    const f = join(d, 'a');
    writeFileSync(f, 'one');
    expect(stampWitness(f)).toBeNull(); // changed this second (its ctime is now)
    await settle();
    const w = stampWitness(f) as Witness;
    expect(w.kind).toBe('stamp');
    expect(holds(w)).toBe(true);
    writeFileSync(f, 'two');
    old(f);
    expect(holds(w)).toBe(false);
  });

  it('a tool is where its path resolves to and that file unchanged; links and kinds of path', async () => {
    const d = mkdtempSync(join(tmpdir(), 'continuity-witness-'));
    const real = join(d, 'gcc-12');
    writeFileSync(real, '#!/bin/sh\n');
    symlinkSync('gcc-12', join(d, 'cc'));
    await settle();
    const ws = toolWitnesses(join(d, 'cc')) as Witness[];
    expect(ws.map((w) => w.kind)).toEqual(['resolves', 'stamp']);
    expect(allHold(ws)).toBe(true);
    writeFileSync(join(d, 'gcc-13'), '#!/bin/sh\n');
    unlinkSync(join(d, 'cc'));
    symlinkSync('gcc-13', join(d, 'cc'));
    expect(allHold(ws)).toBe(false);

    const link: Witness = { kind: 'link', path: join(d, 'cc'), target: 'gcc-13' };
    expect(holds(link)).toBe(true);
    expect(holds({ ...link, target: 'gcc-12' })).toBe(false);
    mkdirSync(join(d, 'dir'));
    expect([pathType(join(d, 'dir')), pathType(real), pathType(join(d, 'none'))]).toEqual(['dir', 'file', 'none']);
    const is: Witness = { kind: 'is', path: join(d, 'dir'), type: 'dir' };
    expect(holds(is)).toBe(true);
    rmSync(join(d, 'dir'), { recursive: true });
    writeFileSync(join(d, 'dir'), '');
    expect(holds(is)).toBe(false);
    renameSync(join(d, 'dir'), join(d, 'moved'));
    expect(holds({ kind: 'is', path: join(d, 'dir'), type: 'none' })).toBe(true);
  });

  it('reads back only well-formed witnesses', () => {
    expect(isWitness({ kind: 'stamp', path: '/a', stamp: '1:2' })).toBe(true);
    expect(isWitness({ kind: 'is', path: '/a', type: 'dir' })).toBe(true);
    expect(isWitness({ kind: 'is', path: '/a', type: 'socket' })).toBe(false);
    expect(isWitness({ kind: 'stamp', path: 3, stamp: 'x' })).toBe(false);
    expect(isWitness({ kind: 'other', path: '/a' })).toBe(false);
    expect(isWitness(null)).toBe(false);
  });
});
