// End to end: confess each fixture, build the graph hermetically (bubblewrap, two empty stores), and
// compare with a real CMake + Ninja build of the same source: programs print the same and exit the
// same, libraries export the same symbols, and the two hermetic builds are byte-identical.
import { beforeAll, describe, expect, it } from 'vitest';
import { cp, mkdtemp, readFile, rm, appendFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { REPO, confess, realCmakeBuild } from '../helpers/real-cmake.js';
import { compileCli } from '../execute/harness.js';
import {
  cliBuild, definedSymbols, dependentsOf, files, libraries, linkedExecutables, runProgram, sharedLibDirs,
} from '../execute/compare.js';
import type { SerializedGraph } from '../../src/model/graph.js';

const haveNvcc = spawnSync('sh', ['-c', 'command -v nvcc'], { stdio: 'ignore' }).status === 0;

/** Extra runs beyond running every linked program without arguments. */
const EXTRA_ARGS: Record<string, string[][]> = { 'c-static-exe': [['make']] };
const FIXTURES = ['c-static-exe', 'c-shared-pic', 'cxx-subdirs', 'find-packages', 'custom-header', 'cuda', 'flags-and-spaces'];

let work: string;
beforeAll(async () => {
  compileCli();
  work = await mkdtemp(join(tmpdir(), 'continuity-build-e2e-'));
  return async () => rm(work, { recursive: true, force: true });
});

async function readGraph(dir: string): Promise<SerializedGraph> {
  return JSON.parse(await readFile(join(dir, 'graph.json'), 'utf8')) as SerializedGraph;
}

describe.each(FIXTURES)('build fixture %s', (name) => {
  it.skipIf(name === 'cuda' && !haveNvcc)('builds hermetically like the real build: same program output, same exported symbols, identical bytes from two empty stores', async () => {
    const src = join(REPO, 'fixtures', name);
    const real = join(work, `${name}-real`);
    const conf = join(work, `${name}-confess`);
    await realCmakeBuild(src, real);
    const c = await confess(src, conf, [], ['--fake-packages', 'none']);
    expect(c.exitCode, c.all).toBe(0);

    const a = await cliBuild(conf, join(work, `${name}-out-a`), join(work, `${name}-store-a`));
    expect(a.code, a.stderr).toBe(0);
    const b = await cliBuild(join(conf, 'graph.json'), join(work, `${name}-out-b`), join(work, `${name}-store-b`));
    expect(b.code, b.stderr).toBe(0);
    expect(a.record).not.toBeNull();
    expect(a.executed).toBe(a.record?.actions.length);
    expect(b.executed).toBe(a.executed);

    // reproducible: every materialized file has the same bytes
    const outA = join(work, `${name}-out-a`);
    const outB = join(work, `${name}-out-b`);
    const built = await files(outA, ['.continuity']);
    expect(built.length).toBeGreaterThan(0);
    expect(await files(outB, ['.continuity'])).toEqual(built);
    for (const f of built) {
      expect((await readFile(join(outB, f))).equals(await readFile(join(outA, f))), `${f} is byte-identical`).toBe(true);
    }
    expect(b.record?.outputs).toEqual(a.record?.outputs);

    // programs: same stdout and exit status as the real build's
    const graph = await readGraph(conf);
    const programs = linkedExecutables(graph);
    expect(programs.length).toBeGreaterThan(0);
    const libDirs = await sharedLibDirs(outA);
    for (const p of programs) {
      for (const args of [[], ...(EXTRA_ARGS[name] ?? [])]) {
        const want = await runProgram(join(real, p), args, real);
        const got = await runProgram(join(outA, p), args, outA, libDirs);
        expect(want.code, `${p} ${args.join(' ')} (real build) ${want.stderr}`).toBe(0);
        expect({ code: got.code, stdout: got.stdout }, `${p} ${args.join(' ')}: ${got.stderr}`).toEqual({ code: want.code, stdout: want.stdout });
      }
    }

    // libraries: the same defined symbols
    const libs = await libraries(outA, built);
    expect(libs).toEqual(await libraries(real, libs));
    for (const l of libs) expect(await definedSymbols(join(outA, l)), l).toEqual(await definedSymbols(join(real, l)));
  });
});

describe('build fixture c-static-exe: caching', () => {
  it('a second build executes nothing; touching one source reruns only the actions that depend on it', async () => {
    const src = join(work, 'cache-src');
    await cp(join(REPO, 'fixtures', 'c-static-exe'), src, { recursive: true });
    const conf = join(work, 'cache-confess');
    const c = await confess(src, conf, [], ['--fake-packages', 'none']);
    expect(c.exitCode, c.all).toBe(0);
    const store = join(work, 'cache-store');
    const out = join(work, 'cache-out');

    const first = await cliBuild(conf, out, store);
    expect(first.code, first.stderr).toBe(0);
    const total = first.record?.actions.length ?? 0;
    expect(first.executed).toBe(total);

    const again = await cliBuild(conf, out, store);
    expect([again.code, again.executed, again.cached]).toEqual([0, 0, total]);
    expect(again.record?.actions.every((x) => x.cached)).toBe(true);

    const graph = await readGraph(conf);
    const touched = join(src, 'src', 'count.c');
    await appendFile(touched, '\nint continuity_touched(void) { return 1; }\n');
    const want = dependentsOf(graph, touched);
    expect(want.length).toBeGreaterThan(0);
    expect(want.length).toBeLessThan(total);
    const third = await cliBuild(conf, out, store);
    expect(third.code, third.stderr).toBe(0);
    expect(third.executed).toBe(want.length);
    expect(third.cached).toBe(total - want.length);
    expect(third.record?.actions.filter((x) => !x.cached).map((x) => x.identifier).sort()).toEqual(want);
    const syms = await definedSymbols(join(out, 'libgreet.a'));
    expect(syms).toContain('T continuity_touched');
  });

  it('coset: a confession that differs only in warning and colour flags is served from the first one\'s cache, byte for byte', async () => {
    const src = join(REPO, 'fixtures', 'c-static-exe');
    const plain = join(work, 'coset-plain');
    const noisy = join(work, 'coset-noisy');
    expect((await confess(src, plain, [], ['--fake-packages', 'none'])).exitCode).toBe(0);
    const flags = '-Wall -Wextra -Wshadow -fdiagnostics-color=always';
    expect((await confess(src, noisy, [`-DCMAKE_C_FLAGS=${flags}`], ['--fake-packages', 'none'])).exitCode).toBe(0);
    const noisyGraph = await readFile(join(noisy, 'graph.json'), 'utf8');
    expect(noisyGraph).toContain('-Wshadow');

    const store = join(work, 'coset-store');
    const a = await cliBuild(plain, join(work, 'coset-out-a'), store);
    expect(a.code, a.stderr).toBe(0);
    const b = await cliBuild(noisy, join(work, 'coset-out-b'), store);
    expect(b.code, b.stderr).toBe(0);
    expect(a.executed).toBeGreaterThan(0);
    expect([b.executed, b.cached]).toEqual([0, a.executed]);
    for (const f of await files(join(work, 'coset-out-a'), ['.continuity'])) {
      expect((await readFile(join(work, 'coset-out-b', f))).equals(await readFile(join(work, 'coset-out-a', f))), f).toBe(true);
    }
  });

  it('refuses a graph that links a package faked while confessing, naming the file', async () => {
    const conf = join(work, 'faked-confess');
    const c = await confess(join(REPO, 'fixtures', 'find-packages'), conf, [], ['--fake-packages', 'all']);
    expect(c.exitCode, c.all).toBe(0);
    const r = await cliBuild(conf, join(work, 'faked-out'), join(work, 'faked-store'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^continuity: action action:\d+ \(\S+\) reads \S+\/fake\/\S+, a stand-in for a package this machine lacks/m);
    expect(existsSync(join(work, 'faked-out'))).toBe(false);
  });
});
