// graph.json → actions.json. Each action node becomes a typed action with a typed toolchain, inputs
// addressed by content (sources) or by producer (generated files), paths rewritten to /continuity,
// and a key computed over the coset-normalized command.
import { basename, dirname, join, extname } from 'node:path';
import { hashFile as hashFileMemo } from '../util/hash-memo.js';
import { type PathType, pathType } from '../util/witness.js';
import type { ActionNode, SerializedGraph } from '../model/graph.js';
import type { ActionKey, Sha256 } from '../model/hash.js';
import { type Result, ok, err } from '../model/result.js';
import type { Flag } from '../model/seed.js';
import type { ActionKind, ActionsFile, LoweredAction, LoweredInput, LoweredOutput, LoweredToolchain } from './actions.js';
import { ACTION_KINDS } from './actions.js';
import { classifyArgs, cosetArgs, hermeticArgs, typedFlags, type ClassifiedArg, type TypedFlags } from './flags/classify.js';
import { gccTable } from './flags/gcc.js';
import { clangTable } from './flags/clang.js';
import { nvccTable } from './flags/nvcc.js';
import type { FlagTable } from './flags/table.js';
import { pathRewriter, type PathRewriter } from './paths.js';
import { inClosure, toolClosure } from './closure.js';
import { type ToolIdentity, hostMachine, probeTool, toolFamily } from './tool-probe.js';
import { parseTripleString, withTargetDetails } from './triple.js';
import { computeKeys } from './key.js';

export type LowerErrorReason = 'bad-graph' | 'missing-input' | 'missing-tool' | 'cycle';
export interface LowerError {
  reason: LowerErrorReason;
  message: string;
}
const fail = (reason: LowerErrorReason, message: string): { ok: false; error: LowerError } => err({ reason, message });

/** Structural check of a parsed graph.json (the parts lowering relies on). */
export function checkGraph(x: unknown): Result<SerializedGraph, string> {
  if (typeof x !== 'object' || x === null) return err('not a JSON object');
  const g = x as Partial<SerializedGraph>;
  const a = g.attributes;
  if (!a || typeof a !== 'object') return err('missing graph attributes');
  if (a.version !== 1) return err(`unsupported graph version ${JSON.stringify(a.version)}`);
  if (typeof a.srcdir !== 'string' || !a.srcdir.startsWith('/')) return err('attribute srcdir is not an absolute path');
  if (typeof a.builddir !== 'string' || !a.builddir.startsWith('/')) return err('attribute builddir is not an absolute path');
  if (!Array.isArray(g.nodes) || !Array.isArray(g.edges)) return err('nodes/edges missing');
  for (const n of g.nodes) {
    const at = n?.attributes as unknown as Record<string, unknown> | undefined;
    if (typeof n?.key !== 'string' || !at) return err('a node has no key or attributes');
    if (at['type'] === 'action') {
      const args = at['args'];
      if (!Array.isArray(args) || args.length === 0 || !args.every((s) => typeof s === 'string')) return err(`node ${n.key}: args malformed`);
      if (!Array.isArray(at['inputs']) || !Array.isArray(at['outputs'])) return err(`node ${n.key}: inputs/outputs malformed`);
      if (typeof at['cwd'] !== 'string') return err(`node ${n.key}: cwd malformed`);
      if (!['compile', 'archive', 'link', 'custom'].includes(at['category'] as string)) return err(`node ${n.key}: unknown category ${JSON.stringify(at['category'])}`);
    } else if (at['type'] === 'file') {
      if (typeof at['path'] !== 'string') return err(`node ${n.key}: path malformed`);
    } else return err(`node ${n.key}: unknown type`);
  }
  return ok(g as SerializedGraph);
}

function actionKind(n: ActionNode): ActionKind {
  switch (n.category) {
    case 'compile': {
      const lang = n.language ?? languageOf(n.inputs[0] ?? '');
      return lang === 'c++' ? 'compile-c++' : lang === 'cuda' ? 'compile-cuda' : lang === 'asm' ? 'compile-asm' : 'compile-c';
    }
    case 'archive':
      return 'archive';
    case 'link':
      return n.args.includes('-shared') || n.args.includes('--shared') || n.outputs.some((o) => /\.so(\.[0-9.]+)?$|\.dylib$/.test(o))
        ? 'link-shared'
        : 'link-executable';
    case 'custom':
      return 'custom';
  }
}

function languageOf(p: string): 'c' | 'c++' | 'cuda' | 'asm' {
  const e = extname(p).toLowerCase();
  if (e === '.cu') return 'cuda';
  if (['.cc', '.cpp', '.cxx', '.c++'].includes(e) || extname(p) === '.C') return 'c++';
  if (['.s', '.sx'].includes(e)) return 'asm';
  return 'c';
}

const tableFor = (tool: string): FlagTable | null => {
  const f = toolFamily(tool);
  return f === 'nvcc' ? nvccTable : f === 'clang' ? clangTable : f === 'gcc' ? gccTable : null;
};

const EMPTY_TYPED: TypedFlags = { flags: [], includeDirs: [], defines: [], undefines: [], other: [], ignored: [] };

type Prober = (tool: string) => Promise<Result<ToolIdentity, string>>;

async function loweredToolchain(tool: string, probe: Prober, classified: readonly ClassifiedArg[] | null, flags: Flag[]): Promise<Result<LoweredToolchain & { realPath: string }, string>> {
  const id = await probe(tool);
  if (!id.ok) return id;
  const machine = id.value.machine ?? hostMachine();
  const host = parseTripleString(machine);
  let targetRaw = machine;
  let cpu: string | null = null;
  const gpus: string[] = [];
  for (const c of classified ?? []) {
    if (c.cls === 'target' && c.value) targetRaw = c.value;
    if ((c.cls === 'march' || c.cls === 'mcpu') && c.value) cpu = c.value;
    if ((c.cls === 'gpu-arch' || c.cls === 'gencode') && c.value) gpus.push(c.value);
  }
  const target = withTargetDetails(parseTripleString(targetRaw), cpu, gpus);
  return ok({
    compiler: { hash: id.value.sha256, name: id.value.realPath },
    host: host.triple,
    target: target.triple,
    flags,
    sysroot: null,
    tool,
    version: id.value.version,
    hostOther: host.other,
    targetOther: target.other,
    realPath: id.value.realPath,
  });
}

const shellQuote = (a: string): string => (/^[A-Za-z0-9_./=:,+@%-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);

/** Steps run after the main command on its outputs (ranlib after ar) join it in one shell command. */
function withPost(command: string[], post: readonly string[][]): string[] {
  if (post.length === 0) return command;
  return ['/bin/sh', '-c', [command, ...post].map((argv) => argv.map(shellQuote).join(' ')).join(' && ')];
}

/** The real tool behind a post step's argv[0] (a shim while confessing): beside the main tool, else on the standard PATH. */
function postTool(argv0: string, mainTool: string, exists: (p: string) => boolean): string {
  const name = basename(argv0);
  for (const dir of [dirname(mainTool), '/usr/local/bin', '/usr/bin', '/bin']) {
    const p = join(dir, name);
    if (exists(p)) return p;
  }
  return argv0;
}

export interface LowerOptions {
  /** where graph.json was read from: its directory may hold coeffects.json */
  graphPath?: string;
  /** filled in with what lowering consulted besides the graph (src/lower/cache.ts keeps results by it) */
  deps?: LowerDeps;
}

/** What lowering read besides the graph and the sources' bytes: the tools it probed, and what it found at
 *  the paths it looked at (a post step's tool, a coeffects file, an input that is a directory). */
export interface LowerDeps {
  tools: Set<string>;
  paths: Map<string, PathType>;
}

/** Lowers a graph. Reads every source input once to hash it. */
export async function lowerGraph(graph: SerializedGraph, opts: LowerOptions = {}): Promise<Result<ActionsFile, LowerError>> {
  const checked = checkGraph(graph);
  if (!checked.ok) return fail('bad-graph', checked.error);
  const look = (p: string): PathType => {
    const t = pathType(p);
    opts.deps?.paths.set(p, t);
    return t;
  };
  const exists = (p: string): boolean => look(p) !== 'none';
  // each tool probed once per lowering (and recorded for the lowered-actions cache)
  const probed = new Map<string, Promise<Result<ToolIdentity, string>>>();
  const probe: Prober = (tool) => {
    let p = probed.get(tool);
    if (!p) {
      opts.deps?.tools.add(tool);
      p = probeTool(tool);
      probed.set(tool, p);
    }
    return p;
  };
  const { srcdir, builddir } = graph.attributes;
  const rw: PathRewriter = pathRewriter({ srcdir, builddir });
  const actions = graph.nodes.filter((n) => n.attributes.type === 'action') as { key: string; attributes: ActionNode }[];

  // producer of every output path; an action that rewrites a file in place (ranlib) supersedes the first producer
  const producers = new Map<string, string[]>();
  for (const a of actions) for (const o of a.attributes.outputs) producers.set(o, [...(producers.get(o) ?? []), a.key]);
  const byKey = new Map(actions.map((a) => [a.key, a.attributes]));
  const producerFor = (path: string, consumer: string): string | null => {
    const all = producers.get(path);
    if (all === undefined) return null;
    const ps = all.filter((p) => p !== consumer);
    if (ps.length === 0) return null;
    if (ps.length === 1) return ps[0] as string;
    return ps.find((p) => byKey.get(p)?.inputs.includes(path)) ?? (ps[ps.length - 1] as string);
  };

  const fakes = new Set<string>();
  for (const n of graph.nodes) {
    const f = n.attributes;
    if (f.type === 'file' && (f.fake === true || f.role === 'fake')) fakes.add(f.path);
  }

  const hashes = new Map<string, Sha256>();
  const hashFile = async (p: string): Promise<Sha256 | null> => {
    const h = hashes.get(p);
    if (h) return h;
    const v = await hashFileMemo(p);
    if (v) hashes.set(p, v);
    return v;
  };

  // one input object per file (and per producer's output), shared by every action reading it: a header is
  // read by thousands of compiles, and nothing changes an input in place
  const sourceInputs = new Map<string, Extract<LoweredInput, { kind: 'source' }>>();
  const generatedInputs = new Map<string, Extract<LoweredInput, { kind: 'generated' }>>();
  const lowered: LoweredAction[] = [];
  for (const { key: id, attributes: n } of actions) {
    const kind = actionKind(n);
    const tool = n.real && n.real.startsWith('/') ? n.real : (n.args[0] as string);
    const rest = n.args.slice(1);
    const table = kind === 'custom' || kind === 'archive' ? null : tableFor(tool);
    const classified = table ? classifyArgs(table, rest) : null;
    const typed = classified ? typedFlags(classified) : EMPTY_TYPED;
    const tc = await loweredToolchain(tool, probe, classified, typed.flags);
    if (!tc.ok) return fail('missing-tool', `action ${id}: ${tc.error}`);
    const { realPath, ...toolchain } = tc.value;

    const post = (n.post ?? []).map((argv) => [postTool(argv[0] ?? '', tool, exists), ...argv.slice(1).map(rw.arg)]);
    const command = withPost([tool, ...(classified ? hermeticArgs(classified) : rest).map(rw.arg)], post);
    const keyCommand = withPost([tool, ...(classified ? cosetArgs(classified) : rest).map(rw.arg)], post);
    const closure = toolClosure([realPath, ...post.map((argv) => argv[0] as string)]);

    const inputs: LoweredInput[] = [];
    const seen = new Set<string>();
    for (const p of [...n.inputs, ...(n.deps ?? [])]) {
      if (seen.has(p)) continue;
      seen.add(p);
      const producer = producerFor(p, id);
      const sandboxPath = rw.path(p);
      if (producer) {
        const k = `${producer}\0${p}`;
        let g = generatedInputs.get(k);
        if (!g) generatedInputs.set(k, (g = { kind: 'generated', path: sandboxPath, producer, output: rw.outputName(rw.arg(p)) }));
        inputs.push(g);
        continue;
      }
      if (!rw.inTree(p) && inClosure(p, closure)) continue; // part of the toolchain closure
      const h = await hashFile(p);
      if (!h) {
        if (!exists(p)) return fail('missing-input', `action ${id} (${kind}) reads ${p}, which does not exist and no action makes`);
        continue; // a directory: nothing to stage
      }
      let src = sourceInputs.get(p);
      if (!src || src.sha256 !== h) sourceInputs.set(p, (src = { kind: 'source', path: sandboxPath, host: p, sha256: h, ...(fakes.has(p) ? { fake: true as const } : {}) }));
      inputs.push(src);
    }
    inputs.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const outputs: LoweredOutput[] = n.outputs.map((o) => {
      const path = rw.inTree(o) ? rw.arg(o) : o;
      return { name: rw.outputName(path), path };
    });
    const env = Object.entries(n.env ?? {}).map(([k, v]): [string, string] => [k, rw.arg(v)]).sort((a, b) => (a[0] < b[0] ? -1 : 1));
    const identifier = outputs[0]?.name ?? id;
    lowered.push({
      id,
      key: '' as ActionKey,
      kind,
      action: { category: kind, identifier, inputs: [], outputs: outputs.map((o) => o.name), command, env },
      cwd: rw.inTree(n.cwd) ? rw.arg(n.cwd) : n.cwd,
      toolchain,
      closure,
      inputs,
      outputs,
      keyCommand,
      includeDirs: typed.includeDirs.map((d) => ({ ...d, dir: rw.arg(d.dir) })),
      defines: typed.defines,
      undefines: typed.undefines,
      other: typed.other.map((o) => ({ ...o, args: o.args.map(rw.arg) })),
      ignored: typed.ignored,
    });
  }
  const keyed = computeKeys(lowered);
  if (!keyed.ok) return fail('cycle', keyed.error);
  let coeffectsFile: string | null = null;
  if (opts.graphPath) {
    const c = join(dirname(opts.graphPath), 'coeffects.json');
    if (exists(c)) coeffectsFile = c;
  }
  return ok({ version: 1, kind: 'continuity-actions', srcdir, builddir, coeffectsFile, actions: keyed.value });
}

/** Structural check of a parsed actions.json. */
export function checkActionsFile(x: unknown): Result<ActionsFile, string> {
  if (typeof x !== 'object' || x === null) return err('not a JSON object');
  const f = x as Partial<ActionsFile>;
  if (f.kind !== 'continuity-actions' || f.version !== 1) return err('not a continuity actions file (version 1)');
  if (!Array.isArray(f.actions)) return err('actions missing');
  for (const a of f.actions) {
    if (typeof a?.id !== 'string' || !ACTION_KINDS.includes(a.kind)) return err(`action ${String(a?.id)}: malformed`);
    if (!Array.isArray(a.inputs) || !Array.isArray(a.outputs) || !Array.isArray(a.action?.command)) return err(`action ${a.id}: malformed`);
  }
  return ok(f as ActionsFile);
}
