import { describe, it, expect } from 'vitest';
import { buildGraph, buildSerializedGraph, serializeGraph, serializedHasCycle, actionOrder, graphHasCycle, deserializeGraph } from '../../src/graph/build.js';
import { validateGraph } from '../../src/graph/load.js';
import type { Report } from '../../src/model/report.js';
import type { GraphAttributes } from '../../src/model/graph.js';

const attrs: GraphAttributes = {
  version: 1, complete: true, system: 'cmake', mode: 'confess', srcdir: '/s', builddir: '/b', created: 'now', errors: [],
};

let n = 0;
function r(role: Report['role'], args: string[], inputs: string[], outputs: string[], deps: string[] = []): Report {
  n++;
  return {
    v: 1, rid: `r${n}`, tool: args[0] as string, kind: args[0] === 'ar' ? 'ar' : args[0] === 'ranlib' ? 'ranlib' : 'cc',
    real: `/usr/bin/${args[0]}`, mode: 'confess', role, cwd: '/b', argv: args, args, env: {},
    inputs: inputs.map((path) => ({ path, token: null })), outputs: outputs.map((path) => ({ path, token: `t${n}` })),
    deps, depfile: null, exit: 0, t0: n, t1: n,
  };
}

describe('buildGraph', () => {
  const reports = [
    r('compile', ['gcc', '-c', '/s/a.c', '-o', 'a.o'], ['/s/a.c'], ['/b/a.o'], ['/s/a.c', '/s/a.h']),
    r('compile', ['gcc', '-c', '/s/b.c', '-o', 'b.o'], ['/s/b.c'], ['/b/b.o'], ['/s/b.c', '/s/a.h', '/b/gen.h']),
    r('archive', ['ar', 'qc', 'libx.a', 'a.o', 'b.o'], ['/b/a.o', '/b/b.o'], ['/b/libx.a']),
    r('ranlib', ['ranlib', 'libx.a'], ['/b/libx.a'], ['/b/libx.a']),
    r('compile', ['gcc', '-c', '/s/m.cc', '-o', 'm.o'], ['/s/m.cc'], ['/b/m.o']),
    r('link', ['gcc', 'm.o', 'libx.a', '-o', 'app', '-lz'], ['/b/m.o', '/b/libx.a'], ['/b/app']),
    r('query', ['gcc', '--version'], [], []),
  ];
  const customs = [{ command: 'sh -c "echo > gen.h"', cwd: '/b', inputs: ['/s/CMakeLists.txt'], outputs: ['/b/gen.h'], rule: 'CUSTOM_COMMAND' }];

  it('makes file → action → file edges, folds ranlib into the archive, drops queries', () => {
    const { graph, warnings } = buildGraph(reports, customs, attrs);
    expect(warnings).toEqual([]);
    const actions = graph.filterNodes((_, a) => a.type === 'action').map((k) => graph.getNodeAttributes(k));
    expect(actions.map((a) => (a.type === 'action' ? a.category : '')).sort()).toEqual(['archive', 'compile', 'compile', 'compile', 'custom', 'link']);
    const archive = actions.find((a) => a.type === 'action' && a.category === 'archive');
    expect(archive && archive.type === 'action' ? archive.post : undefined).toEqual([['ranlib', 'libx.a']]);
    expect(graph.hasEdge('file:/b/gen.h', graph.inNeighbors('file:/b/b.o')[0] as string)).toBe(true);
    expect(graph.getNodeAttributes('file:/b/gen.h')).toMatchObject({ role: 'generated' });
    expect(graph.getNodeAttributes('file:/s/a.h')).toMatchObject({ role: 'header' });
    expect(graph.getNodeAttributes('file:/b/libx.a')).toMatchObject({ role: 'archive' });
    expect(graph.getNodeAttributes('file:/b/app')).toMatchObject({ role: 'executable' });
    const m = graph.getNodeAttributes(graph.inNeighbors('file:/b/m.o')[0] as string);
    expect(m.type === 'action' && m.language).toBe('c++');
  });

  it('orders actions so that producers come first, and serializes to a schema-valid graph', async () => {
    const { graph } = buildGraph(reports, customs, attrs);
    const order = actionOrder(graph);
    const pos = (out: string): number => order.indexOf(graph.inNeighbors(`file:${out}`)[0] as string);
    expect(pos('/b/gen.h')).toBeLessThan(pos('/b/b.o'));
    expect(pos('/b/b.o')).toBeLessThan(pos('/b/libx.a'));
    expect(pos('/b/libx.a')).toBeLessThan(pos('/b/app'));
    const v = await validateGraph(serializeGraph(graph));
    expect(v.ok ? 'valid' : v.error).toBe('valid');
  });

  it('is deterministic: the same reports in another order give the same graph.json', () => {
    const a = JSON.stringify(serializeGraph(buildGraph(reports, customs, attrs).graph));
    const b = JSON.stringify(serializeGraph(buildGraph([...reports].reverse(), customs, attrs).graph));
    expect(b).toBe(a);
  });

  it('builds graph.json directly as the graphology graph exports it, edges in the same order', () => {
    const direct = buildSerializedGraph(reports, customs, attrs);
    expect(serializeGraph(buildGraph(reports, customs, attrs).graph)).toEqual(direct.graph);
    // every edge touches an action; none twice
    const seen = new Set(direct.graph.edges.map((e) => `${e.source} ${e.target}`));
    expect(seen.size).toBe(direct.graph.edges.length);
    for (const e of direct.graph.edges) expect(e.source.startsWith('action:') !== e.target.startsWith('action:')).toBe(true);
  });

  it('a file named twice by one step gets one edge; a step that rewrites its own input keeps only the output edge', () => {
    const twice = [
      r('compile', ['gcc', '-c', '/s/a.c', '-o', 'a.o'], ['/s/a.c', '/s/a.c'], ['/b/a.o', '/b/a.o'], ['/s/a.c', '/s/a.h', '/s/a.h']),
      r('archive', ['ar', 'q', 'liby.a', 'a.o'], ['/b/a.o', '/b/liby.a'], ['/b/liby.a']),
    ];
    const { graph } = buildSerializedGraph(twice, [], attrs);
    const edges = graph.edges.map((e) => `${e.source} -> ${e.target}`);
    const compile = graph.nodes.find((n) => n.attributes.type === 'action' && n.attributes.category === 'compile')?.key;
    const archive = graph.nodes.find((n) => n.attributes.type === 'action' && n.attributes.category === 'archive')?.key;
    expect(edges.filter((e) => e.endsWith(`-> ${compile}`))).toEqual([`file:/s/a.c -> ${compile}`, `file:/s/a.h -> ${compile}`]);
    expect(edges.filter((e) => e.startsWith(`${compile} ->`))).toEqual([`${compile} -> file:/b/a.o`]);
    expect(edges.filter((e) => e.includes(archive as string))).toEqual([`file:/b/a.o -> ${archive}`, `${archive} -> file:/b/liby.a`]);
    expect(serializeGraph(buildGraph(twice, [], attrs).graph)).toEqual(graph);
  });

  it('finds cycles as graphology does', () => {
    const g = buildSerializedGraph(reports, customs, attrs).graph;
    expect(serializedHasCycle(g)).toBe(false);
    const back = { ...g, edges: [...g.edges, { source: 'file:/b/app', target: g.edges[0]!.target }] };
    expect(graphHasCycle(deserializeGraph(back))).toBe(true);
    expect(serializedHasCycle(back)).toBe(true);
    expect(() => serializedHasCycle({ ...g, edges: [{ source: 'file:/nowhere', target: 'action:0' }] })).toThrow(/names a missing node/);
  });

  it('detects a cycle', async () => {
    const cyc = [
      r('compile', ['gcc', '-c', '/b/x.c'], ['/b/x.c'], ['/b/x.o']),
      r('link', ['gcc', 'x.o', '-o', 'x.c'], ['/b/x.o'], ['/b/x.c']),
    ];
    const { warnings, graph } = buildGraph(cyc, [], attrs);
    expect(warnings).toContain('the graph has a cycle');
    const v = await validateGraph(serializeGraph(graph));
    expect(v.ok ? '' : v.error).toBe('the graph has a cycle');
  });

  it('rejects a graph.json of the wrong shape with the place that is wrong', async () => {
    const v = await validateGraph({ attributes: attrs, options: { type: 'directed', multi: false, allowSelfLoops: false }, nodes: [{ key: 'file:/x', attributes: { type: 'file', path: 'relative', role: 'source' } }], edges: [] });
    expect(v.ok ? '' : v.error).toMatch(/does not match the graph schema/);
  });
});
