// BUILD.dhall → graph: the round trip confess → migrate → load gives back the confessed graph (same
// actions, arguments modulo where the trees are, inputs, headers, outputs); bad files are named.
import { describe, it, expect, beforeAll } from 'vitest';
import { readFile, rm, writeFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { migrate } from '../../src/migrate/migrate.js';
import { loadDhallBuild } from '../../src/migrate/load.js';
import { lowerGraph } from '../../src/lower/lower.js';
import { FIXTURES, type Prepared, comparable, prepare } from './helpers.js';

const prepared = new Map<string, Prepared>();
beforeAll(async () => {
  for (const f of FIXTURES) {
    const p = await prepare(f);
    const m = await migrate(p.confessDir, p.src);
    if (!m.ok) throw new Error(m.error);
    prepared.set(f, p);
  }
  return async () => {
    for (const p of prepared.values()) await rm(p.root, { recursive: true, force: true });
  };
}, 300_000);

describe.each(FIXTURES)('load %s', (name) => {
  it('gives back the confessed graph, and it lowers', async () => {
    const p = prepared.get(name) as Prepared;
    const r = await loadDhallBuild(p.src);
    expect(r.ok, r.ok ? '' : r.error).toBe(true);
    if (!r.ok) return;
    const want = comparable(p.graph);
    const got = comparable(r.value);
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [k, a] of want) expect(got.get(k), k).toEqual(a);
    if (name !== 'find-packages') {
      const l = await lowerGraph(r.value);
      expect(l.ok, l.ok ? '' : l.error.message).toBe(true);
    }
  }, 60_000);
});

describe('load: one BUILD.dhall brings the targets it needs', () => {
  it('app/BUILD.dhall of c-static-exe pulls in the library from src/', async () => {
    const p = prepared.get('c-static-exe') as Prepared;
    const r = await loadDhallBuild(join(p.src, 'app', 'BUILD.dhall'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const outs = [...comparable(r.value).keys()];
    expect(outs).toContain('<BUILD>/hello');
    expect(outs).toContain('<BUILD>/libgreet.a');
  }, 60_000);
});

describe('load: bad input names the file and the problem', () => {
  it('a type error', async () => {
    const p = prepared.get('c-static-exe') as Prepared;
    const file = join(p.src, 'src', 'BUILD.dhall');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('kind = C.TargetKind.StaticLibrary', 'kind = "StaticLibrary"'));
    try {
      const r = await loadDhallBuild(p.src);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error.split('\n')).toHaveLength(1);
      expect(r.error).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: Dhall type error: `));
    } finally {
      await writeFile(file, text);
    }
  }, 60_000);

  it('a source file that does not exist', async () => {
    const p = prepared.get('c-static-exe') as Prepared;
    const source = join(p.src, 'src', 'count.c');
    const keep = await readFile(source);
    await unlink(source);
    try {
      const r = await loadDhallBuild(p.src);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toBe(`${join(p.src, 'src', 'BUILD.dhall')}: target greet: source src/count.c does not exist and no target makes it`);
    } finally {
      await writeFile(source, keep);
    }
  }, 60_000);

  it('a dependency cycle between targets', async () => {
    const p = prepared.get('c-static-exe') as Prepared;
    const file = join(p.src, 'src', 'BUILD.dhall');
    const text = await readFile(file, 'utf8');
    // the library now also reads the program, which links the library
    await writeFile(file, text.replace('inputs = [] : List C.Path', 'inputs = [ C.Path.Out "hello" ]'));
    try {
      const r = await loadDhallBuild(p.src);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toMatch(/BUILD\.dhall: dependency cycle between targets: (greet \(src\/BUILD\.dhall\) → hello \(app\/BUILD\.dhall\) → greet \(src\/BUILD\.dhall\)|hello \(app\/BUILD\.dhall\) → greet \(src\/BUILD\.dhall\) → hello \(app\/BUILD\.dhall\))$/);
    } finally {
      await writeFile(file, text);
    }
  }, 60_000);

  it('a syntax error, and a directory without a project', async () => {
    const p = prepared.get('c-static-exe') as Prepared;
    const file = join(p.src, 'app', 'BUILD.dhall');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('let hello =', 'let hello = ='));
    try {
      const r = await loadDhallBuild(file);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toMatch(/app\/BUILD\.dhall: Dhall syntax error: /);
    } finally {
      await writeFile(file, text);
    }
    const none = await loadDhallBuild(p.confessDir);
    expect(none.ok).toBe(false);
    if (!none.ok) expect(none.error).toBe(`${p.confessDir}: no continuity/project.dhall in this directory or above it (continuity migrate writes one)`);
  }, 60_000);
});

describe.each(['bzip2', 'zlib'])('load %s (built in its source tree by make)', (name) => {
  let p: Prepared;
  beforeAll(async () => {
    p = await prepare(name);
    const m = await migrate(p.confessDir, p.src);
    if (!m.ok) throw new Error(m.error);
    return async () => rm(p.root, { recursive: true, force: true });
  }, 300_000);

  it('gives back the confessed graph, one tree for sources and outputs, and it lowers', async () => {
    const r = await loadDhallBuild(p.src);
    expect(r.ok, r.ok ? '' : r.error).toBe(true);
    if (!r.ok) return;
    expect(r.value.attributes.srcdir).toBe(p.src);
    expect(r.value.attributes.builddir).toBe(p.src);
    const want = comparable(p.graph);
    const got = comparable(r.value);
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [k, a] of want) expect(got.get(k), k).toEqual(a);
    const l = await lowerGraph(r.value);
    expect(l.ok, l.ok ? '' : l.error.message).toBe(true);
  }, 60_000);
});
