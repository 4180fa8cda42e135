import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { loadActionKeys, loadViewInput } from '../../src/view/input.js';
import { loadGraphFile, describeLoadError } from '../../src/view/load.js';
import type { SerializedGraph } from '../../src/model/graph.js';

const GRAPH: SerializedGraph = {
  attributes: { version: 1, complete: true, system: 'cmake', mode: 'confess', srcdir: '/s', builddir: '/b', created: 'now', errors: [] },
  options: { type: 'directed', multi: false, allowSelfLoops: false },
  nodes: [{ key: 'file:/s/a.c', attributes: { type: 'file', path: '/s/a.c', role: 'source' } }],
  edges: [],
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'continuity-view-input-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('loadGraphFile', () => {
  it('accepts graph.json and names the problem of anything else: schema, edges, cycles', async () => {
    const cases: [unknown, RegExp | null][] = [
      [GRAPH, null],
      [[], /the top level is not an object/],
      [{ ...GRAPH, attributes: { ...GRAPH.attributes, version: 2 } }, /unsupported graph version 2/],
      [{ ...GRAPH, edges: [{ source: 'file:/s/a.c', target: 'action:7' }] }, /edge file:\/s\/a\.c -> action:7 names a missing node/],
      [{
        ...GRAPH,
        nodes: [...GRAPH.nodes, { key: 'file:/s/b.c', attributes: { type: 'file', path: '/s/b.c', role: 'source' } }],
        edges: [{ source: 'file:/s/a.c', target: 'file:/s/b.c' }, { source: 'file:/s/b.c', target: 'file:/s/a.c' }],
      }, /the graph has a cycle/],
    ];
    for (const [i, [g, want]] of cases.entries()) {
      const path = join(dir, `g${i}.json`);
      await writeFile(path, JSON.stringify(g));
      const r = await loadGraphFile(path);
      if (want === null) expect(r.ok).toBe(true);
      else {
        expect(r.ok).toBe(false);
        if (!r.ok) expect(describeLoadError(r.error)).toMatch(want);
      }
    }
  });
});

describe('loadViewInput', () => {
  it('takes graph.json or the directory holding it', async () => {
    const out = join(dir, 'out');
    await mkdir(out, { recursive: true });
    await writeFile(join(out, 'graph.json'), JSON.stringify(GRAPH));
    expect((await loadViewInput(out)).graph).toEqual(GRAPH);
    expect((await loadViewInput(join(out, 'graph.json'))).graphPath).toBe(join(out, 'graph.json'));
  });

  it('fails with one line naming the cause', async () => {
    await expect(loadViewInput(join(dir, 'nope'))).rejects.toThrow(`${join(dir, 'nope')}: no such file or directory`);
    await mkdir(join(dir, 'empty'), { recursive: true });
    await expect(loadViewInput(join(dir, 'empty'))).rejects.toThrow(`${join(dir, 'empty', 'graph.json')}: no such file`);
    await writeFile(join(dir, 'bad.json'), '{"attributes":');
    await expect(loadViewInput(join(dir, 'bad.json'))).rejects.toThrow(/bad\.json: not JSON: /);
    await writeFile(join(dir, 'other.json'), '{"hello": 1}');
    await expect(loadViewInput(join(dir, 'other.json'))).rejects.toThrow(`${join(dir, 'other.json')}: not a graph.json: no graph attributes`);
  });
});

describe('loadActionKeys', () => {
  const actions = (builddir: string) => ({
    version: 1, kind: 'continuity-actions', srcdir: '/s', builddir, coeffectsFile: null, actions: [],
  });

  it('is null when there is no actions.json or it was made from another build tree', async () => {
    expect(await loadActionKeys(join(dir, 'absent.json'), GRAPH)).toBeNull();
    await writeFile(join(dir, 'other-actions.json'), JSON.stringify(actions('/elsewhere')));
    expect(await loadActionKeys(join(dir, 'other-actions.json'), GRAPH)).toBeNull();
    await writeFile(join(dir, 'actions.json'), JSON.stringify(actions('/b')));
    expect(await loadActionKeys(join(dir, 'actions.json'), GRAPH)).toEqual(new Map());
  });

  it('a broken actions.json is an error, not silence', async () => {
    await writeFile(join(dir, 'broken.json'), '{"kind":"continuity-actions"}');
    await expect(loadActionKeys(join(dir, 'broken.json'), GRAPH)).rejects.toThrow(/broken\.json: /);
  });
});
