// A graph that grows while a build runs: shim reports become view events, kept so a page that connects
// late gets a snapshot, and fanned out to every listener. At the end the finished graph.json replaces
// the provisional one (its action keys are the final `action:<n>`).
import { EventEmitter } from 'node:events';
import type { ActionNode, FileRole, GraphAttributes, NodeAttributes, SerializedGraph } from '../model/graph.js';
import { fileKey } from '../model/graph.js';
import type { Report } from '../model/report.js';
import { languageOf } from '../graph/language.js';
import type { SnapshotMessage, ViewEvent } from './events.js';

/** The provisional key of the action a report describes; replaced by `action:<n>` in the final graph. */
export const liveActionKey = (rid: string): string => `live:${rid}`;

function outputRole(r: Report, path: string): FileRole {
  if (r.role === 'compile') return path.endsWith('.s') ? 'asm' : 'object';
  if (r.role === 'archive') return 'archive';
  if (r.args.includes('-shared') || /\.so(\.\d+)*$/.test(path)) return 'shared';
  return 'executable';
}

/** What the view learns from one report: an action, its files and the edges between them (queries and ranlib add nothing). */
export function reportEvents(r: Report): ViewEvent[] {
  if (r.role !== 'compile' && r.role !== 'archive' && r.role !== 'link') return [];
  const key = liveActionKey(r.rid);
  const inputs = r.inputs.map((f) => f.path);
  const inputSet = new Set(inputs);
  const deps = r.role === 'compile' ? r.deps.filter((d) => !inputSet.has(d)) : [];
  const language = r.role === 'compile' ? languageOf(r.args, inputs[0] ?? '', r.kind) : null;
  const action: ActionNode = {
    type: 'action', category: r.role, language, tool: r.tool, real: r.real, cwd: r.cwd, args: r.args,
    env: r.env, inputs, deps, outputs: r.outputs.map((f) => f.path), rid: r.rid, exit: r.exit,
  };
  // The action first: a page drawing files on demand has something to show from the first event.
  const events: ViewEvent[] = [{ type: 'node', key, attributes: action }];
  const inRole: FileRole = r.role === 'compile' ? 'source' : 'other';
  for (const p of inputs) events.push({ type: 'node', key: fileKey(p), attributes: { type: 'file', path: p, role: inRole } });
  for (const p of deps) events.push({ type: 'node', key: fileKey(p), attributes: { type: 'file', path: p, role: 'header' } });
  for (const o of r.outputs) {
    const file: NodeAttributes = { type: 'file', path: o.path, role: outputRole(r, o.path) };
    if (o.token) file.token = o.token;
    events.push({ type: 'node', key: fileKey(o.path), attributes: file });
  }
  for (const p of [...inputs, ...deps]) events.push({ type: 'edge', source: fileKey(p), target: key });
  for (const o of r.outputs) events.push({ type: 'edge', source: key, target: fileKey(o.path) });
  return events;
}

export interface LiveGraphEvents {
  event: [ViewEvent];
  reset: [SnapshotMessage];
}

/**
 * The growing graph. A file node already known keeps the role it was first given unless a later report
 * says it is an output (a source seen first as an input never becomes an object, an object does).
 */
export class LiveGraph extends EventEmitter<LiveGraphEvents> {
  private attributes: GraphAttributes;
  private readonly nodes = new Map<string, NodeAttributes>();
  private readonly edges = new Map<string, { source: string; target: string }>();
  private finished = false;
  private failure: string | null = null;

  constructor(attributes: Partial<GraphAttributes> = {}) {
    super();
    this.attributes = {
      version: 1, complete: false, system: 'cmake', mode: 'confess', srcdir: '', builddir: '',
      created: new Date().toISOString(), errors: [], ...attributes,
    };
  }

  get done(): boolean {
    return this.finished;
  }

  get error(): string | null {
    return this.failure;
  }

  get nodeCount(): number {
    return this.nodes.size;
  }

  node(key: string): NodeAttributes | undefined {
    return this.nodes.get(key);
  }

  /** Applies a report as it arrives. Reports after `finish` or `fail` are ignored. */
  addReport(r: Report): void {
    if (this.finished) return;
    for (const e of reportEvents(r)) this.apply(e);
  }

  apply(e: ViewEvent): void {
    if (this.finished) return;
    switch (e.type) {
      case 'node': {
        const prev = this.nodes.get(e.key);
        if (prev && prev.type === 'file' && e.attributes.type === 'file') {
          const isOutput = !['source', 'header', 'other'].includes(e.attributes.role);
          if (!isOutput || prev.role === e.attributes.role) return;
        }
        this.nodes.set(e.key, e.attributes);
        break;
      }
      case 'edge': {
        const k = `${e.source}\u0000${e.target}`;
        if (this.edges.has(k)) return;
        this.edges.set(k, { source: e.source, target: e.target });
        break;
      }
      case 'done':
        this.finished = true;
        break;
      case 'failed':
        this.finished = true;
        this.failure = e.message;
        break;
    }
    this.emit('event', e);
  }

  /** The finished graph replaces the provisional one; listeners get it as a new snapshot. */
  finish(graph: SerializedGraph): void {
    this.attributes = graph.attributes;
    this.nodes.clear();
    this.edges.clear();
    for (const n of graph.nodes) this.nodes.set(n.key, n.attributes);
    for (const e of graph.edges) this.edges.set(`${e.source}\u0000${e.target}`, e);
    this.finished = true;
    this.emit('reset', this.snapshot());
  }

  fail(message: string): void {
    this.apply({ type: 'failed', message });
  }

  snapshot(): SnapshotMessage {
    const msg: SnapshotMessage = { type: 'snapshot', graph: this.serialize(), done: this.finished };
    if (this.failure !== null) msg.error = this.failure;
    return msg;
  }

  serialize(): SerializedGraph {
    return {
      attributes: this.attributes,
      options: { type: 'directed', multi: false, allowSelfLoops: false },
      nodes: [...this.nodes].map(([key, attributes]) => ({ key, attributes })),
      edges: [...this.edges.values()],
    };
  }
}
