// scripts/synth.mjs: the synthetic legacy project builds for real (CMake + Ninja, and recursive Make),
// its programs run, the same N and seed give the same bytes, and its confession has exactly N compiles.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { execa } from 'execa';
import { REPO, confess } from '../helpers/real-cmake.js';
import type { SerializedGraph } from '../../src/model/graph.js';

const SYNTH = join(REPO, 'scripts', 'synth.mjs');
const N = 100;

interface Summary { tus: number; libraries: number; programs: number; headers: number; cxx: number; flavour: string; out: string }

async function synth(out: string, flavour: 'cmake' | 'make', seed = 1, tus = N): Promise<Summary> {
  const r = await execa('node', [SYNTH, '--tus', String(tus), '--seed', String(seed), '--flavour', flavour, '--out', out]);
  return JSON.parse(r.stdout) as Summary;
}

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(relative(dir, join(e.parentPath, e.name)));
  }
  return out.sort();
}

async function treeHash(dir: string): Promise<string> {
  const h = createHash('sha256');
  for (const f of await files(dir)) h.update(`${f}\0${await readFile(join(dir, f), 'utf8')}\0`);
  return h.digest('hex');
}

/** Translation units of a generated tree: every .c and .cpp file. */
const tusOf = async (dir: string): Promise<string[]> => (await files(dir)).filter((f) => /\.(c|cpp)$/.test(f));
const programsOf = async (dir: string): Promise<string[]> => (await readdir(join(dir, 'apps'))).sort();

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'continuity-synth-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('synth.mjs', () => {
  it('is deterministic for a given N and seed, and shares sources between flavours', async () => {
    const a = await synth(join(work, 'det-a'), 'cmake', 7, 300);
    const b = await synth(join(work, 'det-b'), 'cmake', 7, 300);
    const c = await synth(join(work, 'det-c'), 'cmake', 8, 300);
    const m = await synth(join(work, 'det-m'), 'make', 7, 300);
    expect(await treeHash(a.out)).toBe(await treeHash(b.out));
    expect(await treeHash(a.out)).not.toBe(await treeHash(c.out));
    expect(await tusOf(a.out)).toHaveLength(300);
    expect(await tusOf(m.out)).toEqual(await tusOf(a.out));
    for (const f of await tusOf(a.out)) {
      expect(await readFile(join(m.out, f), 'utf8')).toBe(await readFile(join(a.out, f), 'utf8'));
    }
    // Shared headers: one config header used everywhere, cross-library includes present.
    expect(a.libraries).toBeGreaterThan(3);
    expect(a.cxx).toBeGreaterThan(0);
    const tus = await tusOf(a.out);
    const texts = await Promise.all(tus.map((f) => readFile(join(a.out, f), 'utf8')));
    expect(texts.filter((t) => t.includes('<synth/config.h>') || t.includes('.h"')).length).toBe(tus.length);
    const libHeaders = (await files(a.out)).filter((f) => /^libs\/mod\d+\/include\//.test(f));
    const cross = await Promise.all(libHeaders.map(async (f) => /#include <mod\d+\/mod\d+\.h>/.test(await readFile(join(a.out, f), 'utf8'))));
    expect(cross.filter(Boolean).length).toBeGreaterThan(0);
  });

  it('refuses bad input with one line and writes nothing', async () => {
    const out = join(work, 'bad');
    const r = await execa('node', [SYNTH, '--tus', 'many', '--out', out], { reject: false });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe('synth: --tus takes an integer from 10 to 100000');
    const f = await execa('node', [SYNTH, '--tus', '100', '--flavour', 'scons', '--out', out], { reject: false });
    expect(f.exitCode).toBe(2);
    expect(f.stderr).toMatch(/^synth: --flavour must be cmake or make/);
    await expect(readdir(out)).rejects.toThrow();
  });

  it(`builds with make at N=${N} and its programs run`, async () => {
    const s = await synth(join(work, 'make'), 'make');
    await execa('make', ['-j2', '-s'], { cwd: s.out, stdin: 'ignore' });
    const progs = await programsOf(s.out);
    expect(progs).toHaveLength(s.programs);
    for (const p of progs) {
      const r = await execa(join(s.out, 'apps', p, p));
      expect(r.stdout).toMatch(new RegExp(`^${p} \\d+$`));
    }
    const objects = (await files(s.out)).filter((f) => f.endsWith('.o'));
    expect(objects).toHaveLength(N);
  });

  it(`builds with cmake+ninja at N=${N}, and its confession has exactly N compile actions`, async () => {
    const s = await synth(join(work, 'cmake'), 'cmake');
    const build = join(work, 'cmake-build');
    await execa('cmake', ['-S', s.out, '-B', build, '-G', 'Ninja'], { stdin: 'ignore' });
    await execa('ninja', ['-C', build], { stdin: 'ignore' });
    const outputs: string[] = [];
    for (const p of await programsOf(s.out)) {
      const r = await execa(join(build, 'apps', p, p));
      outputs.push(r.stdout);
      expect(r.stdout).toMatch(new RegExp(`^${p} \\d+$`));
    }
    // Same sources, same answers as the Make flavour's programs.
    const m = join(work, 'make');
    for (const p of await programsOf(s.out)) {
      const r = await execa(join(m, 'apps', p, p));
      expect(outputs).toContain(r.stdout);
    }

    const out = join(work, 'confess');
    const c = await confess(s.out, out);
    expect(c.exitCode, c.all).toBe(0);
    const graph = JSON.parse(await readFile(join(out, 'graph.json'), 'utf8')) as SerializedGraph;
    const compiles = graph.nodes.filter((n) => n.attributes.type === 'action' && n.attributes.category === 'compile');
    expect(compiles).toHaveLength(N);
    const links = graph.nodes.filter((n) => n.attributes.type === 'action' && n.attributes.category === 'link');
    expect(links).toHaveLength(s.programs);
  });
});
