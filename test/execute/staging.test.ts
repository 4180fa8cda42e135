// How inputs reach an action: each a copy of its store object (a source is put into the store once per
// build). The action sees exactly the bytes its key was computed from, cannot change a source or a store
// object, can run a program an earlier action built, and may move or remove what it reads. Some steps
// here are shell commands standing in for compiles and links, which are staged the same way.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { customRig } from '../fixtures/graphs/rig.js';
import { build, sandboxKind } from './harness.js';
import { sha256Hex } from '../../src/model/hash.js';
import type { SandboxKind } from '../../src/execute/sandbox.js';

const kinds: SandboxKind[] = [...new Set<SandboxKind>([sandboxKind(), sandboxKind('unshare'), 'none'])];
// the hash memo vouches only for files older than a second
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 1100));

function storeObjectsIntact(store: string): boolean {
  const dir = join(store, 'objects');
  for (const shard of readdirSync(dir)) {
    for (const name of readdirSync(join(dir, shard))) {
      if (sha256Hex(readFileSync(join(dir, shard, name))) !== name) return false;
    }
  }
  return true;
}

describe.each(kinds)('staging inputs (%s)', (kind) => {

  it('an action cannot change a source or a store object it reads', async () => {
    const rig = customRig({ 'a.txt': 'original\n' }, [
      { sh: 'cp @SRCDIR@/a.txt @BUILDDIR@/gen.txt', inputs: ['@SRCDIR@/a.txt'], outputs: ['@BUILDDIR@/gen.txt'], category: 'compile' },
      {
        category: 'compile',
        sh: '(echo changed > @SRCDIR@/a.txt; echo changed > @BUILDDIR@/gen.txt) 2>/dev/null; cat @SRCDIR@/a.txt @BUILDDIR@/gen.txt > @BUILDDIR@/seen.txt',
        inputs: ['@SRCDIR@/a.txt', '@BUILDDIR@/gen.txt'],
        outputs: ['@BUILDDIR@/seen.txt'],
      },
    ]);
    await settle();
    const store = join(rig.root, 'store');
    const s = await build(rig.graphPath, store, join(rig.root, 'out'), { sandbox: kind, jobs: 1 });
    expect([s.executed, s.failed]).toEqual([2, 0]);
    expect(readFileSync(join(rig.srcdir, 'a.txt'), 'utf8')).toBe('original\n');
    expect(readFileSync(join(rig.root, 'out', 'gen.txt'), 'utf8')).toBe('original\n');
    expect(storeObjectsIntact(store)).toBe(true);
    // its copies may be scribbled on, but they are its own
    expect(readFileSync(join(rig.root, 'out', 'seen.txt'), 'utf8')).toBe('changed\nchanged\n');
  });

  it('a source edited while its action runs is never cached under the old bytes\' key', async () => {
    const rig = customRig({ 'a.txt': 'before\n' }, [
      { sh: 'sleep 1.5; cat @SRCDIR@/a.txt > @BUILDDIR@/out.txt', inputs: ['@SRCDIR@/a.txt'], outputs: ['@BUILDDIR@/out.txt'], category: 'compile' },
    ]);
    await settle();
    const edit = setTimeout(() => writeFileSync(join(rig.srcdir, 'a.txt'), 'after!\n'), 700);
    const s = await build(rig.graphPath, join(rig.root, 'store'), join(rig.root, 'out'), { sandbox: kind });
    clearTimeout(edit);
    // the action read a copy of the snapshot checked against the hash its key was computed from
    expect(s.failed).toBe(0);
    expect(readFileSync(join(rig.root, 'out', 'out.txt'), 'utf8')).toBe('before\n');
    // the next build sees the new bytes
    const again = await build(rig.graphPath, join(rig.root, 'store'), join(rig.root, 'out2'), { sandbox: kind });
    expect([again.executed, again.failed]).toEqual([1, 0]);
    expect(readFileSync(join(rig.root, 'out2', 'out.txt'), 'utf8')).toBe('after!\n');
  });

  it('a program built by one action runs in the next', async () => {
    const rig = customRig({}, [
      { sh: "printf '#!/bin/sh\\necho built tool ran\\n' > @BUILDDIR@/tool && chmod +x @BUILDDIR@/tool", outputs: ['@BUILDDIR@/tool'] },
      { sh: '@BUILDDIR@/tool > @BUILDDIR@/ran.txt', inputs: ['@BUILDDIR@/tool'], outputs: ['@BUILDDIR@/ran.txt'], category: 'compile' },
    ]);
    const s = await build(rig.graphPath, join(rig.root, 'store'), join(rig.root, 'out'), { sandbox: kind });
    expect([s.executed, s.failed]).toEqual([2, 0]);
    expect(readFileSync(join(rig.root, 'out', 'ran.txt'), 'utf8')).toBe('built tool ran\n');
  });

  it('sees generated inputs beside its outputs, links among them, and sources under a working directory in the source tree', async () => {
    const rig = customRig({ 'sub/in.txt': 'in\n' }, [
      { sh: 'mkdir -p @BUILDDIR@/d/objs && echo obj > @BUILDDIR@/d/objs/a.o && echo v > @BUILDDIR@/libv.so.1 && ln -s libv.so.1 @BUILDDIR@/libv.so', outputs: ['@BUILDDIR@/d/objs/a.o', '@BUILDDIR@/libv.so.1', '@BUILDDIR@/libv.so'], category: 'compile' },
      {
        category: 'link',
        sh: 'cd @SRCDIR@/sub && cat in.txt @BUILDDIR@/d/objs/a.o @BUILDDIR@/libv.so > @BUILDDIR@/d/prog && test -L @BUILDDIR@/libv.so',
        inputs: ['@SRCDIR@/sub/in.txt', '@BUILDDIR@/d/objs/a.o', '@BUILDDIR@/libv.so', '@BUILDDIR@/libv.so.1'],
        outputs: ['@BUILDDIR@/d/prog'],
      },
    ]);
    await settle();
    const s = await build(rig.graphPath, join(rig.root, 'store'), join(rig.root, 'out'), { sandbox: kind });
    expect(s.failures.map((f) => f.failure.stderr)).toEqual([]);
    expect(readFileSync(join(rig.root, 'out', 'd', 'prog'), 'utf8')).toBe('in\nobj\nv\n');
  });

  it('a custom step may move or remove what it reads (libtool\'s `mv x.o x.lo`): it has copies', async () => {
    const rig = customRig({ 'a.txt': 'data\n' }, [
      { sh: 'cp @SRCDIR@/a.txt @BUILDDIR@/a.o', inputs: ['@SRCDIR@/a.txt'], outputs: ['@BUILDDIR@/a.o'], category: 'compile' },
      { sh: 'mv @BUILDDIR@/a.o @BUILDDIR@/a.lo && rm @SRCDIR@/a.txt', inputs: ['@BUILDDIR@/a.o', '@SRCDIR@/a.txt'], outputs: ['@BUILDDIR@/a.lo'] },
    ]);
    await settle();
    const store = join(rig.root, 'store');
    const s = await build(rig.graphPath, store, join(rig.root, 'out'), { sandbox: kind });
    expect(s.failures.map((f) => f.failure.stderr)).toEqual([]);
    expect(readFileSync(join(rig.root, 'out', 'a.lo'), 'utf8')).toBe('data\n');
    expect(readFileSync(join(rig.srcdir, 'a.txt'), 'utf8')).toBe('data\n');
    expect(storeObjectsIntact(store)).toBe(true);
  });
});
