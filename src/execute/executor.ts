// One action: served from the action cache when its key is there and every output object still
// verifies; otherwise staged (declared inputs only), run in the sandbox, and its outputs stored.
import { chmodSync, copyFileSync, lstatSync, mkdirSync, readlinkSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readIfHolds } from '../util/hash-memo.js';
import { eachLimit } from '../util/limit.js';
import { type ActionKey, type Sha256, actionKeyOf } from '../model/hash.js';
import type { LoweredAction, LoweredInput } from '../lower/actions.js';
import { SANDBOX_BUILD, SANDBOX_ROOT, SANDBOX_SRC } from '../lower/paths.js';
import { type SandboxKind, type SandboxResult, runSandboxed } from './sandbox.js';
import { removeScratch, scratchDir } from './scratch.js';
import type { Launcher } from './launcher.js';
import type { CachedOutput, Store } from './store.js';

export type ActionFailureReason = 'exit' | 'undeclared-input' | 'network' | 'missing-output' | 'input-changed' | 'input-lost' | 'internal';

export interface ActionFailure {
  reason: ActionFailureReason;
  message: string;
  stderr: string;
}

export type ActionOutcome =
  | { ok: true; cached: boolean; outputs: CachedOutput[] }
  | { ok: false; failure: ActionFailure };

export interface ExecContext {
  store: Store;
  sandbox: SandboxKind;
  srcdir: string;
  builddir: string;
  /** outputs of actions already done, by action id */
  done: Map<string, CachedOutput[]>;
  /** sources made store objects in this build, by host path */
  sourceObjects?: Map<string, Promise<{ ok: boolean; executable: boolean }>>;
  /** admits the sandboxed commands (at most -j at once), when more actions than that are being staged */
  slot?: <T>(fn: () => Promise<T>) => Promise<T>;
  /** starts sandboxes from a small helper process */
  launcher?: Launcher;
}

/** Where a path inside the sandbox lives on the host (for messages). */
export function hostPathOf(p: string, ctx: Pick<ExecContext, 'srcdir' | 'builddir'>): string {
  if (p === SANDBOX_BUILD || p.startsWith(`${SANDBOX_BUILD}/`)) return ctx.builddir + p.slice(SANDBOX_BUILD.length);
  if (p === SANDBOX_SRC || p.startsWith(`${SANDBOX_SRC}/`)) return ctx.srcdir + p.slice(SANDBOX_SRC.length);
  return p;
}

const MISSING_PATTERNS: RegExp[] = [
  /fatal error: ([^\s:]+): No such file or directory/,
  /([^\s:'"`]+): No such file or directory/,
  /cannot open ([^\s:]+)/,
  /can't open '([^']+)'/,
  /cannot find ([^\s:]+)/,
  /No such file or directory: '([^']+)'/,
];

/** The path a failed tool says it could not find, from its own error text. */
export function missingPathFrom(stderr: string): string | null {
  for (const re of MISSING_PATTERNS) {
    const m = re.exec(stderr);
    if (m?.[1]) return m[1];
  }
  return null;
}

const NETWORK_PATTERNS: RegExp[] = [
  /Network is unreachable/i,
  /Connection refused/i,
  /Temporary failure in name resolution/i,
  /Could not resolve host/i,
  /Name or service not known/i,
  /getaddrinfo/i,
];

/** True when a failed tool's error text says it could not reach the network. */
export const networkFailure = (stderr: string): boolean => NETWORK_PATTERNS.some((re) => re.test(stderr));

/** Unsandboxed runs see host paths, so their outputs are cached apart from hermetic ones. */
export const cacheKeyOf = (a: LoweredAction, sandbox: SandboxKind): ActionKey =>
  sandbox === 'none' ? actionKeyOf(`${a.key}\0unsandboxed`) : a.key;

/** The action's outputs from the action cache, when it has them all intact; else null. */
export const cachedOutputs = (a: LoweredAction, ctx: Pick<ExecContext, 'store' | 'sandbox'>): Promise<CachedOutput[] | null> =>
  cached(cacheKeyOf(a, ctx.sandbox), ctx.store);

async function cached(key: ActionKey, store: Store): Promise<CachedOutput[] | null> {
  const e = await store.getAction(key);
  if (!e) return null;
  for (const o of e.outputs) {
    if (!(await store.holds(o.sha256))) {
      await store.forgetAction(key);
      return null;
    }
  }
  return e.outputs;
}

const STAGE_AT_ONCE = 16;

const fail = (reason: ActionFailureReason, message: string, stderr = ''): ActionOutcome => ({ ok: false, failure: { reason, message, stderr } });

const under = (p: string, dir: string): boolean => p === dir || p.startsWith(`${dir}/`);

/** A source as a store object, put there once per build from bytes that hash right: the snapshot every
 *  action reading it gets a copy of, so that an edit during the build cannot reach an action. */
function sourceObject(i: Extract<LoweredInput, { kind: 'source' }>, ctx: ExecContext): Promise<{ ok: boolean; executable: boolean }> {
  const seen = (ctx.sourceObjects ??= new Map());
  let p = seen.get(i.host);
  if (!p) {
    p = (async () => {
      const executable = ((lstatSync(i.host, { throwIfNoEntry: false })?.mode ?? 0) & 0o111) !== 0;
      if (ctx.store.holdsSync(i.sha256) || (await ctx.store.holds(i.sha256))) return { ok: true, executable };
      const bytes = await readIfHolds(i.host, i.sha256);
      if (!bytes) return { ok: false, executable };
      await ctx.store.putBytes(bytes, executable);
      return { ok: true, executable };
    })();
    seen.set(i.host, p);
  }
  return p;
}

/**
 * Stages the action's declared inputs, and nothing else, in `work`, seen as /continuity: each a copy of
 * its store object, checked against its hash (the kernel copies the bytes; the stage is in memory when
 * the machine allows, see scratch.ts). Files outside /continuity are mounted one by one.
 */
async function stage(a: LoweredAction, ctx: ExecContext, work: string): Promise<{ ok: true; root: string; binds: { host: string; path: string }[] } | { ok: false; outcome: ActionOutcome }> {
  const root = join(work, 'root');
  const hostOf = (p: string): string => join(root, p.slice(SANDBOX_ROOT.length));
  for (const dir of [SANDBOX_SRC, SANDBOX_BUILD, a.cwd, ...a.outputs.map((o) => dirname(o.path))]) {
    if (under(dir, SANDBOX_ROOT)) mkdirSync(hostOf(dir), { recursive: true });
  }
  const binds: { host: string; path: string }[] = [];
  let failed: ActionOutcome | null = null;
  // Synchronous file calls: each takes microseconds on a local disk or a tmpfs, far less than a round
  // trip through the thread pool, and an action makes hundreds of them.
  await eachLimit([...a.inputs.entries()], STAGE_AT_ONCE, async ([n, i]) => {
    if (failed) return;
    let object: string;
    let executable: boolean;
    if (i.kind === 'source') {
      const src = await sourceObject(i, ctx);
      if (!src.ok) {
        failed = fail('input-changed', `${i.host} changed or vanished since the graph was lowered`);
        return;
      }
      object = ctx.store.objectPath(i.sha256);
      executable = src.executable;
    } else {
      const out = ctx.done.get(i.producer)?.find((o) => o.name === i.output);
      if (!out) {
        failed = fail('input-lost', `output ${i.output} of ${i.producer} is not available`);
        return;
      }
      if (out.symlink) {
        const bytes = await ctx.store.readVerified(out.sha256);
        if (!bytes) {
          failed = fail('input-lost', `store object of ${i.output} is missing or corrupted`);
          return;
        }
        if (under(i.path, SANDBOX_ROOT)) {
          mkdirSync(dirname(hostOf(i.path)), { recursive: true });
          symlinkSync(Buffer.from(bytes).toString('utf8'), hostOf(i.path));
          return;
        }
      } else if (!(ctx.store.holdsSync(out.sha256) || (await ctx.store.holds(out.sha256)))) {
        failed = fail('input-lost', `store object of ${i.output} is missing or corrupted`);
        return;
      }
      object = ctx.store.objectPath(out.sha256);
      executable = out.executable;
    }
    let target: string;
    if (under(i.path, SANDBOX_ROOT)) target = hostOf(i.path);
    else {
      target = join(work, 'ext', String(n));
      binds.push({ host: target, path: i.path });
    }
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(object, target);
    chmodSync(target, executable ? 0o755 : 0o644);
  });
  if (failed) return { ok: false, outcome: failed };
  binds.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
  return { ok: true, root, binds };
}

export async function runAction(a: LoweredAction, ctx: ExecContext): Promise<ActionOutcome> {
  const key = cacheKeyOf(a, ctx.sandbox);
  const hit = await cached(key, ctx.store);
  if (hit) return { ok: true, cached: true, outputs: hit };

  const work = await scratchDir(ctx.store);
  try {
    const st = await stage(a, ctx, work);
    if (!st.ok) return st.outcome;
    const hostOf = (p: string): string => join(st.root, p.slice(SANDBOX_ROOT.length));
    const env = Object.fromEntries(a.action.env);
    const run = (): Promise<SandboxResult> => runSandboxed(ctx.sandbox, { stage: st.root, binds: st.binds, cwd: a.cwd, command: a.action.command, env, closure: a.closure }, join(work, 'newroot'), ctx.launcher);
    const r = ctx.slot ? await ctx.slot(run) : await run();
    if (r.code !== 0) {
      const missing = missingPathFrom(r.stderr);
      if (missing) {
        const host = missing.startsWith('/') ? hostPathOf(missing, ctx) : missing;
        return fail('undeclared-input', `reads undeclared input ${missing}${host !== missing ? ` (${host})` : ''}`, r.stderr);
      }
      if (ctx.sandbox !== 'none' && networkFailure(r.stderr)) {
        return fail('network', `exited with status ${r.code} after trying to use the network, which the sandbox does not have (declare the download as a source instead)`, r.stderr);
      }
      return fail('exit', `exited with status ${r.code}`, r.stderr);
    }
    const outputs: CachedOutput[] = [];
    const stored = new Map<string, CachedOutput>();
    for (const o of a.outputs) {
      const host = o.path.startsWith(`${SANDBOX_ROOT}/`) ? hostOf(o.path) : null;
      const again = host ? stored.get(host) : undefined;
      if (again) {
        outputs.push({ ...again, name: o.name });
        continue;
      }
      const st = host ? lstatSync(host, { throwIfNoEntry: false }) : undefined;
      if (host && st?.isSymbolicLink()) {
        const h: Sha256 = await ctx.store.putBytes(Buffer.from(readlinkSync(host), 'utf8'));
        outputs.push({ name: o.name, sha256: h, executable: false, symlink: true });
      } else if (host && st?.isFile()) {
        // the sandbox is gone (its pid namespace with it), so nothing writes the file any more: it moves into the store
        const executable = (st.mode & 0o111) !== 0;
        outputs.push({ name: o.name, sha256: await ctx.store.ingest(host, executable), executable });
      } else return fail('missing-output', `did not write its declared output ${o.path}`, r.stderr);
      if (host) stored.set(host, outputs[outputs.length - 1] as CachedOutput);
    }
    await ctx.store.putAction({ version: 1, key, outputs });
    return { ok: true, cached: false, outputs };
  } finally {
    removeScratch(work);
  }
}
