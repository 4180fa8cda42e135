// confess → migrate → build from the BUILD.dhall files: the same action keys as lowering the confessed
// graph, and outputs byte-identical to building the confessed graph directly (separate stores, so both
// builds really run).
import { describe, it, expect, beforeAll } from 'vitest';
import { readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { migrate } from '../../src/migrate/migrate.js';
import { loadDhallBuild } from '../../src/migrate/load.js';
import { lowerGraph } from '../../src/lower/lower.js';
import type { ActionsFile } from '../../src/lower/actions.js';
import { Store } from '../../src/execute/store.js';
import { buildActions } from '../../src/execute/build.js';
import { CLI, compileCli, sandboxKind } from '../execute/harness.js';
import { files } from '../execute/compare.js';
import { type Prepared, prepare } from './helpers.js';

async function buildInto(actions: ActionsFile, out: string, store: string): Promise<void> {
  const s = await Store.open(store);
  if (!s.ok) throw new Error(s.error);
  const r = await buildActions(actions, { out, store: s.value, sandbox: sandboxKind(), jobs: 2 });
  if (!r.ok) throw new Error(r.error);
  expect(r.value.failures.map((f) => `${f.identifier}: ${f.failure.message}\n${f.failure.stderr}`)).toEqual([]);
}

async function roundTrip(p: Prepared, check?: (p: Prepared, out: string) => Promise<void>): Promise<void> {
  const m = await migrate(p.confessDir, p.src);
  expect(m.ok, m.ok ? '' : m.error).toBe(true);
  const direct = await lowerGraph(p.graph, { graphPath: join(p.confessDir, 'graph.json') });
  if (!direct.ok) throw new Error(direct.error.message);
  const g = await loadDhallBuild(p.src);
  if (!g.ok) throw new Error(g.error);
  const fromDhall = await lowerGraph(g.value);
  if (!fromDhall.ok) throw new Error(fromDhall.error.message);
  expect(fromDhall.value.actions.map((a) => a.key).sort()).toEqual(direct.value.actions.map((a) => a.key).sort());

  await buildInto(direct.value, join(p.root, 'out-direct'), join(p.root, 'store-direct'));
  await buildInto(fromDhall.value, join(p.root, 'out-dhall'), join(p.root, 'store-dhall'));
  const a = await files(join(p.root, 'out-direct'), ['.continuity']);
  const b = await files(join(p.root, 'out-dhall'), ['.continuity']);
  expect(b).toEqual(a);
  expect(a.length).toBeGreaterThan(0);
  for (const f of a) expect((await readFile(join(p.root, 'out-dhall', f))).equals(await readFile(join(p.root, 'out-direct', f))), f).toBe(true);
  await check?.(p, join(p.root, 'out-dhall'));
}

/** Runs each program (cwd and library path as the project's own test runner would have them); all must pass. */
async function runAll(programs: string[], cwd: string, libdir: string): Promise<void> {
  expect(programs.length).toBeGreaterThan(0);
  for (const prog of programs) {
    const r = await execa(prog, [], { cwd, reject: false, stdin: 'ignore', env: { LD_LIBRARY_PATH: libdir }, timeout: 60_000 });
    expect(r.exitCode, `${prog}: ${r.stdout.slice(-2000)}${r.stderr.slice(-2000)}`).toBe(0);
  }
}

const executables = async (dir: string): Promise<string[]> => {
  const out: string[] = [];
  for (const f of await readdir(dir, { withFileTypes: true })) {
    if (!f.isFile() || /\.(a|so|o)$/.test(f.name)) continue;
    if (((await stat(join(dir, f.name))).mode & 0o111) !== 0) out.push(join(dir, f.name));
  }
  return out.sort();
};

/** The program exits 0 (and prints `expected`, when given) as the real build's would. */
const runs = (prog: string, expected?: string) => async (_p: Prepared, out: string): Promise<void> => {
  const r = await execa(join(out, prog), [], { reject: false, stdin: 'ignore', timeout: 60_000 });
  expect(r.exitCode, `${prog}: ${r.stdout}${r.stderr}`).toBe(0);
  if (expected !== undefined) expect(r.stdout.trim()).toBe(expected);
};

// the projects' own tests, run on what the BUILD.dhall build made
const CHECKS: Record<string, (p: Prepared, out: string) => Promise<void>> = {
  // prog checks the table its generator (built and run in the same build) wrote: sum of squares 0..7
  'make-codegen': runs('prog', '140'),
  'make-recursive': runs('app'),
  'autotools-tiny': runs('hello'),
  // cJSON's ctest runs ./<test> beside its copied inputs/; the sources' tests/ directory holds them
  cjson: async (p, out) => runAll([...(await executables(join(out, 'tests'))), join(out, 'cJSON_test')], join(p.src, 'tests'), out),
  libyaml: async (p, out) => runAll((await executables(out)).filter((t) => /test-(version|reader)$/.test(t)), join(p.src, 'tests'), out),
  // brotli's own tests: every testdata/*.compressed decompresses to its original, and files round-trip
  brotli: async (p, out) => {
    const data = join(p.src, 'tests', 'testdata');
    const compressed = (await readdir(data)).filter((f) => f.endsWith('.compressed'));
    expect(compressed.length).toBeGreaterThan(0);
    for (const c of compressed) {
      const got = join(p.root, `${c}.out`);
      await execa(join(out, 'brotli'), ['-d', '-f', '-o', got, join(data, c)]);
      expect((await readFile(got)).equals(await readFile(join(data, c.replace(/\.compressed$/, '')))), c).toBe(true);
    }
    for (const f of [join(data, 'ukkonooa'), join(p.src, 'README.md')]) {
      await execa(join(out, 'brotli'), ['-f', '-o', join(p.root, 'x.br'), f]);
      await execa(join(out, 'brotli'), ['-d', '-f', '-o', join(p.root, 'x'), join(p.root, 'x.br')]);
      expect((await readFile(join(p.root, 'x'))).equals(await readFile(f)), f).toBe(true);
    }
  },
  // zlib's `make test`: for the static, shared and 64-bit builds, `echo hello world | minigzip | minigzip -d`
  // gives the line back and `example <tmpfile>` passes; a source file also round-trips
  zlib: async (p, out) => {
    const env = { PATH: '/usr/bin:/bin', LD_LIBRARY_PATH: out };
    const input = await readFile(join(p.src, 'deflate.c'));
    for (const suffix of ['', 'sh', '64']) {
      const gz = join(out, `minigzip${suffix}`);
      for (const data of [Buffer.from('hello world\n'), input]) {
        const packed = await execa(gz, [], { input: data, env, extendEnv: false, encoding: 'buffer', stripFinalNewline: false });
        const back = await execa(gz, ['-d'], { input: Buffer.from(packed.stdout), env, extendEnv: false, encoding: 'buffer', stripFinalNewline: false });
        expect(Buffer.from(back.stdout).equals(data), `minigzip${suffix}`).toBe(true);
      }
      const r = await execa(join(out, `example${suffix}`), [join(p.root, `tmp${suffix || 'st'}`)], { cwd: p.root, env, extendEnv: false, reject: false, stdin: 'ignore' });
      expect(r.exitCode, `example${suffix}: ${r.stdout}${r.stderr}`).toBe(0);
    }
  },
  // bzip2's `make` test: sampleN.ref compressed at level N is sampleN.bz2 byte for byte, and sampleN.bz2
  // decompresses to sampleN.ref (sample3 with -s); both by the build's own steps and by running its bzip2
  bzip2: async (p, out) => {
    const env = { PATH: '/usr/bin:/bin', LD_LIBRARY_PATH: out };
    const run = async (args: string[], input: string): Promise<Buffer> =>
      Buffer.from((await execa(join(out, 'bzip2'), args, { inputFile: input, env, extendEnv: false, encoding: 'buffer', stripFinalNewline: false })).stdout);
    for (const n of [1, 2, 3]) {
      const ref = await readFile(join(p.src, `sample${n}.ref`));
      const bz2 = await readFile(join(p.src, `sample${n}.bz2`));
      expect((await readFile(join(out, `sample${n}.rb2`))).equals(bz2), `sample${n}.rb2`).toBe(true);
      expect((await readFile(join(out, `sample${n}.tst`))).equals(ref), `sample${n}.tst`).toBe(true);
      expect((await run([`-${n}`], join(p.src, `sample${n}.ref`))).equals(bz2), `bzip2 -${n} sample${n}.ref`).toBe(true);
      expect((await run([n === 3 ? '-ds' : '-d'], join(p.src, `sample${n}.bz2`))).equals(ref), `bzip2 -d sample${n}.bz2`).toBe(true);
    }
  },
};

// find-packages links faked libraries, which no build can run. zlib (./configure, then make) and bzip2 (a
// plain Makefile) build in their source trees: one tree holds sources and outputs
const BUILDABLE = ['c-static-exe', 'c-shared-pic', 'cxx-subdirs', 'custom-header', 'cuda', 'flags-and-spaces', 'cjson', 'libyaml', 'brotli', 'zlib', 'bzip2', 'make-codegen', 'make-recursive', 'autotools-tiny'];

describe.each(BUILDABLE)('build from BUILD.dhall: %s', (name) => {
  let p: Prepared;
  beforeAll(async () => {
    p = await prepare(name);
    return async () => rm(p.root, { recursive: true, force: true });
  }, 600_000);
  it(`same keys and byte-identical outputs as building the confessed graph${CHECKS[name] ? "; the project's tests pass" : ''}`, async () => roundTrip(p, CHECKS[name]), 900_000);
});

describe('continuity migrate / build (CLI)', () => {
  let p: Prepared;
  beforeAll(async () => {
    compileCli();
    p = await prepare('c-static-exe');
    return async () => rm(p.root, { recursive: true, force: true });
  }, 600_000);

  it('migrate, then build the directory of BUILD.dhall files; the program runs', async () => {
    const m = await execa('node', [CLI, 'migrate', p.confessDir, '--to', p.src], { reject: false, stdin: 'ignore' });
    expect(m.exitCode, m.stderr).toBe(0);
    expect(m.stderr).toMatch(/^continuity: wrote 2 targets in 4 files under /);
    const out = join(p.root, 'out');
    const b = await execa('node', [CLI, 'build', p.src, '--out', out, '--store', join(p.root, 'store'), '-j', '2'], { reject: false, stdin: 'ignore' });
    expect(b.exitCode, b.stderr).toBe(0);
    const run = await execa(join(out, 'hello'), [], { reject: false });
    expect(run.exitCode).toBe(0);
    expect(run.stdout.length).toBeGreaterThan(0);
    // one BUILD.dhall: its targets and the ones it needs
    const one = await execa('node', [CLI, 'build', join(p.src, 'app', 'BUILD.dhall'), '--out', join(p.root, 'out-app'), '--store', join(p.root, 'store'), '-j', '2'], { reject: false, stdin: 'ignore' });
    expect(one.exitCode, one.stderr).toBe(0);
    expect((await readFile(join(p.root, 'out-app', 'hello'))).equals(await readFile(join(out, 'hello')))).toBe(true);
  }, 300_000);

  it('a BUILD.dhall with a type error: one line naming the file, exit 2', async () => {
    const file = join(p.src, 'src', 'BUILD.dhall');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('C.Language.c', 'C.Language.fortran'));
    try {
      const b = await execa('node', [CLI, 'build', p.src, '--out', join(p.root, 'out-bad'), '--store', join(p.root, 'store')], { reject: false, stdin: 'ignore' });
      expect(b.exitCode).toBe(2);
      expect(b.stderr.trim().split('\n')).toHaveLength(1);
      expect(b.stderr).toContain(`${file}: Dhall type error: `);
      await expect(readFile(join(p.root, 'out-bad', 'hello'))).rejects.toThrow();
    } finally {
      await writeFile(file, text);
    }
  }, 120_000);

  it('bad input: one line, exit 2, nothing written', async () => {
    const to = join(p.root, 'nowhere');
    const r = await execa('node', [CLI, 'migrate', join(p.root, 'missing.json'), '--to', to], { reject: false, stdin: 'ignore' });
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toBe(`continuity: ${join(p.root, 'missing.json')}: no such file or directory`);
    await expect(readFile(join(to, 'BUILD.dhall'))).rejects.toThrow();
    const broken = join(p.root, 'broken.json');
    await execa('sh', ['-c', `printf '{"attributes":{}}' > '${broken}'`]);
    const r2 = await execa('node', [CLI, 'migrate', broken, '--to', to], { reject: false, stdin: 'ignore' });
    expect(r2.exitCode).toBe(2);
    expect(r2.stderr.trim()).toBe(`continuity: ${broken}: unsupported graph version undefined`);
  }, 60_000);
});
