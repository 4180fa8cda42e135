import { describe, it, expect } from 'vitest';
import type { Report } from '../../src/model/report.js';
import type { SerializedGraph } from '../../src/model/graph.js';
import { LiveGraph, liveActionKey, reportEvents } from '../../src/view/live.js';
import type { SnapshotMessage, ViewEvent } from '../../src/view/events.js';

function report(rid: string, over: Partial<Report> = {}): Report {
  return {
    v: 1, rid, tool: 'gcc', kind: 'cc', real: '/usr/bin/gcc', mode: 'confess', role: 'compile', cwd: '/b',
    argv: ['gcc', '-c', '/s/a.c', '-o', 'a.o'], args: ['/b/shims/cc', '-c', '/s/a.c', '-o', 'a.o'], env: {},
    inputs: [{ path: '/s/a.c', token: null }], outputs: [{ path: '/b/a.o', token: 'aaaa' }],
    deps: ['/s/a.c', '/s/a.h'], depfile: null, exit: 0, t0: 1, t1: 2, ...over,
  };
}

const archive = (rid: string, objs: string[], out: string): Report =>
  report(rid, {
    tool: 'ar', kind: 'ar', role: 'archive', args: ['ar', 'qc', out, ...objs], argv: ['ar', 'qc', out, ...objs],
    inputs: objs.map((path) => ({ path, token: 'aaaa' })), outputs: [{ path: out, token: 'bbbb' }], deps: [],
  });

describe('reportEvents', () => {
  it('turns a compile into its action (first), its files and file → action → file edges', () => {
    const events = reportEvents(report('r1'));
    expect(events[0]).toMatchObject({ type: 'node', key: liveActionKey('r1'), attributes: { type: 'action', category: 'compile', language: 'c', inputs: ['/s/a.c'], deps: ['/s/a.h'], outputs: ['/b/a.o'] } });
    const files = events.filter((e) => e.type === 'node' && e.attributes.type === 'file');
    expect(files.map((e) => (e.type === 'node' && e.attributes.type === 'file' ? [e.key, e.attributes.role] : null))).toEqual([
      ['file:/s/a.c', 'source'], ['file:/s/a.h', 'header'], ['file:/b/a.o', 'object'],
    ]);
    const edges = events.filter((e): e is Extract<ViewEvent, { type: 'edge' }> => e.type === 'edge').map((e) => [e.source, e.target]);
    expect(edges).toEqual([['file:/s/a.c', 'live:r1'], ['file:/s/a.h', 'live:r1'], ['live:r1', 'file:/b/a.o']]);
  });

  it('leaves out queries and ranlib', () => {
    expect(reportEvents(report('q', { role: 'query' }))).toEqual([]);
    expect(reportEvents(report('rl', { role: 'ranlib', kind: 'ranlib' }))).toEqual([]);
  });

  it('gives link outputs the role of what they are', () => {
    const link = (args: string[], out: string) =>
      reportEvents(report('l', { role: 'link', args, inputs: [], deps: [], outputs: [{ path: out, token: null }] }))
        .flatMap((e) => (e.type === 'node' && e.attributes.type === 'file' ? [e.attributes.role] : []));
    expect(link(['cc', '-o', '/b/app'], '/b/app')).toEqual(['executable']);
    expect(link(['cc', '-shared', '-o', '/b/libx.so'], '/b/libx.so')).toEqual(['shared']);
  });
});

describe('LiveGraph', () => {
  it('accumulates reports into a graph that passes the page checks, and streams each event once', () => {
    const live = new LiveGraph({ builddir: '/b' });
    const got: ViewEvent[] = [];
    live.on('event', (e) => got.push(e));
    live.addReport(report('r1'));
    live.addReport(report('r2', { inputs: [{ path: '/s/b.c', token: null }], outputs: [{ path: '/b/b.o', token: 'cccc' }], deps: ['/s/a.h'] }));
    live.addReport(archive('r3', ['/b/a.o', '/b/b.o'], '/b/libab.a'));
    const snap = live.snapshot();
    expect(snap.done).toBe(false);
    // what the page relies on: unique keys, and every edge between nodes that exist
    const keys = snap.graph.nodes.map((n) => n.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const e of snap.graph.edges) expect(keys.includes(e.source) && keys.includes(e.target), `${e.source} -> ${e.target}`).toBe(true);
    // a.h is shared by both compiles: one node, two edges.
    expect(snap.graph.nodes.filter((n) => n.key === 'file:/s/a.h')).toHaveLength(1);
    expect(snap.graph.edges.filter((e) => e.source === 'file:/s/a.h')).toHaveLength(2);
    // The archive's inputs keep the role the compiles gave them.
    expect(live.node('file:/b/a.o')).toMatchObject({ role: 'object', token: 'aaaa' });
    expect(got.filter((e) => e.type === 'node')).toHaveLength(snap.graph.nodes.length);
    expect(got.filter((e) => e.type === 'edge')).toHaveLength(snap.graph.edges.length);
  });

  it('an output seen first as an input takes its output role when its producer reports', () => {
    const live = new LiveGraph();
    live.addReport(archive('r1', ['/b/a.o'], '/b/liba.a'));
    expect(live.node('file:/b/a.o')).toMatchObject({ role: 'other' });
    live.addReport(report('r2'));
    expect(live.node('file:/b/a.o')).toMatchObject({ role: 'object' });
  });

  it('finish replaces the provisional graph and announces it as a snapshot; later reports are ignored', () => {
    const live = new LiveGraph();
    live.addReport(report('r1'));
    const resets: SnapshotMessage[] = [];
    live.on('reset', (m) => resets.push(m));
    const final: SerializedGraph = {
      attributes: { version: 1, complete: true, system: 'cmake', mode: 'confess', srcdir: '/s', builddir: '/b', created: 'now', errors: [] },
      options: { type: 'directed', multi: false, allowSelfLoops: false },
      nodes: [{ key: 'file:/s/a.c', attributes: { type: 'file', path: '/s/a.c', role: 'source' } }],
      edges: [],
    };
    live.finish(final);
    expect(resets).toHaveLength(1);
    expect(resets[0]).toEqual({ type: 'snapshot', graph: final, done: true });
    live.addReport(report('r9', { outputs: [{ path: '/b/z.o', token: null }] }));
    expect(live.node('file:/b/z.o')).toBeUndefined();
    expect(live.snapshot().graph).toEqual(final);
  });

  it('fail ends the stream with the reason, in the snapshot too', () => {
    const live = new LiveGraph();
    const got: ViewEvent[] = [];
    live.on('event', (e) => got.push(e));
    live.fail('the build failed under confession: x');
    expect(got).toEqual([{ type: 'failed', message: 'the build failed under confession: x' }]);
    expect(live.snapshot()).toMatchObject({ done: true, error: 'the build failed under confession: x' });
  });
});
