// The page's graph logic (ViewCore) run in Node: the same script the browser gets.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { CORE_JS } from '../../src/view/page/core.js';
import type { ActionCategory, NodeAttributes, SerializedGraph } from '../../src/model/graph.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Core = any;
const C: Core = new Function(`${CORE_JS}; return ViewCore;`)();

class G {
  nodes: { key: string; attributes: NodeAttributes }[] = [];
  edges: { source: string; target: string }[] = [];
  private n = 0;
  file(path: string, role: 'source' | 'header' | 'object' | 'archive' | 'executable' | 'generated' = 'source'): string {
    const key = `file:${path}`;
    if (!this.nodes.some((x) => x.key === key)) this.nodes.push({ key, attributes: { type: 'file', path, role } });
    return key;
  }
  action(category: ActionCategory, inputs: string[], outputs: string[], rule?: string): string {
    const key = `action:${this.n++}`;
    const attributes: NodeAttributes = {
      type: 'action', category, language: category === 'compile' ? 'c' : null, tool: 'cc', real: '/usr/bin/cc', cwd: '/b',
      args: ['cc', ...inputs], env: {}, inputs, deps: [], outputs, rid: null, exit: 0,
    };
    if (rule) attributes.rule = rule;
    this.nodes.push({ key, attributes });
    for (const i of inputs) this.edges.push({ source: this.file(i), target: key });
    for (const o of outputs) this.edges.push({ source: key, target: this.file(o, 'object') });
    return key;
  }
  compile(src: string): string {
    const obj = `/b/${src.split('/').pop()}.o`;
    this.action('compile', [src], [obj]);
    return obj;
  }
  serialized(): SerializedGraph {
    return {
      attributes: { version: 1, complete: true, system: 'cmake', mode: 'confess', srcdir: '/s', builddir: '/b', created: 'now', errors: [] },
      options: { type: 'directed', multi: false, allowSelfLoops: false }, nodes: this.nodes, edges: this.edges,
    };
  }
}

function index(g: G): Core {
  const m = C.createModel();
  C.loadSerialized(m, g.serialized());
  return C.buildIndex(m);
}
const state = (over: Record<string, unknown> = {}) => ({ expanded: new Set<string>(), revealed: new Set<string>(), showFiles: false, ...over });

/** lib.a from two sources; app from main.c and lib.a; a generated header made by a custom step. */
function sample(): G {
  const g = new G();
  const o1 = g.compile('/s/one.c');
  const o2 = g.compile('/s/two.c');
  g.action('archive', [o1, o2], ['/b/lib.a']);
  g.action('custom', ['/s/gen.py'], ['/b/gen.h'], 'CUSTOM_COMMAND');
  g.action('compile', ['/s/main.c', '/b/gen.h'], ['/b/main.c.o']);
  g.action('link', ['/b/main.c.o', '/b/lib.a'], ['/b/app']);
  return g;
}

describe('ViewCore', () => {
  it('groups actions into targets: an archive or link with its compiles; a custom step joins its only consumer', () => {
    const ix = index(sample());
    const groups = ix.groups.map((g: Core) => [g.name, g.kind, g.members.length]);
    expect(groups).toEqual([['lib.a', 'archive', 3], ['app', 'link', 3]]);
    const app = ix.groups.find((g: Core) => g.name === 'app');
    expect(app.counts).toEqual({ compile: 1, archive: 0, link: 1, custom: 1 });
  });

  it('draws one node per target when collapsed, and the actions of an expanded target', () => {
    const ix = index(sample());
    const collapsed = C.visibleGraph(ix, state());
    expect(collapsed.nodes.map((n: Core) => n.label).sort()).toEqual(['app', 'lib.a']);
    // lib.a feeds app through a file that is hidden.
    expect(collapsed.edges).toEqual([['target:action:2', 'target:action:5']]);
    const lib = ix.groups.find((g: Core) => g.name === 'lib.a');
    const open = C.visibleGraph(ix, state({ expanded: new Set([lib.id]) }));
    expect(open.nodes.filter((n: Core) => n.kind === 'action').map((n: Core) => n.label).sort()).toEqual(['lib.a', 'one.c', 'two.c']);
    expect(open.edgeSet.has('action:0\u0000action:2')).toBe(true);
    expect(open.edgeSet.has('action:2\u0000target:action:5')).toBe(true);
  });

  it('shows files on demand: the ones asked for, or all around expanded targets', () => {
    const ix = index(sample());
    const revealed = C.visibleGraph(ix, state({ revealed: new Set(['file:/s/one.c']) }));
    expect(revealed.nodes.filter((n: Core) => n.kind === 'file').map((n: Core) => n.id)).toEqual(['file:/s/one.c']);
    expect(revealed.edgeSet.has('file:/s/one.c\u0000target:action:2')).toBe(true);
    const lib = ix.groups.find((g: Core) => g.name === 'lib.a');
    const files = C.visibleGraph(ix, state({ showFiles: true, expanded: new Set([lib.id]) }));
    expect(files.nodes.filter((n: Core) => n.kind === 'file').map((n: Core) => n.label).sort()).toEqual(['lib.a', 'one.c', 'one.c.o', 'two.c', 'two.c.o']);
  });

  it('finds the path between two nodes along the edges', () => {
    const ix = index(sample());
    const vis = C.visibleGraph(ix, state({ revealed: new Set(['file:/s/one.c', 'file:/s/gen.py']) }));
    const p = C.findPath(vis, 'file:/s/one.c', 'target:action:5');
    expect(p).toEqual({
      nodes: ['file:/s/one.c', 'target:action:2', 'target:action:5'],
      edges: ['file:/s/one.c\u0000target:action:2', 'target:action:2\u0000target:action:5'],
      directed: true,
    });
    // Two sources of the same target: no directed path, so direction is ignored.
    expect(C.findPath(vis, 'file:/s/one.c', 'file:/s/gen.py').directed).toBe(false);
  });

  it('searches targets and files, whole names first', () => {
    const ix = index(sample());
    expect(C.search(ix, 'app', 10).map((r: Core) => [r.type, r.label])).toEqual([['target', 'app'], ['file', 'app']]);
    expect(C.search(ix, 'one', 10).map((r: Core) => r.label)).toEqual(['one.c', 'one.c.o']);
    expect(C.search(ix, '   ', 10)).toEqual([]);
  });

  it('lays out any DAG in layers: every edge goes right, nodes of a column do not overlap', () => {
    const dag = fc.integer({ min: 1, max: 25 }).chain((n) =>
      fc.record({
        n: fc.constant(n),
        libs: fc.array(fc.array(fc.integer({ min: 0, max: n - 1 }), { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 6 }),
        expand: fc.boolean(),
        files: fc.boolean(),
      }),
    );
    fc.assert(
      fc.property(dag, ({ n, libs, expand, files }) => {
        const g = new G();
        const objs = Array.from({ length: n }, (_, i) => g.compile(`/s/f${i}.c`));
        const archives: string[] = [];
        libs.forEach((members, i) => {
          const inputs = [...new Set(members.map((m) => objs[m] as string))];
          if (i % 2 === 0) {
            archives.push(`/b/lib${i}.a`);
            g.action('archive', inputs, [`/b/lib${i}.a`]);
          } else {
            g.action('link', [...inputs, ...archives], [`/b/app${i}`]);
          }
        });
        const ix = index(g);
        // Every action is in exactly one group.
        const members = ix.groups.flatMap((x: Core) => x.members);
        expect(new Set(members).size).toBe(members.length);
        expect(members.length).toBe(ix.actions.length);
        const st = state({ showFiles: files, expanded: new Set(expand ? ix.groups.map((x: Core) => x.id) : []) });
        const vis = C.visibleGraph(ix, st);
        const lay = C.layout(vis);
        for (const [a, b] of vis.edges) expect(lay.positions.get(b).layer).toBeGreaterThan(lay.positions.get(a).layer);
        const byLayer = new Map<number, { y: number; h: number }[]>();
        for (const p of lay.positions.values()) byLayer.set(p.layer, [...(byLayer.get(p.layer) ?? []), p]);
        for (const col of byLayer.values()) {
          col.sort((a, b) => a.y - b.y);
          for (let i = 1; i < col.length; i++) expect(col[i]!.y).toBeGreaterThanOrEqual(col[i - 1]!.y + col[i - 1]!.h);
        }
      }),
      { numRuns: 150 },
    );
  });
});
