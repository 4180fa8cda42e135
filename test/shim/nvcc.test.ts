import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ShimSet } from '../../src/shim/generate.js';
import { REAL_PATH, isElf, makeShims, readSpool, readToken, run, runReal, tempDir, write } from './helpers.js';

let set: ShimSet;
beforeAll(async () => {
  set = await makeShims();
});

const FILES = {
  'k.cu': '#include "k.cuh"\n__global__ void k(int *a) { a[0] = K; }\nint launch(int *a) { k<<<1, 1>>>(a); return 0; }\n',
  'inc/k.cuh': '#define K 3\n',
  'obj/.keep': '',
};

const HAS_NVCC = REAL_PATH.split(':').some((d) => existsSync(path.join(d, 'nvcc')));

describe.runIf(HAS_NVCC)('nvcc', () => {
  it('confess: a token, deps with the header, and the depfile nvcc -MD writes', async () => {
    const dir = await tempDir('nvcc');
    await write(dir, FILES);
    const args = ['-c', 'k.cu', '-Iinc', '-O2', '-std=c++17', '-arch=sm_80', '-Xcompiler', '-fPIC', '-o', 'obj/k.cu.o', '-MD'];
    const real = await runReal(dir, 'nvcc', args);
    expect(real.exitCode, real.stderr).toBe(0);
    const expected = await fs.readFile(path.join(dir, 'obj/k.cu.d'), 'utf8');
    await fs.rm(path.join(dir, 'obj/k.cu.d'));
    const r = await run(set, dir, 'confess', 'nvcc', args);
    expect(r.exitCode, r.stderr).toBe(0);
    const tok = await readToken(path.join(dir, 'obj/k.cu.o'));
    expect(tok?.kind).toBe('object');
    expect(await fs.readFile(path.join(dir, 'obj/k.cu.d'), 'utf8')).toBe(expected);
    const [rep] = await readSpool(path.join(dir, 'spool.jsonl'));
    expect(rep!.kind).toBe('nvcc');
    expect(rep!.role).toBe('compile');
    expect(rep!.deps[0]).toBe(path.join(dir, 'k.cu'));
    expect(rep!.deps).toContain(path.join(dir, 'inc/k.cuh'));
    expect(rep!.deps.some((d) => d.endsWith('/cuda_runtime.h') && !d.includes('/../'))).toBe(true);
    expect(rep!.outputs).toEqual([{ path: path.join(dir, 'obj/k.cu.o'), token: tok!.id }]);

    // nvcc links the token like any other
    const l = await run(set, dir, 'confess', 'nvcc', ['obj/k.cu.o', '-o', 'app']);
    expect(l.exitCode, l.stderr).toBe(0);
    expect((await readToken(path.join(dir, 'app')))!.deps).toEqual([tok!.id]);
  });

  it('observe: a real object and the same deps; nvcc\'s own gcc calls are not recorded', async () => {
    const dir = await tempDir('nvcc-obs');
    await write(dir, FILES);
    const r = await run(set, dir, 'observe', 'nvcc', ['-c', 'k.cu', '-Iinc', '-o', 'obj/k.o']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await isElf(path.join(dir, 'obj/k.o'))).toBe(true);
    const c = await run(set, dir, 'confess', 'nvcc', ['-c', 'k.cu', '-Iinc', '-o', 'obj/k2.o']);
    expect(c.exitCode, c.stderr).toBe(0);
    const reps = await readSpool(path.join(dir, 'spool.jsonl'));
    expect(reps.map((x) => `${x.tool}:${x.mode}`)).toEqual(['nvcc:observe', 'nvcc:confess']);
    expect(reps[0]!.deps).toEqual(reps[1]!.deps);
    expect((await fs.readdir(path.join(dir, 'obj'))).sort()).toEqual(['.keep', 'k.o', 'k2.o']);
  });
});
