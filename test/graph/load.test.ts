// Structural checks of a graph read back: each is what a graphology graph would refuse, found without
// building one (a graph of 10,000 compiles has two million edges).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { makeRig } from '../fixtures/graphs/rig.js';
import { validateGraph } from '../../src/graph/load.js';
import type { SerializedGraph } from '../../src/model/graph.js';

const graph = (): SerializedGraph => JSON.parse(readFileSync(makeRig('c-lib').graphPath, 'utf8')) as SerializedGraph;

describe('validateGraph structure', () => {
  it('accepts the graph as it is', async () => {
    expect((await validateGraph(graph())).ok).toBe(true);
  });

  it('refuses a node key used twice, an edge to a missing node, an edge given twice, a self-loop', async () => {
    const twiceNode = graph();
    twiceNode.nodes.push(twiceNode.nodes[0] as SerializedGraph['nodes'][number]);
    expect(await validateGraph(twiceNode)).toEqual({ ok: false, error: `is not a valid graph: the node ${twiceNode.nodes[0]?.key} appears twice` });

    const missing = graph();
    missing.edges.push({ source: 'file:/nowhere', target: 'action:0' });
    expect(await validateGraph(missing)).toEqual({ ok: false, error: 'edge file:/nowhere -> action:0 names a missing node' });

    const twiceEdge = graph();
    const e = twiceEdge.edges[3] as SerializedGraph['edges'][number];
    twiceEdge.edges.push({ ...e });
    expect(await validateGraph(twiceEdge)).toEqual({ ok: false, error: `is not a valid graph: the edge ${e.source} -> ${e.target} appears twice` });

    const loop = graph();
    loop.edges.push({ source: 'action:1', target: 'action:1' });
    expect(await validateGraph(loop)).toEqual({ ok: false, error: 'the graph has a cycle' });
  });
});

describe('graph schema', () => {
  it('is a valid JSON Schema (2020-12), which the validator no longer checks on every run', async () => {
    const { createRequire } = await import('node:module');
    const require = createRequire(import.meta.url);
    const Ajv2020 = require('ajv/dist/2020.js') as { default: new (o: object) => { validateSchema(s: object): boolean; errors?: unknown } };
    const { GRAPH_SCHEMA_PATH } = await import('../../src/graph/load.js');
    const ajv = new Ajv2020.default({ strict: false });
    const ok = ajv.validateSchema(JSON.parse(readFileSync(GRAPH_SCHEMA_PATH, 'utf8')) as object);
    expect([ok, ajv.errors ?? null]).toEqual([true, null]);
  });
});
