// Sanity test for the hand-written fixture projects: each one configures and builds for real with
// CMake + Ninja, and its programs print what they should. Confession tests build on these fixtures,
// so a failure here means the fixture is broken, not the pipeline.
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const fixturesDir = join(repo, 'fixtures');

function which(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}

const haveCmake = which('cmake') && which('ninja');
const haveNvcc = which('nvcc');

// A plain environment: no shim mode leaks in from a surrounding run.
const env: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !k.startsWith('CONTINUITY_')),
);

interface Program {
  /** Path relative to the build directory. */
  path: string;
  args?: string[];
  /** Every pattern must match stdout. */
  expect: RegExp[];
}

interface Fixture {
  name: string;
  programs: Program[];
  /** Extra checks on the build directory. */
  check?: (build: string) => void;
  needsNvcc?: boolean;
}

const fixtures: Fixture[] = [
  {
    name: 'c-static-exe',
    programs: [
      { path: 'hello', expect: [/^hello, continuity! \(4 vowels\)$/m] },
      { path: 'hello', args: ['make'], expect: [/^hello, make! \(2 vowels\)$/m] },
    ],
    check: (build) => expect(existsSync(join(build, 'libgreet.a'))).toBe(true),
  },
  {
    name: 'c-shared-pic',
    programs: [{ path: 'area', expect: [/^libshape 1\.2\.3: area 6x7 = 42$/m] }],
    check: (build) => {
      expect(lstatSync(join(build, 'libshape.so')).isSymbolicLink()).toBe(true);
      expect(lstatSync(join(build, 'libshape.so.1')).isSymbolicLink()).toBe(true);
      expect(lstatSync(join(build, 'libshape.so.1.2.3')).isFile()).toBe(true);
    },
  },
  {
    name: 'cxx-subdirs',
    programs: [{ path: 'app/wordstats', expect: [/^words=5 longest=eventually limit=16$/m] }],
    check: (build) => {
      expect(existsSync(join(build, 'lib/a/liba.a'))).toBe(true);
      expect(existsSync(join(build, 'lib/b/libb.a'))).toBe(true);
    },
  },
  {
    name: 'find-packages',
    programs: [
      {
        path: 'pkgdemo',
        expect: [
          /^zlib 1\.[\d.]+: 66 -> \d+ bytes, round trip ok$/m,
          /^thread: sum 1\.\.100 = 5050$/m,
          // Boost is absent on the test machines, so its source is skipped.
          /^boost: (not used|filename of .* is boost_part\.cpp)$/m,
        ],
      },
    ],
  },
  {
    name: 'custom-header',
    programs: [{ path: 'show_value', expect: [/^GENERATED_VALUE = 42$/m] }],
    check: (build) =>
      expect(readFileSync(join(build, 'generated/value.h'), 'utf8')).toContain(
        '#define GENERATED_VALUE 42',
      ),
  },
  {
    name: 'cuda',
    needsNvcc: true,
    // Without CONTINUITY_RUN_CUDA=1 the program launches no kernel, so it runs without a GPU.
    programs: [
      {
        path: 'cuda_host',
        expect: [/^cuda fixture built for sm_80$/m, /^kernel not launched/m],
      },
    ],
    check: (build) => expect(existsSync(join(build, 'libsaxpy.a'))).toBe(true),
  },
  {
    name: 'flags-and-spaces',
    programs: [
      {
        path: 'flags',
        expect: [
          /^global mode 7$/m,
          /^fast: 42 optimized=1$/m,
          /^slow path: 70 optimized=0$/m,
          /^thing with space optimized=1$/m,
        ],
      },
    ],
    check: (build) => {
      const db = JSON.parse(readFileSync(join(build, 'compile_commands.json'), 'utf8')) as Array<{
        file: string;
      }>;
      expect(db.some((e) => e.file.endsWith('src/with space/thing.c'))).toBe(true);
    },
  },
];

const buildRoot = mkdtempSync(join(tmpdir(), 'continuity-fixtures-'));
afterAll(() => rmSync(buildRoot, { recursive: true, force: true }));

function run(cmd: string, args: string[], cwd?: string) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return r;
}

function mustRun(cmd: string, args: string[]): void {
  const r = run(cmd, args);
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  }
}

describe('fixtures', () => {
  test('every CMake fixture directory is covered here and documents itself', () => {
    // make-* and autotools-* fixtures are covered by the wrap and autotools tests
    const dirs = readdirSync(fixturesDir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(fixturesDir, d.name, 'CMakeLists.txt')))
      .map((d) => d.name)
      .sort();
    expect(dirs).toEqual(fixtures.map((f) => f.name).sort());
    for (const name of dirs) {
      const lists = readFileSync(join(fixturesDir, name, 'CMakeLists.txt'), 'utf8');
      expect(lists.split('\n')[0]).toMatch(/^# README: \S/);
      expect(lists).toMatch(/cmake_minimum_required\(VERSION 3\.16\)/);
    }
  });

  for (const fx of fixtures) {
    const skip = !haveCmake || (fx.needsNvcc === true && !haveNvcc);
    const title =
      fx.name === 'cuda'
        ? 'cuda: nvcc builds it; the program runs without launching a kernel (launching needs a GPU)'
        : `${fx.name}: configures, builds and runs`;
    test.skipIf(skip)(title, () => {
      const src = join(fixturesDir, fx.name);
      const build = join(buildRoot, fx.name);
      mustRun('cmake', [
        '-S',
        src,
        '-B',
        build,
        '-G',
        'Ninja',
        '-DCMAKE_EXPORT_COMPILE_COMMANDS=ON',
      ]);
      mustRun('cmake', ['--build', build]);
      fx.check?.(build);
      for (const p of fx.programs) {
        const r = run(join(build, p.path), p.args ?? [], build);
        expect(r.status, `${p.path} stderr: ${r.stderr}`).toBe(0);
        for (const re of p.expect) expect(r.stdout).toMatch(re);
      }
      // A second build has nothing to do: the generated header and all outputs are up to date.
      const again = run('ninja', ['-C', build, '-n']);
      expect(again.stdout).toMatch(/no work to do/);
    });
  }
});
