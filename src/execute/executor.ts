// One action: served from the action cache when its key is there and every output object still
// verifies; otherwise staged (declared inputs only), run in the sandbox, and its outputs stored.
import { chmodSync, linkSync, lstatSync, mkdirSync, readlinkSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { readIfHolds } from '../util/hash-memo.js';
import { eachLimit } from '../util/limit.js';
import { type ActionKey, type Sha256, actionKeyOf, sha256Hex } from '../model/hash.js';
import type { ActionKind, LoweredAction, LoweredInput } from '../lower/actions.js';
import { SANDBOX_BUILD, SANDBOX_ROOT, SANDBOX_SRC } from '../lower/paths.js';
import { type SandboxKind, type SandboxSpec, runSandboxed } from './sandbox.js';
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
  /** sources made store objects in this build (farm staging), by host path */
  sourceObjects?: Map<string, Promise<boolean>>;
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

/** Where the read-only tree of an action's build-tree inputs is seen; the build tree links into it. */
export const SANDBOX_INPUTS = `${SANDBOX_ROOT}/.inputs`;

/**
 * How declared inputs reach the action. `farm`: every input is a store object (sources are put there
 * first, from bytes checked against their hash), hard-linked into a private tree that is mounted
 * read-only, two mounts whatever the number of inputs: the source-tree part at /continuity/src, the
 * build-tree part at /continuity/.inputs, with a symbolic link to it in the writable build tree for each
 * such input (the build tree is the only host directory the action can write; outputs elsewhere give
 * `copy`). `copy`: each file is copied into the stage after its bytes are checked against its hash.
 * Compiles, archives and links under bubblewrap use the farm; custom steps copy (a shell step may move,
 * remove or rewrite what it reads: `mv x.o x.lo`), and so do `unshare` (each mount a process of its own)
 * and unsandboxed runs. An input the action also writes is always copied.
 */
export type Staging = 'farm' | 'copy';
export const stagingOf = (sandbox: SandboxKind, kind: ActionKind): Staging => (sandbox === 'bwrap' && kind !== 'custom' ? 'farm' : 'copy');

const isExecutableFile = (p: string): boolean => {
  try {
    return (statSync(p).mode & 0o111) !== 0;
  } catch {
    return false;
  }
};

/** A source as a store object: put there once per build (from bytes that hash right), then linked. */
function sourceObject(i: Extract<LoweredInput, { kind: 'source' }>, ctx: ExecContext): Promise<boolean> {
  const seen = (ctx.sourceObjects ??= new Map());
  let p = seen.get(i.host);
  if (!p) {
    p = (async () => {
      if (ctx.store.holdsSync(i.sha256) || (await ctx.store.holds(i.sha256))) return true;
      const bytes = await readIfHolds(i.host, i.sha256);
      if (!bytes) return false;
      await ctx.store.putBytes(bytes, (lstatSync(i.host).mode & 0o111) !== 0);
      return true;
    })();
    seen.set(i.host, p);
  }
  return p;
}

interface Staged {
  spec: Omit<SandboxSpec, 'cwd' | 'command' | 'env' | 'closure'>;
  /** the host side of /continuity, where outputs are found */
  root: string;
}

type StageResult = { ok: true; staged: Staged } | { ok: false; outcome: ActionOutcome };

/** Inputs copied into a stage seen as the whole of /continuity (files outside it mounted one by one). */
async function stageCopy(a: LoweredAction, ctx: ExecContext, work: string): Promise<StageResult> {
  const root = join(work, 'root');
  const hostOf = (p: string): string => join(root, p.slice(SANDBOX_ROOT.length));
  for (const dir of [SANDBOX_SRC, SANDBOX_BUILD, a.cwd, ...a.outputs.map((o) => dirname(o.path))]) {
    if (under(dir, SANDBOX_ROOT)) mkdirSync(hostOf(dir), { recursive: true });
  }
  const binds: { host: string; path: string }[] = [];
  let failed: ActionOutcome | null = null;
  await eachLimit([...a.inputs.entries()], STAGE_AT_ONCE, async ([n, i]) => {
    if (failed) return;
    let bytes: Uint8Array | null;
    let mode = 0o644;
    if (i.kind === 'source') {
      bytes = await readIfHolds(i.host, i.sha256);
      if (!bytes) {
        failed = fail('input-changed', `${i.host} changed or vanished since the graph was lowered`);
        return;
      }
      mode = (lstatSync(i.host).mode & 0o111) !== 0 ? 0o755 : 0o644;
    } else {
      const out = ctx.done.get(i.producer)?.find((o) => o.name === i.output);
      if (!out) {
        failed = fail('input-lost', `output ${i.output} of ${i.producer} is not available`);
        return;
      }
      bytes = await ctx.store.readVerified(out.sha256);
      if (!bytes) {
        failed = fail('input-lost', `store object of ${i.output} is missing or corrupted`);
        return;
      }
      if (out.executable) mode = 0o755;
      if (out.symlink && under(i.path, SANDBOX_ROOT)) {
        mkdirSync(dirname(hostOf(i.path)), { recursive: true });
        symlinkSync(Buffer.from(bytes).toString('utf8'), hostOf(i.path));
        return;
      }
    }
    let target: string;
    if (under(i.path, SANDBOX_ROOT)) target = hostOf(i.path);
    else {
      target = join(work, 'ext', String(n));
      binds.push({ host: target, path: i.path });
    }
    mkdirSync(dirname(target), { recursive: true });
    await writeFile(target, bytes, { mode });
    chmodSync(target, mode);
  });
  if (failed) return { ok: false, outcome: failed };
  binds.sort(byPath);
  return { ok: true, staged: { root, spec: { stage: root, writable: SANDBOX_ROOT, binds } } };
}

/** Inputs hard-linked from the store into a tree mounted read-only (see Staging). */
async function stageFarm(a: LoweredAction, ctx: ExecContext, work: string): Promise<StageResult> {
  const root = join(work, 'root'); // the host side of /continuity: only its build/ is mounted (writable)
  const farm = join(work, 'in'); // farm/src is seen at /continuity/src, farm/build at /continuity/.inputs
  const hostOf = (p: string): string => join(root, p.slice(SANDBOX_ROOT.length));
  const farmOf = (p: string): string => join(farm, p.slice(SANDBOX_ROOT.length));
  const dirs: string[] = [];
  mkdirSync(join(farm, 'src'), { recursive: true });
  mkdirSync(join(farm, 'build'), { recursive: true });
  for (const dir of [SANDBOX_BUILD, a.cwd, ...a.outputs.map((o) => dirname(o.path))]) {
    if (under(dir, SANDBOX_BUILD)) mkdirSync(hostOf(dir), { recursive: true });
    else if (under(dir, SANDBOX_SRC)) mkdirSync(farmOf(dir), { recursive: true });
    else if (under(dir, SANDBOX_ROOT)) dirs.push(dir);
  }
  const binds: { host: string; path: string }[] = [];
  const rewritten = new Set(a.outputs.map((o) => o.path));
  let failed: ActionOutcome | null = null;
  // a file the action reads: linked into the farm (and, in the build tree, reached by a symbolic link)
  const place = (file: string, path: string): void => {
    if (under(path, SANDBOX_SRC)) {
      mkdirSync(dirname(farmOf(path)), { recursive: true });
      linkSync(file, farmOf(path));
    } else if (under(path, SANDBOX_BUILD)) {
      const inFarm = join(farm, 'build', path.slice(SANDBOX_BUILD.length));
      mkdirSync(dirname(inFarm), { recursive: true });
      linkSync(file, inFarm);
      mkdirSync(dirname(hostOf(path)), { recursive: true });
      symlinkSync(SANDBOX_INPUTS + path.slice(SANDBOX_BUILD.length), hostOf(path));
    } else binds.push({ host: file, path });
  };
  // a copy, where the action may write to it (an input it updates in place) or the object lacks the x bit
  const copy = async (path: string, bytes: Uint8Array, mode: number): Promise<void> => {
    const target = under(path, SANDBOX_BUILD) ? hostOf(path) : under(path, SANDBOX_SRC) ? farmOf(path) : join(work, 'ext', sha256Hex(path));
    if (!under(path, SANDBOX_BUILD) && !under(path, SANDBOX_SRC)) binds.push({ host: target, path });
    mkdirSync(dirname(target), { recursive: true });
    await writeFile(target, bytes, { mode });
    chmodSync(target, mode);
  };
  await eachLimit(a.inputs, STAGE_AT_ONCE, async (i) => {
    if (failed) return;
    if (i.kind === 'source') {
      const executable = (lstatSync(i.host, { throwIfNoEntry: false })?.mode ?? 0) & 0o111;
      if (!rewritten.has(i.path) && (await sourceObject(i, ctx)) && (!executable || isExecutableFile(ctx.store.objectPath(i.sha256)))) {
        place(ctx.store.objectPath(i.sha256), i.path);
        return;
      }
      const bytes = await readIfHolds(i.host, i.sha256);
      if (!bytes) {
        failed = fail('input-changed', `${i.host} changed or vanished since the graph was lowered`);
        return;
      }
      await copy(i.path, bytes, executable ? 0o755 : 0o644);
      return;
    }
    const out = ctx.done.get(i.producer)?.find((o) => o.name === i.output);
    if (!out) {
      failed = fail('input-lost', `output ${i.output} of ${i.producer} is not available`);
      return;
    }
    const object = ctx.store.objectPath(out.sha256);
    if (!out.symlink && !rewritten.has(i.path) && (ctx.store.holdsSync(out.sha256) || (await ctx.store.holds(out.sha256))) && (!out.executable || isExecutableFile(object))) {
      place(object, i.path);
      return;
    }
    const bytes = await ctx.store.readVerified(out.sha256);
    if (!bytes) {
      failed = fail('input-lost', `store object of ${i.output} is missing or corrupted`);
      return;
    }
    if (out.symlink && (under(i.path, SANDBOX_BUILD) || under(i.path, SANDBOX_SRC))) {
      const at = under(i.path, SANDBOX_BUILD) ? hostOf(i.path) : farmOf(i.path);
      mkdirSync(dirname(at), { recursive: true });
      symlinkSync(Buffer.from(bytes).toString('utf8'), at);
      return;
    }
    await copy(i.path, bytes, out.executable ? 0o755 : 0o644);
  });
  if (failed) return { ok: false, outcome: failed };
  binds.sort(byPath);
  binds.unshift({ host: join(farm, 'src'), path: SANDBOX_SRC }, { host: join(farm, 'build'), path: SANDBOX_INPUTS });
  return { ok: true, staged: { root, spec: { stage: hostOf(SANDBOX_BUILD), writable: SANDBOX_BUILD, dirs, binds } } };
}

const byPath = (x: { path: string }, y: { path: string }): number => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0);

export async function runAction(a: LoweredAction, ctx: ExecContext): Promise<ActionOutcome> {
  const key = cacheKeyOf(a, ctx.sandbox);
  const hit = await cached(key, ctx.store);
  if (hit) return { ok: true, cached: true, outputs: hit };

  const farm = stagingOf(ctx.sandbox, a.kind) === 'farm' && a.outputs.every((o) => under(o.path, SANDBOX_BUILD));
  const work = await ctx.store.workDir();
  try {
    // Metadata calls in staging are synchronous: each takes microseconds on a local disk, far less than
    // a round trip through the thread pool, and an action makes hundreds of them.
    const st = farm ? await stageFarm(a, ctx, work) : await stageCopy(a, ctx, work);
    if (!st.ok) return st.outcome;
    const { root, spec } = st.staged;
    const hostOf = (p: string): string => join(root, p.slice(SANDBOX_ROOT.length));
    const env = Object.fromEntries(a.action.env);
    const r = await runSandboxed(ctx.sandbox, { ...spec, cwd: a.cwd, command: a.action.command, env, closure: a.closure }, join(work, 'newroot'));
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
    try {
      rmSync(work, { recursive: true, force: true });
    } catch {
      // swept by the next Store.open
    }
  }
}
