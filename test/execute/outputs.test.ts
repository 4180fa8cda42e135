import { describe, expect, it } from 'vitest';
import { lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { customRig } from '../fixtures/graphs/rig.js';
import { build } from './harness.js';
import { sha256Hex } from '../../src/model/hash.js';
import type { BuildRecord } from '../../src/model/build-record.js';

describe('symbolic link outputs', () => {
  it('are stored, staged for later actions, materialized as links and recorded with their target\'s hash', async () => {
    const rig = customRig({ 'v.txt': 'version 1.2.3\n' }, [
      { sh: 'cp @SRCDIR@/v.txt @BUILDDIR@/libx.so.1.2.3', inputs: ['@SRCDIR@/v.txt'], outputs: ['@BUILDDIR@/libx.so.1.2.3'] },
      { sh: 'ln -s libx.so.1.2.3 @BUILDDIR@/libx.so.1 && ln -s libx.so.1 @BUILDDIR@/libx.so', inputs: ['@BUILDDIR@/libx.so.1.2.3'], outputs: ['@BUILDDIR@/libx.so.1', '@BUILDDIR@/libx.so'] },
      { sh: 'cat @BUILDDIR@/libx.so > @BUILDDIR@/seen.txt', inputs: ['@BUILDDIR@/libx.so', '@BUILDDIR@/libx.so.1', '@BUILDDIR@/libx.so.1.2.3'], outputs: ['@BUILDDIR@/seen.txt'] },
    ]);
    const out = join(rig.root, 'out');
    const s = await build(rig.graphPath, join(rig.root, 'store'), out);
    expect([s.executed, s.failed]).toEqual([3, 0]);
    expect(lstatSync(join(out, 'libx.so')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(out, 'libx.so'))).toBe('libx.so.1');
    expect(readlinkSync(join(out, 'libx.so.1'))).toBe('libx.so.1.2.3');
    expect(readFileSync(join(out, 'seen.txt'), 'utf8')).toBe('version 1.2.3\n');
    const record = JSON.parse(readFileSync(join(out, '.continuity', 'build-record.json'), 'utf8')) as BuildRecord;
    const hash = sha256Hex('version 1.2.3\n');
    expect(record.outputs.filter((o) => o.path.startsWith('libx.so')).map((o) => [o.path, o.sha256])).toEqual([
      ['libx.so', hash], ['libx.so.1', hash], ['libx.so.1.2.3', hash],
    ]);
    const again = await build(rig.graphPath, join(rig.root, 'store'), join(rig.root, 'out2'));
    expect([again.executed, again.cached]).toEqual([0, 3]);
    expect(readlinkSync(join(rig.root, 'out2', 'libx.so.1'))).toBe('libx.so.1.2.3');
  });
});
