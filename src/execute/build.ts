// actions → a hermetic build: sources rehashed (keys recomputed if they changed since lowering),
// actions scheduled over the DAG, outputs materialized under --out at their build-tree paths, and
// <out>/.continuity/build-record.json written last. Nothing is written to --out unless every action succeeded.
import { randomUUID } from 'node:crypto';
import { lstatSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hashFile, knownToHoldSync, rememberOwn } from '../util/hash-memo.js';
import { eachLimit, gate } from '../util/limit.js';
import { type Sha256, sha256Hex } from '../model/hash.js';
import type { BuildRecord, BuildRecordAction, BuildRecordInput, BuildRecordOutput } from '../model/build-record.js';
import { type Result, ok, err } from '../model/result.js';
import type { ActionsFile, LoweredAction } from '../lower/actions.js';
import { actionGraph, computeKeys } from '../lower/key.js';
import { copyFileAtomic, symlinkAtomic, writeFileAtomic } from './atomic.js';
import { type ActionFailure, cachedOutputs, runAction, type ExecContext } from './executor.js';
import { schedule } from './scheduler.js';
import { startLauncher } from './launcher.js';
import type { SandboxKind } from './sandbox.js';
import type { CachedOutput, Store } from './store.js';
import { topologicalSort } from 'graphology-dag';

export interface BuildOptions {
  out: string;
  store: Store;
  sandbox: SandboxKind;
  jobs: number;
  /** called as actions start and finish (the CLI draws a progress line with it) */
  onProgress?: (p: BuildProgress) => void;
}

export interface BuildProgress {
  total: number;
  done: number;
  running: string[];
  executed: number;
  cached: number;
  failed: number;
}

export interface FailedAction {
  id: string;
  identifier: string;
  kind: string;
  failure: ActionFailure;
}

export interface BuildSummary {
  total: number;
  executed: number;
  cached: number;
  failed: number;
  skipped: number;
  failures: FailedAction[];
  /** present when the build succeeded and --out was written */
  record: BuildRecord | null;
  recordPath: string | null;
  /** ids of the actions that ran (not served from cache) */
  executedIds: string[];
  /** every source the actions read, with the hash the keys were computed from */
  sources: { host: string; sha256: Sha256 }[];
  /** every output left in --out (absolute paths); empty unless the build succeeded */
  materialized: { path: string; sha256: Sha256; symlink: boolean }[];
}

/** Rehashes source inputs; when any changed since lowering, recomputes every key. */
export async function refreshSources(file: ActionsFile): Promise<Result<ActionsFile, string>> {
  const now = new Map<string, Sha256>();
  let changed = false;
  for (const a of file.actions) {
    for (const i of a.inputs) {
      if (i.kind !== 'source') continue;
      let h = now.get(i.host);
      if (h === undefined) {
        const got = await hashFile(i.host);
        if (!got) return err(`action ${a.id} (${a.action.identifier}) reads ${i.host}, which is missing`);
        now.set(i.host, (h = got));
      }
      if (h !== i.sha256) changed = true;
    }
  }
  // nothing changed (the common case): the actions as they are, without copying millions of inputs
  if (!changed) return ok(file);
  const actions: LoweredAction[] = file.actions.map((a) => ({
    ...a,
    inputs: a.inputs.map((i) => (i.kind === 'source' && now.get(i.host) !== i.sha256 ? { ...i, sha256: now.get(i.host) as Sha256 } : i)),
  }));
  const keyed = computeKeys(actions);
  return keyed.ok ? ok({ ...file, actions: keyed.value }) : keyed;
}

/** A file faked for a missing package while confessing cannot be built against: refuse, naming it. */
export function fakeInputError(file: ActionsFile): string | null {
  for (const a of file.actions) {
    const f = a.inputs.find((i) => i.kind === 'source' && i.fake === true);
    if (f && f.kind === 'source') {
      return `action ${a.id} (${a.action.identifier}) reads ${f.host}, a stand-in for a package this machine lacks (faked while confessing); install the package, or confess again with --fake-packages none`;
    }
  }
  return null;
}

export async function buildActions(file: ActionsFile, opts: BuildOptions): Promise<Result<BuildSummary, string>> {
  const startTime = Date.now();
  const fake = fakeInputError(file);
  if (fake) return err(fake);
  const refreshed = await refreshSources(file);
  if (!refreshed.ok) return refreshed;
  const actions = refreshed.value.actions;
  const g = actionGraph(actions);
  if (!g.ok) return g;
  const byId = new Map(actions.map((a) => [a.id, a]));
  // Up to twice -j actions are under way, but only -j commands run at once: the others are being staged
  // or having their outputs stored meanwhile, so that a core does not wait on that work between commands.
  const jobs = Math.max(1, opts.jobs);
  const ctx: ExecContext = { store: opts.store, sandbox: opts.sandbox, srcdir: file.srcdir, builddir: file.builddir, done: new Map(), slot: gate(jobs) };
  const progress: BuildProgress = { total: actions.length, done: 0, running: [], executed: 0, cached: 0, failed: 0 };
  const cachedIds = new Set<string>();
  const executedIds: string[] = [];
  const failures: FailedAction[] = [];
  // Cache lookups need no sandbox and no producer's outputs (keys already cover the inputs): they are made
  // up front, many at a time, so that a build with little to run is not paced by -j.
  const hits = new Map<string, CachedOutput[]>();
  await eachLimit(actions, LOOKUPS_AT_ONCE, async (a) => {
    const h = await cachedOutputs(a, ctx);
    if (h) hits.set(a.id, h);
  });
  // commands to run: they are started from the launcher, which forks cheaply (see launcher.ts)
  if (hits.size < actions.length && opts.sandbox !== 'none') ctx.launcher = startLauncher();
  const outcomes = await schedule(g.value, jobs * 2, async (id) => {
    const a = byId.get(id) as LoweredAction;
    progress.running.push(a.action.identifier);
    opts.onProgress?.(progress);
    const hit = hits.get(id);
    const r = hit ? { ok: true as const, cached: true, outputs: hit } : await runAction(a, ctx).catch((e: unknown) => ({
      ok: false as const,
      failure: { reason: 'internal' as const, message: e instanceof Error ? e.message : String(e), stderr: '' },
    }));
    progress.running = progress.running.filter((x) => x !== a.action.identifier);
    progress.done += 1;
    if (r.ok) {
      ctx.done.set(id, r.outputs);
      if (r.cached) {
        progress.cached += 1;
        cachedIds.add(id);
      } else {
        progress.executed += 1;
        executedIds.push(id);
      }
    } else {
      progress.failed += 1;
      failures.push({ id, identifier: a.action.identifier, kind: a.kind, failure: r.failure });
    }
    opts.onProgress?.(progress);
    return r.ok;
  });
  ctx.launcher?.close();
  const skipped = [...outcomes.values()].filter((o) => o === 'skipped').length;
  const summary: BuildSummary = {
    total: actions.length, executed: progress.executed, cached: progress.cached, failed: progress.failed, skipped,
    failures, record: null, recordPath: null, executedIds, sources: sourcesOf(actions), materialized: [],
  };
  if (failures.length > 0) return ok(summary);

  // materialize: of several producers of one path, the last in topological order wins (an in-place
  // update such as ranlib); distinct paths are written many at a time
  const last = new Map<string, { o: CachedOutput; a: LoweredAction }>();
  for (const id of topologicalSort(g.value)) {
    const a = byId.get(id) as LoweredAction;
    for (const o of ctx.done.get(id) ?? []) last.set(o.name.startsWith('/') ? join('.continuity', 'outside', o.name) : o.name, { o, a });
  }
  const outputs = new Map<string, BuildRecordOutput>();
  const materialized: BuildSummary['materialized'] = [];
  const links: string[] = [];
  const lost: string[] = [];
  await eachLimit([...last], LOOKUPS_AT_ONCE, async ([rel, { o, a }]) => {
    const target = join(opts.out, rel);
    outputs.set(rel, { path: rel, sha256: o.sha256, actionKey: a.key });
    materialized.push({ path: target, sha256: o.sha256, symlink: o.symlink === true });
    if (o.symlink) {
      links.push(rel);
      const bytes = await opts.store.readVerified(o.sha256);
      if (bytes) await symlinkAtomic(Buffer.from(bytes).toString('utf8'), target);
      else lost.push(`store object ${o.sha256} (${o.name}) vanished or was corrupted while materializing`);
      return;
    }
    // an output already in place (same bytes, by the hash memo or by hashing it, and the right mode) stays
    const mode = o.executable ? 0o755 : 0o644;
    if (modeIs(target, mode) && (knownToHoldSync(target, o.sha256) || (await hashFile(target)) === o.sha256)) return;
    if (!(await opts.store.holds(o.sha256))) {
      lost.push(`store object ${o.sha256} (${o.name}) vanished or was corrupted while materializing`);
      return;
    }
    await copyFileAtomic(opts.store.objectPath(o.sha256), target, mode);
    await rememberOwn(target, o.sha256);
  });
  if (lost.length > 0) return err(lost.sort()[0] as string);
  links.sort();
  // a symbolic link is recorded with the hash of what reading it gives (its target's bytes), when it resolves
  for (const rel of links) {
    const bytes = await readFile(join(opts.out, rel)).catch(() => null);
    const rec = outputs.get(rel);
    if (bytes && rec) outputs.set(rel, { ...rec, sha256: sha256Hex(bytes) });
  }
  const closure = new Set<string>();
  const inputs: BuildRecordInput[] = [];
  const inputIndex = new Map<string, number>();
  const indexOf = (path: string, sha256: Sha256): number => {
    const k = `${sha256}${path}`;
    let n = inputIndex.get(k);
    if (n === undefined) {
      n = inputs.length;
      inputs.push({ path, sha256 });
      inputIndex.set(k, n);
    }
    return n;
  };
  const recActions: BuildRecordAction[] = actions.map((a) => {
    a.closure.forEach((p) => closure.add(p));
    return {
      key: a.key, category: a.kind, identifier: a.action.identifier, cached: cachedIds.has(a.id),
      inputs: a.inputs.map((i) => indexOf(i.path, i.kind === 'source' ? i.sha256 : outputHash(ctx.done.get(i.producer), i.output))),
      coeffects: [],
    };
  });
  const record: BuildRecord = {
    version: 2,
    buildId: randomUUID(),
    derivationHash: sha256Hex(actions.map((a) => a.key).sort().join('\n')),
    startTime,
    endTime: Date.now(),
    outputs: [...outputs.values()].sort((x, y) => (x.path < y.path ? -1 : 1)),
    inputs,
    actions: recActions,
    toolchainPaths: [...closure].sort(),
    coeffectsFile: file.coeffectsFile,
  };
  const recordPath = join(opts.out, '.continuity', 'build-record.json');
  await writeFileAtomic(recordPath, `${JSON.stringify(record)}\n`);
  return ok({ ...summary, record, recordPath, materialized });
}

const LOOKUPS_AT_ONCE = 32;

function sourcesOf(actions: readonly LoweredAction[]): BuildSummary['sources'] {
  const seen = new Map<string, Sha256>();
  for (const a of actions) for (const i of a.inputs) if (i.kind === 'source') seen.set(i.host, i.sha256);
  return [...seen].map(([host, sha256]) => ({ host, sha256 }));
}

function modeIs(path: string, mode: number): boolean {
  const st = lstatSync(path, { throwIfNoEntry: false });
  return st !== undefined && st.isFile() && (st.mode & 0o777) === mode;
}

function outputHash(outs: CachedOutput[] | undefined, name: string): Sha256 {
  const o = outs?.find((x) => x.name === name);
  if (!o) throw new Error(`output ${name} missing after a successful build`);
  return o.sha256;
}
