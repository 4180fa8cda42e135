// One action: served from the action cache when its key is there and every output object still
// verifies; otherwise staged (declared inputs only), run in the sandbox, and its outputs stored.
import { chmodSync, lstatSync, mkdirSync, readlinkSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { knownToHoldSync, readIfHolds } from '../util/hash-memo.js';
import { eachLimit } from '../util/limit.js';
import { type ActionKey, type Sha256, actionKeyOf } from '../model/hash.js';
import type { ActionKind, LoweredAction } from '../lower/actions.js';
import { SANDBOX_BUILD, SANDBOX_ROOT, SANDBOX_SRC } from '../lower/paths.js';
import { type SandboxKind, runSandboxed } from './sandbox.js';
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

/**
 * How declared inputs reach the action. `bind`: each file is mounted read-only where the action reads it
 * (a source while the hash memo vouches for it, a store object once verified), so nothing is copied, and
 * only the build tree is a host directory (outputs elsewhere give the whole tree). `copy`: each file is
 * copied into the stage after its bytes are checked against its hash. Compiles, archives and links under
 * bubblewrap bind; custom steps copy (a shell step may move, remove or rewrite what it reads: `mv x.o x.lo`),
 * and so do `unshare` (each mount a process of its own) and unsandboxed runs. An input the action also
 * writes is always copied.
 */
export type Staging = 'bind' | 'copy';
export const stagingOf = (sandbox: SandboxKind, kind: ActionKind): Staging => (sandbox === 'bwrap' && kind !== 'custom' ? 'bind' : 'copy');

const isExecutableFile = (p: string): boolean => {
  try {
    return (statSync(p).mode & 0o111) !== 0;
  } catch {
    return false;
  }
};

export async function runAction(a: LoweredAction, ctx: ExecContext): Promise<ActionOutcome> {
  const key = cacheKeyOf(a, ctx.sandbox);
  const hit = await cached(key, ctx.store);
  if (hit) return { ok: true, cached: true, outputs: hit };

  const staging = stagingOf(ctx.sandbox, a.kind);
  const writable = staging === 'bind' && a.outputs.every((o) => under(o.path, SANDBOX_BUILD)) ? SANDBOX_BUILD : SANDBOX_ROOT;
  const work = await ctx.store.workDir();
  try {
    // Metadata calls here are synchronous: each takes microseconds on a local disk, far less than a
    // round trip through the thread pool, and an action makes dozens of them.
    const root = join(work, 'root'); // the host side of /continuity
    const hostOf = (p: string): string => join(root, p.slice(SANDBOX_ROOT.length));
    const dirs: string[] = [];
    for (const dir of [SANDBOX_SRC, SANDBOX_BUILD, a.cwd, ...a.outputs.map((o) => dirname(o.path))]) {
      if (!under(dir, SANDBOX_ROOT)) continue;
      if (under(dir, writable)) mkdirSync(hostOf(dir), { recursive: true });
      else dirs.push(dir);
    }
    const binds: { host: string; path: string }[] = [];
    const links: { path: string; target: string }[] = [];
    const bound: { host: string; sha256: Sha256 }[] = []; // sources seen through a mount: checked again afterwards
    const rewritten = new Set(a.outputs.map((o) => o.path));
    /** a copy of an input: in the stage when it lies there, else a private file mounted read-only */
    const place = async (n: number, path: string, bytes: Uint8Array, mode: number): Promise<void> => {
      let target: string;
      if (under(path, writable)) target = hostOf(path);
      else {
        target = join(work, 'ext', String(n));
        binds.push({ host: target, path });
      }
      mkdirSync(dirname(target), { recursive: true });
      await writeFile(target, bytes, { mode });
      chmodSync(target, mode);
    };
    let staged: ActionOutcome | null = null;
    await eachLimit([...a.inputs.entries()], STAGE_AT_ONCE, async ([n, i]) => {
      if (staged) return;
      const bindable = staging === 'bind' && !rewritten.has(i.path);
      if (i.kind === 'source') {
        if (bindable && knownToHoldSync(i.host, i.sha256)) {
          binds.push({ host: i.host, path: i.path });
          bound.push(i);
          return;
        }
        const bytes = await readIfHolds(i.host, i.sha256);
        if (!bytes) {
          staged = fail('input-changed', `${i.host} changed or vanished since the graph was lowered`);
          return;
        }
        await place(n, i.path, bytes, (lstatSync(i.host).mode & 0o111) !== 0 ? 0o755 : 0o644);
        return;
      }
      const out = ctx.done.get(i.producer)?.find((o) => o.name === i.output);
      if (!out) {
        staged = fail('input-lost', `output ${i.output} of ${i.producer} is not available`);
        return;
      }
      const object = ctx.store.objectPath(out.sha256);
      if (bindable && !out.symlink && (await ctx.store.holds(out.sha256)) && (!out.executable || isExecutableFile(object))) {
        binds.push({ host: object, path: i.path });
        return;
      }
      const bytes = await ctx.store.readVerified(out.sha256);
      if (!bytes) {
        staged = fail('input-lost', `store object of ${i.output} is missing or corrupted`);
        return;
      }
      if (out.symlink && under(i.path, SANDBOX_ROOT)) {
        const target = Buffer.from(bytes).toString('utf8');
        if (under(i.path, writable)) {
          mkdirSync(dirname(hostOf(i.path)), { recursive: true });
          symlinkSync(target, hostOf(i.path));
        } else links.push({ path: i.path, target });
        return;
      }
      await place(n, i.path, bytes, out.executable ? 0o755 : 0o644);
    });
    if (staged) return staged;
    const byPath = (x: { path: string }, y: { path: string }): number => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0);
    binds.sort(byPath);
    links.sort(byPath);
    const env = Object.fromEntries(a.action.env);
    const spec = { stage: hostOf(writable), writable, dirs, cwd: a.cwd, command: a.action.command, env, closure: a.closure, binds, links };
    const r = await runSandboxed(ctx.sandbox, spec, join(work, 'newroot'));
    const moved = bound.find((i) => !knownToHoldSync(i.host, i.sha256));
    if (moved) return fail('input-changed', `${moved.host} changed while the action ran`, r.stderr);
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
