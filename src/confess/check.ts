// `continuity check -- <build command>`: the faithfulness theorem as a test a user can run. The build
// runs twice from pristine copies of the current directory, at the same path (so every path compares
// as is): once confessing (nothing compiled), once observing (the real tools). Every difference between
// the two graphs' actions (arguments, inputs, headers, outputs) is reported.
import { join, resolve, relative, sep } from 'node:path';
import { cp, mkdir, rename, rm } from 'node:fs/promises';
import { UserError } from '../model/result.js';
import type { ActionNode, SerializedGraph } from '../model/graph.js';
import { isDirectory, writeFileAtomic, assertOutDir } from '../util/fs.js';
import { runWrap, type WrapMode, type WrapSummary } from './wrap.js';

export interface CheckOptions {
  command: string[];
  cwd?: string;
  out: string;
  jobs?: number | undefined;
  realShell?: string;
  log: (line: string) => void;
}

export interface Difference {
  kind: 'only-confessed' | 'only-observed' | 'differs';
  /** the action: its category and first output */
  action: string;
  field?: string;
  confess?: unknown;
  observe?: unknown;
}

export interface CheckResult {
  differences: Difference[];
  confess: WrapSummary;
  observe: WrapSummary;
  /** where the build ran (both times) */
  tree: string;
}

const FIELDS = ['category', 'language', 'tool', 'real', 'cwd', 'args', 'env', 'inputs', 'deps', 'outputs', 'post'] as const;

function actionsByKey(g: SerializedGraph): Map<string, ActionNode> {
  const m = new Map<string, ActionNode>();
  for (const n of g.nodes) {
    const a = n.attributes;
    if (a.type !== 'action') continue;
    const key = `${a.category} ${[...a.outputs].sort().join(' ') || a.args.join(' ')}`;
    let k = key;
    for (let i = 2; m.has(k); i++) k = `${key} #${i}`;
    m.set(k, a);
  }
  return m;
}

const canon = (field: string, v: unknown): string => {
  if (v === undefined) return 'null';
  return JSON.stringify(field === 'deps' || field === 'inputs' ? [...(v as string[])].sort() : v);
};

/** Every difference between a confessed and an observed graph of the same build at the same path. */
export function compareGraphs(confess: SerializedGraph, observe: SerializedGraph): Difference[] {
  const c = actionsByKey(confess);
  const o = actionsByKey(observe);
  const diffs: Difference[] = [];
  for (const [k, a] of c) {
    const b = o.get(k);
    if (!b) {
      diffs.push({ kind: 'only-confessed', action: k });
      continue;
    }
    for (const f of FIELDS) {
      const x = (a as unknown as Record<string, unknown>)[f];
      const y = (b as unknown as Record<string, unknown>)[f];
      if (canon(f, x) !== canon(f, y)) diffs.push({ kind: 'differs', action: k, field: f, confess: x ?? null, observe: y ?? null });
    }
  }
  for (const k of o.keys()) if (!c.has(k)) diffs.push({ kind: 'only-observed', action: k });
  return diffs;
}

export function formatDifference(d: Difference): string {
  switch (d.kind) {
    case 'only-confessed':
      return `only in the confessed graph: ${d.action}`;
    case 'only-observed':
      return `only in the observed graph: ${d.action}`;
    case 'differs':
      return `${d.action}: ${d.field} differs: confessed ${JSON.stringify(d.confess)}, observed ${JSON.stringify(d.observe)}`;
  }
}

/** A pristine copy of `from` at `to` (timestamps kept, so make sees the same state), leaving out `skip`. */
async function pristineCopy(from: string, to: string, skip: string): Promise<void> {
  await rm(to, { recursive: true, force: true });
  await cp(from, to, {
    recursive: true, preserveTimestamps: true, verbatimSymlinks: true,
    filter: (src) => {
      const r = relative(skip, src);
      return !(r === '' || (!r.startsWith('..') && !r.startsWith(sep)));
    },
  });
}

export async function runCheck(opts: CheckOptions): Promise<CheckResult> {
  const cwd = resolve(opts.cwd ?? process.cwd());
  if (!(await isDirectory(cwd))) throw new UserError(`${cwd}: no such directory`);
  const out = resolve(cwd, opts.out);
  await assertOutDir(out, '--out');
  const tree = join(out, 'tree');
  await mkdir(out, { recursive: true });
  await rm(join(out, 'check.json'), { force: true });
  // The build runs at <out>/tree with the relative position it had in the original directory.
  const summaries: Partial<Record<WrapMode, WrapSummary>> = {};
  for (const mode of ['confess', 'observe'] as const) {
    opts.log(`copying ${cwd} for the ${mode} run`);
    await pristineCopy(cwd, tree, out);
    const s = await runWrap({
      command: opts.command, cwd: tree, out: join(out, mode), mode, jobs: opts.jobs,
      ...(opts.realShell ? { realShell: opts.realShell } : {}), log: opts.log,
    });
    const kept = join(out, `tree-${mode}`);
    await rm(kept, { recursive: true, force: true });
    await rename(tree, kept);
    summaries[mode] = s;
    if (!s.complete) return { differences: [], confess: s, observe: s, tree };
  }
  const confess = summaries.confess as WrapSummary;
  const observe = summaries.observe as WrapSummary;
  const differences = compareGraphs(confess.graph, observe.graph);
  await writeFileAtomic(join(out, 'check.json'), JSON.stringify({ command: opts.command, tree, differences }, null, 2) + '\n');
  return { differences, confess, observe, tree };
}
