// `continuity migrate` on the fixtures: golden files, every file evaluated by dhall-to-json,
// byte-identical output for the same input, typed flags and requirements where the graph has them.
import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { REPO } from '../helpers/real-cmake.js';
import { migrate } from '../../src/migrate/migrate.js';
import { dhallToJson, importOf } from '../../src/migrate/dhall.js';
import { FIXTURES, MAKE_FIXTURES, type Prepared, prepare } from './helpers.js';

// every fixture: the CMake ones and those built by make in their source tree
const ALL = [...FIXTURES, ...MAKE_FIXTURES];

const GOLDEN = join(REPO, 'test', 'golden', 'migrate');
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';

async function dhallFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name.endsWith('.dhall')) out.push(relative(dir, p));
    }
  };
  await walk(dir);
  return out.sort();
}

const prepared = new Map<string, Prepared>();
beforeAll(async () => {
  for (const f of ALL) prepared.set(f, await prepare(f));
  return async () => {
    for (const p of prepared.values()) await rm(p.root, { recursive: true, force: true });
  };
}, 300_000);

describe.each(ALL)('migrate %s', (name) => {
  it('matches the golden files; every file evaluates with dhall-to-json; same input, same bytes', async () => {
    const p = prepared.get(name) as Prepared;
    const r = await migrate(p.confessDir, p.src);
    expect(r.ok, r.ok ? '' : r.error).toBe(true);
    const files = await dhallFiles(p.src);
    expect(files).toContain('continuity/package.dhall');
    expect(files).toContain('continuity/project.dhall');
    expect(files.filter((f) => f.endsWith('BUILD.dhall')).length).toBeGreaterThan(0);

    const first = new Map<string, string>();
    for (const f of files) {
      const text = await readFile(join(p.src, f), 'utf8');
      first.set(f, text);
      expect(text).not.toContain(p.root); // no temporary (machine-specific) paths
      // the package holds types and functions: evaluate it through `render`
      const imp = importOf(join(p.src, f));
      const expr = f === 'continuity/package.dhall' ? `(${imp}).render ([] : List (${imp}).Target)` : imp;
      const v = await dhallToJson(expr, dirname(join(p.src, f)));
      expect(v.ok, v.ok ? '' : `${f}: ${v.error.message} ${v.error.location ?? ''}`).toBe(true);
      const golden = join(GOLDEN, f === 'continuity/package.dhall' ? 'package.dhall' : join(name, f));
      if (UPDATE || !existsSync(golden)) {
        await mkdir(dirname(golden), { recursive: true });
        await writeFile(golden, text);
      }
      expect(text, `${f} differs from ${relative(REPO, golden)} (UPDATE_GOLDEN=1 rewrites it)`).toBe(await readFile(golden, 'utf8'));
    }
    // a second migration of the same graph writes the same bytes
    const r2 = await migrate(join(p.confessDir, 'graph.json'), p.src);
    expect(r2.ok).toBe(true);
    for (const f of files) expect(await readFile(join(p.src, f), 'utf8'), f).toBe(first.get(f));
    // elsewhere, only the project's source root differs
    const again = join(p.root, 'again');
    expect((await migrate(p.confessDir, again)).ok).toBe(true);
    for (const f of files) if (!f.endsWith('project.dhall')) expect(await readFile(join(again, f), 'utf8'), f).toBe(first.get(f));
    expect(await readFile(join(again, 'continuity', 'project.dhall'), 'utf8')).toContain('sourceRoot = "../src"');
  }, 120_000);
});

describe('migrate: what the files say', () => {
  it('targets come from archives and links, not one per compile', async () => {
    const p = prepared.get('c-static-exe') as Prepared;
    const lib = await readFile(join(p.src, 'src', 'BUILD.dhall'), 'utf8');
    expect(lib).toContain('C.TargetKind.StaticLibrary');
    expect(lib.match(/source = C\.Path\.Src "(count|greet)\.c"/g)?.length).toBe(2);
    const app = await readFile(join(p.src, 'app', 'BUILD.dhall'), 'utf8');
    expect(app).toContain('C.TargetKind.Executable');
    expect(app).toContain('C.Path.Src "../include/greet/greet.h"');
  });

  it('opt level, PIC and CUDA arch are union values; shared flags are let-bound once', async () => {
    const flags = await readFile(join((prepared.get('flags-and-spaces') as Prepared).src, 'src', 'BUILD.dhall'), 'utf8');
    expect(flags).toContain('C.Flag.optLevel C.OptLevel.O2');
    expect(flags).toContain('C.Flag.optLevel C.OptLevel.O0');
    expect(flags).not.toMatch(/Lit "-O[0-3]"/);
    expect(flags.match(/^let flags_flags =/m)).not.toBeNull();
    const pic = await readFile(join((prepared.get('c-shared-pic') as Prepared).src, 'src', 'BUILD.dhall'), 'utf8');
    expect(pic).toContain('C.Flag.pic True');
    expect(pic).toContain('C.TargetKind.SharedLibrary');
    const cuda = await readFile(join((prepared.get('cuda') as Prepared).src, 'src', 'BUILD.dhall'), 'utf8');
    expect(cuda).toContain('C.Arg.CudaGencode C.Gpu.sm_80');
  });

  it("the confession's packages are typed requirements", async () => {
    const p = prepared.get('find-packages') as Prepared;
    const v = await dhallToJson(importOf(join(p.src, 'continuity', 'project.dhall')), p.src);
    expect(v.ok).toBe(true);
    const project = (v as { value: { requirements: { package: string; resolution: string; root?: string }[] } }).value;
    const boost = project.requirements.find((r) => r.package === 'Boost');
    expect(boost?.resolution).toBe('faked');
    expect(boost?.root).toBe('../confess/fake/Boost');
    expect(project.requirements.find((r) => r.package === 'ZLIB')?.resolution).toBe('found');
    const build = await readFile(join(p.src, 'src', 'BUILD.dhall'), 'utf8');
    expect(build).toContain('C.Path.Pkg');
  });
});

// make builds in the source tree: one tree, told apart by the graph
describe('migrate: builds in their source tree (make)', () => {
  const made = new Map<string, Prepared>();
  beforeAll(async () => {
    for (const name of ['bzip2', 'zlib']) made.set(name, await prepare(name));
    return async () => {
      for (const p of made.values()) await rm(p.root, { recursive: true, force: true });
    };
  }, 300_000);

  it('bzip2: sources are Src, what actions make is Out, the project says so; nothing copied, same bytes again', async () => {
    const p = made.get('bzip2') as Prepared;
    expect(p.graph.attributes.srcdir).toBe(p.graph.attributes.builddir);
    const r = await migrate(p.confessDir, p.src);
    expect(r.ok, r.ok ? '' : r.error).toBe(true);
    if (!r.ok) return;
    expect(r.value.files).toEqual(['BUILD.dhall', 'continuity/package.dhall', 'continuity/project.dhall']);
    const project = await readFile(join(p.src, 'continuity', 'project.dhall'), 'utf8');
    expect(project).toContain('buildTree = C.BuildTree.InSource');
    const v = await dhallToJson(importOf(join(p.src, 'continuity', 'project.dhall')), p.src);
    expect(v.ok && (v.value as { buildTree: string }).buildTree).toBe('InSource');
    const build = await readFile(join(p.src, 'BUILD.dhall'), 'utf8');
    expect(build).not.toContain(p.root);
    expect(build).toContain('source = C.Path.Src "blocksort.c"');
    expect(build).toContain('C.Path.Src "bzlib_private.h"');
    // the sample step reads the program the build made and a sample shipped with the sources
    expect(build).toMatch(/inputs =\s*\[ C\.Path\.Out "bzip2", C\.Path\.Src "sample1\.ref" \]/);
    expect(build).toContain('outputs = [ C.Path.Out "sample1.rb2" ]');
    expect(build).not.toMatch(/C\.Path\.Out "[^"]*\.(c|h|ref|bz2)"/);
    expect(build).not.toMatch(/C\.Path\.Src "[^"]*\.(o|sho|a|rb2|tst)"/);
    const evaluated = await dhallToJson(importOf(join(p.src, 'BUILD.dhall')), p.src);
    expect(evaluated.ok, evaluated.ok ? '' : evaluated.error.message).toBe(true);
    expect(existsSync(join(p.src, 'continuity', 'configured'))).toBe(false);
    const again = await migrate(p.confessDir, p.src);
    expect(again.ok).toBe(true);
    expect(await readFile(join(p.src, 'BUILD.dhall'), 'utf8')).toBe(build);
  }, 60_000);

  it("zlib: a target goes to the directory of its sources; what configure wrote is read as a source", async () => {
    const p = made.get('zlib') as Prepared;
    const r = await migrate(p.confessDir, p.src);
    expect(r.ok, r.ok ? '' : r.error).toBe(true);
    if (!r.ok) return;
    expect(r.value.files).toEqual(['BUILD.dhall', 'continuity/package.dhall', 'continuity/project.dhall', 'test/BUILD.dhall']);
    const root = await readFile(join(p.src, 'BUILD.dhall'), 'utf8');
    expect(root).toContain('source = C.Path.Src "adler32.c"');
    expect(root).toContain('object = "objs/adler32.o"');
    expect(root).toContain('C.Path.Src "zconf.h"');
    // the shared library's version script is a source; its links are steps on what the link made
    expect(root).toContain('C.Path.Src "zlib.map"');
    expect(root).toMatch(/inputs = \[ C\.Path\.Out "libz\.so\.1\.2\.13" \]/);
    const test = await readFile(join(p.src, 'test', 'BUILD.dhall'), 'utf8');
    expect(test).toContain('source = C.Path.Src "example.c"');
    expect(test).toContain('C.Path.Src "../zlib.h"');
    for (const f of ['BUILD.dhall', 'test/BUILD.dhall']) {
      const v = await dhallToJson(importOf(join(p.src, f)), dirname(join(p.src, f)));
      expect(v.ok, v.ok ? '' : `${f}: ${v.error.message}`).toBe(true);
    }
  }, 60_000);

  it('a source tree inside its build tree is refused: one line, nothing written', async () => {
    const p = made.get('bzip2') as Prepared;
    const graph = structuredClone(p.graph);
    graph.attributes.builddir = dirname(p.src);
    const path = join(p.root, 'nested.json');
    await writeFile(path, JSON.stringify(graph));
    const to = join(p.root, 'nested-out');
    const r = await migrate(path, to);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toBe(`${path}: the build tree ${p.root} holds the source tree ${p.src}: such builds cannot be migrated`);
    expect(existsSync(to)).toBe(false);
  });
});
