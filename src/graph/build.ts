// Reports (and the steps that were not compiler calls) → a graphology DAG of file and action nodes.
// Invariants: every file has at most one producing action; edges go file → action → file; no cycles.
import graphology from 'graphology';
import { hasCycle, topologicalSort } from 'graphology-dag';
import type { Report } from '../model/report.js';
import {
  type ActionNode, type FileNode, type FileRole, type GraphAttributes, type NodeAttributes,
  type SerializedGraph, fileKey,
} from '../model/graph.js';
import { languageOf } from './language.js';

const { DirectedGraph } = graphology;
export type BuildGraph = InstanceType<typeof DirectedGraph<NodeAttributes, Record<string, never>, GraphAttributes>>;

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
  const graph: BuildGraph = new DirectedGraph<NodeAttributes, Record<string, never>, GraphAttributes>();
  graph.replaceAttributes(attributes);
  const fakeRoots = opts.fakeRoots ?? [];
  const isFake = (p: string): boolean => fakeRoots.some((root) => p === root || p.startsWith(root + '/'));

  const ensureFile = (path: string, role: FileRole): string => {
    const key = fileKey(path);
    if (!graph.hasNode(key)) {
      const node: FileNode = { type: 'file', path, role: outputRole.get(path) ?? role };
      const tok = tokenOf.get(path);
      if (tok) node.token = tok;
      if (isFake(path)) {
        node.fake = true;
        node.role = 'fake';
      }
      graph.addNode(key, node);
    }
    return key;
  };

  pending.forEach((p, i) => {
    const key = `action:${i}`;
    graph.addNode(key, p.attrs);
    const a = p.attrs;
    const inRole: FileRole = a.category === 'compile' ? 'source' : 'other';
    for (const f of a.inputs) {
      const k = ensureFile(f, inRole);
      if (!graph.hasEdge(k, key)) graph.addEdge(k, key);
    }
    for (const f of a.deps) {
      const k = ensureFile(f, 'header');
      if (!graph.hasEdge(k, key)) graph.addEdge(k, key);
    }
    for (const f of a.outputs) {
      const k = ensureFile(f, 'other');
      if (graph.hasEdge(key, k)) continue;
      if (graph.hasEdge(k, key)) {
        // A step that rewrites its own input in place (ar q on an existing archive): the input edge goes.
        graph.dropEdge(k, key);
      }
      graph.addEdge(key, k);
    }
  });

  if (hasCycle(graph)) {
    warnings.push('the graph has a cycle');
  }
  return { graph, warnings };
}

export function graphHasCycle(graph: BuildGraph): boolean {
  return hasCycle(graph);
}

/** Action keys in dependency order (inputs before the actions that use them). */
export function actionOrder(graph: BuildGraph): string[] {
  return topologicalSort(graph).filter((k) => graph.getNodeAttributes(k).type === 'action');
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
  const graph: BuildGraph = new DirectedGraph<NodeAttributes, Record<string, never>, GraphAttributes>();
  graph.replaceAttributes(s.attributes);
  for (const n of s.nodes) graph.addNode(n.key, n.attributes);
  for (const e of s.edges) graph.addEdge(e.source, e.target);
  return graph;
}
