// Reports (and the steps that were not compiler calls) → the DAG of file and action nodes, as graph.json
// holds it (buildSerializedGraph) or as a graphology graph (buildGraph, the same graph).
// Invariants: every file has at most one producing action; edges go file → action → file; no cycles.
import { createRequire } from 'node:module';
import type graphology from 'graphology';
import type * as GraphologyDag from 'graphology-dag';
import type { Report } from '../model/report.js';
import {
  type ActionNode, type FileNode, type FileRole, type GraphAttributes, type NodeAttributes,
  type SerializedGraph, fileKey,
} from '../model/graph.js';
import { languageOf } from './language.js';

export type BuildGraph = InstanceType<typeof graphology.DirectedGraph<NodeAttributes, Record<string, never>, GraphAttributes>>;

// The graph library is loaded on first use: building graph.json (buildSerializedGraph) needs none of it.
const require = createRequire(import.meta.url);
const lib = (): { graph: typeof graphology; dag: typeof GraphologyDag } =>
  ({ graph: require('graphology') as typeof graphology, dag: require('graphology-dag') as typeof GraphologyDag });

/** A step the build ran that was not a compiler call (from the build system's own records). */
export interface CustomStep {
  command: string;
  cwd: string;
  inputs: string[];
  outputs: string[];
  /** the build system's name for the rule, when it has one */
  rule: string | null;
  /** outputs that are symlinks, with the absolute path each points at: who reads one reads that too */
  symlinks?: [string, string][];
}

interface PendingAction {
  attrs: ActionNode;
  sortKey: string;
}

function roleForOutput(r: Report, path: string): FileRole {
  switch (r.role) {
    case 'compile':
      return path.endsWith('.s') ? 'asm' : 'object';
    case 'archive':
    case 'ranlib':
      return 'archive';
    case 'link': {
      if (r.args.includes('-shared') || /\.so(\.\d+)*$/.test(path)) return 'shared';
      if (r.args.includes('-r')) return 'object';
      return 'executable';
    }
    case 'query':
      return 'other';
  }
}

function actionFromReport(r: Report): ActionNode | null {
  const base = {
    type: 'action' as const,
    tool: r.tool,
    real: r.real,
    cwd: r.cwd,
    args: r.args,
    env: r.env,
    inputs: r.inputs.map((f) => f.path),
    outputs: r.outputs.map((f) => f.path),
    rid: r.rid,
    exit: r.exit,
  };
  switch (r.role) {
    case 'compile': {
      const src = r.inputs[0]?.path ?? '';
      const srcArg = r.args.find((a) => a === src || (a.length > 0 && src.endsWith('/' + a))) ?? src;
      const language = languageOf(r.args, srcArg, r.kind);
      const inputs = new Set(base.inputs);
      const deps = r.deps.filter((d) => !inputs.has(d));
      return { ...base, category: 'compile', language, deps };
    }
    case 'archive':
      return { ...base, category: 'archive', language: null, deps: [] };
    case 'link': {
      // headers of sources compiled by the link call itself, and linker scripts (-Wl,--version-script)
      const inputs = new Set(base.inputs);
      return { ...base, category: 'link', language: null, deps: r.deps.filter((d) => !inputs.has(d)) };
    }
    case 'ranlib':
    case 'query':
      return null;
  }
}

export interface GraphBuildResult {
  graph: BuildGraph;
  warnings: string[];
}

export interface SerializedGraphBuildResult {
  graph: SerializedGraph;
  warnings: string[];
}

/**
 * Builds the DAG. `ranlib` calls fold into the archive action that made their archive (as `post` steps);
 * queries (-E, --version, ...) are not build steps and are left out.
 */
export function buildGraph(
  reports: readonly Report[],
  customs: readonly CustomStep[],
  attributes: GraphAttributes,
  opts: { fakeRoots?: readonly string[] } = {},
): GraphBuildResult {
  const { graph, warnings } = buildSerializedGraph(reports, customs, attributes, opts);
  return { graph: deserializeGraph(graph), warnings };
}

/**
 * The graph buildGraph makes, exported as graph.json holds it (nodes and edges in the same order), built
 * without a graph library's bookkeeping: every edge touches an action, so duplicates are found per action.
 * Node attributes are the reports' own arrays, not copies.
 */
export function buildSerializedGraph(
  reports: readonly Report[],
  customs: readonly CustomStep[],
  attributes: GraphAttributes,
  opts: { fakeRoots?: readonly string[] } = {},
): SerializedGraphBuildResult {
  const warnings: string[] = [];
  const pending: PendingAction[] = [];
  const producerOf = new Map<string, PendingAction>();
  const outputRole = new Map<string, FileRole>();
  const tokenOf = new Map<string, string>();
  const ranlibs: Report[] = [];

  const claim = (p: PendingAction, path: string): void => {
    const prev = producerOf.get(path);
    if (prev && prev !== p) {
      warnings.push(`${path} is written by two steps; the later one (${p.attrs.tool}) is kept as its producer`);
      prev.attrs.outputs = prev.attrs.outputs.filter((o) => o !== path);
    }
    producerOf.set(path, p);
  };

  for (const r of reports) {
    if (r.role === 'ranlib') {
      ranlibs.push(r);
      continue;
    }
    const attrs = actionFromReport(r);
    if (!attrs) continue;
    const p: PendingAction = { attrs, sortKey: attrs.outputs[0] ?? `~${r.rid}` };
    pending.push(p);
    for (const o of r.outputs) {
      claim(p, o.path);
      outputRole.set(o.path, roleForOutput(r, o.path));
      if (o.token) tokenOf.set(o.path, o.token);
    }
  }
  for (const r of ranlibs) {
    const target = r.inputs[0]?.path ?? r.outputs[0]?.path;
    const p = target ? producerOf.get(target) : undefined;
    if (p && p.attrs.category === 'archive') {
      p.attrs.post = [...(p.attrs.post ?? []), r.args];
    } else {
      warnings.push(`ranlib of ${target ?? '(nothing)'} has no archive step before it; left out`);
    }
  }
  for (const c of customs) {
    const outputs = c.outputs.filter((o) => !producerOf.has(o));
    if (outputs.length === 0) continue;
    const attrs: ActionNode = {
      type: 'action', category: 'custom', language: null, tool: 'sh', real: '/bin/sh', cwd: c.cwd,
      args: ['/bin/sh', '-c', c.command], env: {}, inputs: [...c.inputs], deps: [], outputs, rid: null, exit: 0,
    };
    if (c.rule) attrs.rule = c.rule;
    const p: PendingAction = { attrs, sortKey: outputs[0] as string };
    pending.push(p);
    for (const o of outputs) {
      claim(p, o);
      outputRole.set(o, 'generated');
    }
  }

  // Reading a symlink a step made reads what it points at: that file is an input too.
  const linkTo = new Map<string, string>(customs.flatMap((c) => c.symlinks ?? []));
  if (linkTo.size > 0) {
    for (const p of pending) {
      const a = p.attrs;
      const seen = new Set([...a.inputs, ...a.deps, ...a.outputs]);
      for (const f of [...a.inputs, ...a.deps]) {
        for (let t = linkTo.get(f); t !== undefined && !seen.has(t); t = linkTo.get(t)) {
          seen.add(t);
          a.deps = [...a.deps, t];
        }
      }
    }
  }

  pending.sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
  const fakeRoots = opts.fakeRoots ?? [];
  const isFake = (p: string): boolean => fakeRoots.some((root) => p === root || p.startsWith(root + '/'));
  const nodes: SerializedGraph['nodes'] = [];
  const edges: SerializedGraph['edges'] = [];
  /** path → node key, for the files that are nodes already (one key string per file, shared by its edges) */
  const fileKeys = new Map<string, string>();

  const ensureFile = (path: string, role: FileRole): string => {
    let key = fileKeys.get(path);
    if (key === undefined) {
      key = fileKey(path);
      fileKeys.set(path, key);
      const node: FileNode = { type: 'file', path, role: outputRole.get(path) ?? role };
      const tok = tokenOf.get(path);
      if (tok) node.token = tok;
      if (isFake(path)) {
        node.fake = true;
        node.role = 'fake';
      }
      nodes.push({ key, attributes: node });
    }
    return key;
  };

  pending.forEach((p, i) => {
    const key = `action:${i}`;
    nodes.push({ key, attributes: p.attrs });
    const a = p.attrs;
    const inRole: FileRole = a.category === 'compile' ? 'source' : 'other';
    // this action's edges in the order they are made; an input edge dropped later becomes null
    const mine: ({ source: string; target: string } | null)[] = [];
    const inputAt = new Map<string, number>();
    const into = (k: string): void => {
      if (inputAt.has(k)) return;
      inputAt.set(k, mine.length);
      mine.push({ source: k, target: key });
    };
    for (const f of a.inputs) into(ensureFile(f, inRole));
    for (const f of a.deps) into(ensureFile(f, 'header'));
    const outs = new Set<string>();
    for (const f of a.outputs) {
      const k = ensureFile(f, 'other');
      if (outs.has(k)) continue;
      const at = inputAt.get(k);
      if (at !== undefined) {
        // A step that rewrites its own input in place (ar q on an existing archive): the input edge goes.
        mine[at] = null;
        inputAt.delete(k);
      }
      outs.add(k);
      mine.push({ source: key, target: k });
    }
    for (const e of mine) if (e !== null) edges.push(e);
  });

  const graph: SerializedGraph = {
    attributes: { ...attributes },
    options: { type: 'directed', multi: false, allowSelfLoops: false },
    nodes,
    edges,
  };
  if (serializedHasCycle(graph)) {
    warnings.push('the graph has a cycle');
  }
  return { graph, warnings };
}

/** Whether the graph has a cycle (Kahn's algorithm over node indices); every edge must name a node. */
export function serializedHasCycle(graph: SerializedGraph): boolean {
  const index = new Map<string, number>();
  graph.nodes.forEach((n, i) => index.set(n.key, i));
  const n = graph.nodes.length;
  const m = graph.edges.length;
  const from = new Int32Array(m);
  const to = new Int32Array(m);
  const start = new Int32Array(n + 1);
  const indegree = new Int32Array(n);
  graph.edges.forEach((e, j) => {
    const s = index.get(e.source);
    const t = index.get(e.target);
    if (s === undefined || t === undefined) throw new Error(`edge ${e.source} -> ${e.target} names a missing node`);
    from[j] = s;
    to[j] = t;
    start[s + 1]!++;
    indegree[t]!++;
  });
  for (let i = 0; i < n; i++) start[i + 1]! += start[i]!;
  const fill = start.slice(0, n);
  const succ = new Int32Array(m);
  for (let j = 0; j < m; j++) succ[fill[from[j]!]!++] = to[j]!;
  const ready: number[] = [];
  for (let i = 0; i < n; i++) if (indegree[i] === 0) ready.push(i);
  let seen = 0;
  while (ready.length > 0) {
    const v = ready.pop() as number;
    seen++;
    for (let j = start[v]!; j < start[v + 1]!; j++) {
      const w = succ[j]!;
      if (--indegree[w]! === 0) ready.push(w);
    }
  }
  return seen < n;
}

export function graphHasCycle(graph: BuildGraph): boolean {
  return lib().dag.hasCycle(graph);
}

/** Action keys in dependency order (inputs before the actions that use them). */
export function actionOrder(graph: BuildGraph): string[] {
  return lib().dag.topologicalSort(graph).filter((k) => graph.getNodeAttributes(k).type === 'action');
}

export function serializeGraph(graph: BuildGraph): SerializedGraph {
  const exported = graph.export();
  return {
    attributes: exported.attributes as GraphAttributes,
    options: { type: 'directed', multi: false, allowSelfLoops: false },
    nodes: exported.nodes.map((n) => ({ key: n.key, attributes: n.attributes as NodeAttributes })),
    edges: exported.edges.map((e) => ({ source: e.source, target: e.target })),
  };
}

export function deserializeGraph(s: SerializedGraph): BuildGraph {
  const graph: BuildGraph = new (lib().graph.DirectedGraph)<NodeAttributes, Record<string, never>, GraphAttributes>();
  graph.replaceAttributes(s.attributes);
  for (const n of s.nodes) graph.addNode(n.key, n.attributes);
  for (const e of s.edges) graph.addEdge(e.source, e.target);
  return graph;
}
