// Reading graph.json back: schema-checked (schema/graph.schema.json), then structurally checked
// (node keys unique, every edge names existing nodes and appears once, no cycle). The only way other
// stages take a graph in.
import { readFile } from 'node:fs/promises';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { SerializedGraph } from '../model/graph.js';
import { type Result, ok, err } from '../model/result.js';
import { serializedHasCycle } from './build.js';
import { readJsonFile } from '../util/json-read.js';

const here = dirname(fileURLToPath(import.meta.url));
export const GRAPH_SCHEMA_PATH = resolve(here, '..', '..', 'schema', 'graph.schema.json');

type Validate = ((x: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] | null };
let validator: Validate | undefined;

async function getValidator(): Promise<Validate> {
  if (validator) return validator;
  const require = createRequire(import.meta.url);
  const Ajv2020 = require('ajv/dist/2020.js') as { default: new (o: object) => { compile(s: object): Validate } };
  const schema = JSON.parse(await readFile(GRAPH_SCHEMA_PATH, 'utf8')) as object;
  // the schema is ours and fixed: checking it against the meta-schema on every run costs as much as
  // compiling it (test/graph/load.test.ts checks it once)
  validator = new Ajv2020.default({ allErrors: false, strict: false, validateSchema: false }).compile(schema);
  return validator;
}

export async function validateGraph(x: unknown): Promise<Result<SerializedGraph, string>> {
  // the two mistakes worth a plain message before the schema's: not a graph at all, or another version
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return err('the top level is not an object');
  const attrs = (x as { attributes?: unknown }).attributes;
  if (typeof attrs !== 'object' || attrs === null) return err('no graph attributes');
  const version = (attrs as { version?: unknown }).version;
  if (version !== 1) return err(`unsupported graph version ${JSON.stringify(version) ?? 'undefined'}`);
  const v = await getValidator();
  if (!v(x)) {
    // the most specific error: for a node that fits none of the node kinds, the deepest path names the bad field
    const depth = (p: string): number => p.split('/').length;
    const e = (v.errors ?? []).reduce<{ instancePath: string; message?: string } | undefined>(
      (best, cur) => (best === undefined || depth(cur.instancePath) > depth(best.instancePath) ? cur : best), undefined);
    const path = e?.instancePath ?? '';
    // name the node by its key, not by its index: "node action:3: /attributes/args must be array"
    const m = /^\/nodes\/(\d+)(.*)$/.exec(path);
    const nodes = (x as { nodes?: unknown[] }).nodes;
    const key = m && Array.isArray(nodes) ? (nodes[Number(m[1])] as { key?: unknown } | undefined)?.key : undefined;
    const where = m && typeof key === 'string' ? `node ${key}: ${m[2] || '/'}` : path || '/';
    return err(`does not match the graph schema: ${where} ${e?.message ?? ''}`.trim());
  }
  const g = x as SerializedGraph;
  const bad = structureProblem(g);
  if (bad) return err(bad);
  if (serializedHasCycle(g)) return err('the graph has a cycle');
  return ok(g);
}

/** A node key used twice, an edge naming a missing node, or an edge given twice (what a graphology graph
 *  refuses), checked over node indices: a graph of 10,000 compiles has two million edges. */
function structureProblem(g: SerializedGraph): string | null {
  const index = new Map<string, number>();
  for (const n of g.nodes) {
    if (index.has(n.key)) return `is not a valid graph: the node ${n.key} appears twice`;
    index.set(n.key, index.size);
  }
  const from = new Int32Array(g.edges.length);
  const to = new Int32Array(g.edges.length);
  for (let j = 0; j < g.edges.length; j++) {
    const e = g.edges[j] as SerializedGraph['edges'][number];
    const s = index.get(e.source);
    const t = index.get(e.target);
    if (s === undefined || t === undefined) return `edge ${e.source} -> ${e.target} names a missing node`;
    from[j] = s;
    to[j] = t;
  }
  // each node's targets side by side (counting sort by source), then sorted: a repeated edge sits next to its twin
  const n = index.size;
  const start = new Int32Array(n + 1);
  for (let j = 0; j < from.length; j++) start[(from[j] as number) + 1]! += 1;
  for (let i = 0; i < n; i++) start[i + 1]! += start[i] as number;
  const fill = start.slice(0, n);
  const succ = new Int32Array(from.length);
  for (let j = 0; j < from.length; j++) succ[fill[from[j] as number]!++] = to[j] as number;
  for (let i = 0; i < n; i++) {
    const targets = succ.subarray(start[i], start[i + 1]).sort();
    for (let k = 1; k < targets.length; k++) {
      if (targets[k] === targets[k - 1]) {
        const e = g.edges.find((x) => index.get(x.source) === i && index.get(x.target) === targets[k]) as SerializedGraph['edges'][number];
        return `is not a valid graph: the edge ${e.source} -> ${e.target} appears twice`;
      }
    }
  }
  return null;
}

export async function loadGraph(path: string): Promise<Result<SerializedGraph, string>> {
  let x: unknown;
  try {
    x = await readJsonFile(path);
  } catch (e: unknown) {
    if (e instanceof SyntaxError) return err(`${path}: not valid JSON`);
    const code = (e as NodeJS.ErrnoException).code;
    return err(`${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a graph.json' : 'cannot be read'}`);
  }
  const v = await validateGraph(x);
  return v.ok ? v : err(`${path}: ${v.error}`);
}
