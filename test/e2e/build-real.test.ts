// End to end on real projects (Debian source packages): confess → hermetic build → the project's own
// tests run against the hermetically built programs, and its libraries export the same symbols as a
// real CMake + Ninja build's.
import { beforeAll, describe, expect, it } from 'vitest';
import { cp, mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { REPO, confess, realCmakeBuild } from '../helpers/real-cmake.js';
import { compileCli } from '../execute/harness.js';
import { cliBuild, ctestCommands, definedSymbols, files, libraries, linkedExecutables, sharedLibDirs, type CliBuild } from '../execute/compare.js';
import type { ActionNode, SerializedGraph } from '../../src/model/graph.js';

let work: string;
beforeAll(async () => {
  compileCli();
  work = await mkdtemp(join(tmpdir(), 'continuity-build-real-'));
  return async () => rm(work, { recursive: true, force: true });
});

async function fetchSource(name: string): Promise<string> {
  const r = await execa('bash', [join(REPO, 'scripts', 'fetch-sources.sh'), name], { stdin: 'ignore' });
  return r.stdout.trim().split('\n').pop() as string;
}

interface Built {
  src: string;
  real: string;
  conf: string;
  confBuild: string;
  out: string;
  build: CliBuild;
  libDirs: string[];
}

/** Real build, confession and hermetic build of one project, side by side. */
async function buildBoth(name: string): Promise<Built> {
  const src = await fetchSource(name);
  const real = join(work, `${name}-real`);
  const conf = join(work, `${name}-confess`);
  const out = join(work, `${name}-out`);
  await realCmakeBuild(src, real);
  const c = await confess(src, conf, [], ['--fake-packages', 'none']);
  expect(c.exitCode, c.all).toBe(0);
  const build = await cliBuild(conf, out, join(work, `${name}-store`));
  expect(build.code, build.stderr).toBe(0);
  const graph = JSON.parse(await readFile(join(conf, 'graph.json'), 'utf8')) as SerializedGraph;
  return { src, real, conf, confBuild: graph.attributes.builddir, out, build, libDirs: await sharedLibDirs(out) };
}

async function sameSymbols(b: Built): Promise<string[]> {
  const libs = await libraries(b.out, await files(b.out, ['.continuity']));
  expect(libs).toEqual(await libraries(b.real, libs));
  for (const l of libs) expect(await definedSymbols(join(b.out, l)), l).toEqual(await definedSymbols(join(b.real, l)));
  return libs;
}

/** Runs the project's CTest tests with the hermetic programs: real build paths in arguments point into --out;
 *  working directories are the confession's build tree, which holds what configuring wrote there. */
async function ctestHermetic(b: Built): Promise<number> {
  const tests = await ctestCommands(b.real);
  expect(tests.length).toBeGreaterThan(0);
  const toOut = (s: string): string => s.split(b.real).join(b.out);
  for (const t of tests) {
    const env: Record<string, string> = { PATH: '/usr/bin:/bin', LANG: 'C', LD_LIBRARY_PATH: b.libDirs.join(':') };
    const r = await execa(toOut(t.command[0] as string), t.command.slice(1).map(toOut), {
      cwd: t.cwd.split(b.real).join(b.confBuild), env, extendEnv: false, reject: false, stdin: 'ignore', all: true, timeout: 120_000,
    });
    expect(r.exitCode, `${t.name}: ${r.all}`).toBe(0);
  }
  return tests.length;
}

describe('build real projects', () => {
  it('cjson: every test program passes hermetically built; libraries export the real build\'s symbols', async () => {
    const b = await buildBoth('cjson');
    expect(b.build.executed).toBeGreaterThan(20);
    const libs = await sameSymbols(b);
    expect(libs.some((l) => /libcjson\.so/.test(l))).toBe(true);
    const n = await ctestHermetic(b);
    expect(n).toBeGreaterThanOrEqual(19);
  });

  it('bzip2 (a plain Makefile, built in its source tree): wrap → hermetic build runs its own make tests; round trip; symbols', async () => {
    const src = await fetchSource('bzip2');
    // the real build and the confession each in their own copy of the tree (make builds in place)
    const real = join(work, 'bzip2-real');
    const tree = join(work, 'bzip2-tree');
    await cp(src, real, { recursive: true });
    await cp(src, tree, { recursive: true });
    await execa('make', ['-j2'], { cwd: real, stdin: 'ignore' });
    const conf = join(work, 'bzip2-confess');
    const w = await execa('node', [join(REPO, 'bin', 'continuity.js'), 'wrap', '--out', conf, '--quiet', '--', 'make', '-j2'],
      { cwd: tree, reject: false, stdin: 'ignore', all: true });
    expect(w.exitCode, w.all).toBe(0);
    const out = join(work, 'bzip2-out');
    const build = await cliBuild(conf, out, join(work, 'bzip2-store'));
    expect(build.code, build.stderr).toBe(0);
    // bzip2's `make` compresses and decompresses its three samples with the program it just built, and
    // compares them with the expected files (custom steps that ran in the sandbox): their results are here
    for (const n of [1, 2, 3]) {
      expect((await readFile(join(out, `sample${n}.rb2`))).equals(await readFile(join(src, `sample${n}.bz2`))), `sample${n}.rb2`).toBe(true);
      expect((await readFile(join(out, `sample${n}.tst`))).equals(await readFile(join(src, `sample${n}.ref`))), `sample${n}.tst`).toBe(true);
    }
    const input = await readFile(join(src, 'bzlib.c'));
    const packed = await execa(join(out, 'bzip2'), ['-9'], { input, encoding: 'buffer', stripFinalNewline: false });
    const realPacked = await execa(join(real, 'bzip2'), ['-9'], { input, encoding: 'buffer', stripFinalNewline: false });
    expect(Buffer.from(packed.stdout).equals(Buffer.from(realPacked.stdout))).toBe(true);
    const back = await execa(join(out, 'bzip2'), ['-d'], { input: Buffer.from(packed.stdout), encoding: 'buffer', stripFinalNewline: false });
    expect(Buffer.from(back.stdout).equals(input)).toBe(true);
    expect(await definedSymbols(join(out, 'libbz2.a'))).toEqual(await definedSymbols(join(real, 'libbz2.a')));
  });

  it('zlib (./configure, then its Makefile in the source tree): wrap → hermetic build; `make test`\'s programs pass; symbols', async () => {
    const src = await fetchSource('zlib');
    const real = join(work, 'zlib-real');
    const tree = join(work, 'zlib-tree');
    await cp(src, real, { recursive: true });
    await cp(src, tree, { recursive: true });
    await execa('sh', ['-c', './configure && make -j2'], { cwd: real, stdin: 'ignore' });
    await execa('./configure', [], { cwd: tree, stdin: 'ignore' });
    const conf = join(work, 'zlib-confess');
    const w = await execa('node', [join(REPO, 'bin', 'continuity.js'), 'wrap', '--out', conf, '--quiet', '--', 'make', '-j2'],
      { cwd: tree, reject: false, stdin: 'ignore', all: true });
    expect(w.exitCode, w.all).toBe(0);
    const out = join(work, 'zlib-out');
    const build = await cliBuild(conf, out, join(work, 'zlib-store'));
    expect(build.code, build.stderr).toBe(0);
    // what zlib's `make test` runs: example, minigzip round trips, and the shared-library builds of both
    const env = { PATH: '/usr/bin:/bin', LD_LIBRARY_PATH: out };
    for (const prog of ['example', 'examplesh', 'example64']) {
      const r = await execa(join(out, prog), [], { cwd: out, env, extendEnv: false, reject: false });
      expect(r.exitCode, `${prog}: ${r.stdout}${r.stderr}`).toBe(0);
    }
    const input = await readFile(join(src, 'deflate.c'));
    for (const prog of ['minigzip', 'minigzipsh', 'minigzip64']) {
      const packed = await execa(join(out, prog), [], { input, env, extendEnv: false, encoding: 'buffer', stripFinalNewline: false });
      const back = await execa(join(out, prog), ['-d'], { input: Buffer.from(packed.stdout), env, extendEnv: false, encoding: 'buffer', stripFinalNewline: false });
      expect(Buffer.from(back.stdout).equals(input), prog).toBe(true);
    }
    for (const lib of ['libz.a', 'libz.so.1.2.13']) expect(await definedSymbols(join(out, lib)), lib).toEqual(await definedSymbols(join(real, lib)));
  });

  it('brotli: its round-trip tests pass with the hermetic brotli, which compresses byte for byte like the real one', async () => {
    const b = await buildBoth('brotli');
    const libs = await sameSymbols(b);
    expect(libs).toEqual(expect.arrayContaining([expect.stringMatching(/libbrotlienc\.so/), expect.stringMatching(/libbrotlidec\.so/)]));
    expect(await ctestHermetic(b)).toBeGreaterThan(0);

    const env = { PATH: '/usr/bin:/bin', LD_LIBRARY_PATH: b.libDirs.join(':') };
    const input = join(work, 'brotli-input');
    await writeFile(input, Buffer.concat([await readFile(join(b.src, 'c', 'enc', 'encode.c')), await readFile(join(b.src, 'c', 'dec', 'decode.c'))]));
    const herm = join(work, 'brotli-input.herm.br');
    const realBr = join(work, 'brotli-input.real.br');
    await execa(join(b.out, 'brotli'), ['-q', '11', '-f', '-o', herm, input], { env, extendEnv: false });
    await execa(join(b.real, 'brotli'), ['-q', '11', '-f', '-o', realBr, input]);
    expect((await readFile(herm)).equals(await readFile(realBr))).toBe(true);
    const back = join(work, 'brotli-input.back');
    await execa(join(b.out, 'brotli'), ['-d', '-f', '-o', back, herm], { env, extendEnv: false });
    expect((await readFile(back)).equals(await readFile(input))).toBe(true);
  });

  it('libyaml (autotools + libtool): what `make check` builds, built hermetically; its test programs pass; symbols', async () => {
    const src = await fetchSource('libyaml');
    const real = join(work, 'libyaml-real');
    const tree = join(work, 'libyaml-tree');
    await cp(src, real, { recursive: true });
    await cp(src, tree, { recursive: true });
    // the real build, in its tree; `make check` runs libyaml's own tests with it
    await execa('sh', ['-c', 'autoreconf -fi && ./configure && make -j2 && make -j2 check'], { cwd: real, stdin: 'ignore' });
    const conf = join(work, 'libyaml-confess');
    const c = await execa('node', [join(REPO, 'bin', 'continuity.js'), 'confess', 'autotools', tree, '--out', conf, '--check', '-j', '2', '--quiet'],
      { reject: false, stdin: 'ignore', all: true });
    expect(c.exitCode, c.all).toBe(0);
    const graph = JSON.parse(await readFile(join(conf, 'graph.json'), 'utf8')) as SerializedGraph;
    const acts = graph.nodes.flatMap((n) => (n.attributes.type === 'action' ? [n.attributes as ActionNode] : []));
    // libtool's lines are not run again: their compiles and links are in the graph, what libtool wrote is a custom step
    const customs = acts.filter((a) => a.category === 'custom');
    expect(customs.length).toBeGreaterThan(0);
    for (const a of customs) {
      expect(a.rule ?? '', a.args[2]).toMatch(/^libtool --mode=(compile|link)$/);
      expect(a.args[2]).not.toMatch(/libtool\s+--/);
    }

    const out = join(work, 'libyaml-out');
    const store = join(work, 'libyaml-store');
    const build = await cliBuild(conf, out, store);
    expect(build.code, build.stderr).toBe(0);
    expect(build.executed).toBe(acts.length);

    // the programs the confessed graph links: libyaml's check programs and its run-*/example-* programs
    const programs = linkedExecutables(graph).map((p) => p.replace(/^tests\/\.libs\//, ''));
    expect(programs).toEqual(expect.arrayContaining(['test-version', 'test-reader', 'run-scanner', 'run-parser', 'run-loader', 'run-emitter', 'run-dumper']));
    const env = { PATH: '/usr/bin:/bin', LANG: 'C', LD_LIBRARY_PATH: join(out, 'src', '.libs') };
    const herm = (p: string): string => join(out, 'tests', '.libs', p);
    // `make check`'s tests
    for (const t of ['test-version', 'test-reader']) {
      const r = await execa(herm(t), [], { cwd: join(out, 'tests'), env, extendEnv: false, reject: false, stdin: 'ignore', all: true });
      expect(r.exitCode, `${t}: ${r.all}`).toBe(0);
    }
    // the run-* programs on libyaml's examples print what the real build's print
    const inputs = (await files(join(src, 'examples'))).filter((f) => f.endsWith('.yaml')).map((f) => join(src, 'examples', f));
    expect(inputs.length).toBeGreaterThan(3);
    for (const p of ['run-scanner', 'run-parser', 'run-loader', 'run-emitter', 'run-dumper']) {
      const h = await execa(herm(p), inputs, { env, extendEnv: false, reject: false, stdin: 'ignore', all: true });
      const r = await execa(join(real, 'tests', p), inputs, { reject: false, stdin: 'ignore', all: true });
      expect(h.exitCode, `${p}: ${h.all}`).toBe(0);
      expect(h.all, p).toBe(r.all);
      expect(h.all).not.toMatch(/FAILURE/);
    }
    // the test-suite event format, there and back; the reformatters over stdin
    for (const f of inputs) {
      const events = await execa(herm('run-parser-test-suite'), [f], { env, extendEnv: false });
      expect(events.stdout).toBe((await execa(join(real, 'tests', 'run-parser-test-suite'), [f])).stdout);
      const again = await execa(herm('run-emitter-test-suite'), [], { input: events.stdout + '\n', env, extendEnv: false, reject: false });
      const realAgain = await execa(join(real, 'tests', 'run-emitter-test-suite'), [], { input: events.stdout + '\n', reject: false });
      expect([again.exitCode, again.stdout], f).toEqual([realAgain.exitCode, realAgain.stdout]);
      for (const p of ['example-reformatter', 'example-deconstructor']) {
        const text = await readFile(f);
        const h = await execa(herm(p), [], { input: text, env, extendEnv: false, reject: false });
        const r = await execa(join(real, 'tests', p), [], { input: text, reject: false });
        expect([h.exitCode, h.stdout], `${p} < ${f}`).toEqual([r.exitCode, r.stdout]);
      }
    }
    // libtool's own files are there as libtool wrote them: the .so symlinks the programs were linked and run through
    expect(await readlink(join(out, 'src', '.libs', 'libyaml.so'))).toBe(await readlink(join(real, 'src', '.libs', 'libyaml.so')));
    expect(await readlink(join(out, 'src', '.libs', 'libyaml-0.so.2'))).toBe(await readlink(join(real, 'src', '.libs', 'libyaml-0.so.2')));
    expect(await readFile(join(out, 'src', 'api.lo'), 'utf8')).toBe(await readFile(join(real, 'src', 'api.lo'), 'utf8'));

    const libs = await libraries(out, await files(out, ['.continuity']));
    expect(libs).toEqual(['src/.libs/libyaml-0.so.2.0.9', 'src/.libs/libyaml.a']);
    expect(libs).toEqual(await libraries(real, libs));
    for (const l of libs) expect(await definedSymbols(join(out, l)), l).toEqual(await definedSymbols(join(real, l)));

    // nothing changed: the second build runs nothing
    const again = await cliBuild(conf, out, store);
    expect(again.code, again.stderr).toBe(0);
    expect([again.executed, again.cached]).toEqual([0, acts.length]);
  });
});
