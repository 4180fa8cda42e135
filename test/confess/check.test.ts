import { describe, it, expect } from 'vitest';
import { compareGraphs, formatDifference } from '../../src/confess/check.js';
import type { ActionNode, SerializedGraph } from '../../src/model/graph.js';

function graph(mode: 'confess' | 'observe', actions: Partial<ActionNode>[]): SerializedGraph {
  return {
    attributes: { version: 1, complete: true, system: 'make', mode, srcdir: '/p', builddir: '/p', created: '', errors: [] },
    options: { type: 'directed', multi: false, allowSelfLoops: false },
    nodes: actions.map((a, i) => ({
      key: `action:${i}`,
      attributes: {
        type: 'action', category: 'compile', language: 'c', tool: 'cc', real: '/usr/bin/cc', cwd: '/p', args: ['cc'], env: {},
        inputs: [], deps: [], outputs: [], rid: `r${i}`, exit: 0, ...a,
      } as ActionNode,
    })),
    edges: [],
  };
}

describe('compareGraphs', () => {
  const a = { args: ['cc', '-c', 'a.c', '-o', 'a.o'], inputs: ['/p/a.c'], deps: ['/p/a.c', '/p/a.h'], outputs: ['/p/a.o'] };
  it('finds nothing when only rids and the order of headers differ', () => {
    const c = graph('confess', [a]);
    const o = graph('observe', [{ ...a, deps: ['/p/a.h', '/p/a.c'], rid: 'other' }]);
    expect(compareGraphs(c, o)).toEqual([]);
  });
  it('reports every differing field and every action found in one graph only', () => {
    const c = graph('confess', [a, { category: 'custom', args: ['/bin/sh', '-c', 'cp a b'], outputs: ['/p/b'] }]);
    const o = graph('observe', [{ ...a, deps: ['/p/a.c'], args: ['cc', '-O2', '-c', 'a.c', '-o', 'a.o'] }, { category: 'link', outputs: ['/p/prog'] }]);
    const d = compareGraphs(c, o);
    expect(d.map(formatDifference)).toEqual([
      'compile /p/a.o: args differs: confessed ["cc","-c","a.c","-o","a.o"], observed ["cc","-O2","-c","a.c","-o","a.o"]',
      'compile /p/a.o: deps differs: confessed ["/p/a.c","/p/a.h"], observed ["/p/a.c"]',
      'only in the confessed graph: custom /p/b',
      'only in the observed graph: link /p/prog',
    ]);
  });
});
