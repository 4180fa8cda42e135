// One action: served from the action cache when its key is there and every output object still
// verifies; otherwise staged (declared inputs only), run in the sandbox, and its outputs stored.
import { chmod, lstat, mkdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { readIfHolds } from '../util/hash-memo.js';
import { eachLimit } from '../util/limit.js';
import { type ActionKey, type Sha256, actionKeyOf } from '../model/hash.js';
import type { LoweredAction } from '../lower/actions.js';
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

export async function runAction(a: LoweredAction, ctx: ExecContext): Promise<ActionOutcome> {
  const key = cacheKeyOf(a, ctx.sandbox);
  const hit = await cached(key, ctx.store);
  if (hit) return { ok: true, cached: true, outputs: hit };

  const work = await ctx.store.workDir();
  try {
    const stage = join(work, 'root');
    const binds: { host: string; path: string }[] = [];
    for (const dir of [SANDBOX_SRC, SANDBOX_BUILD, a.cwd, ...a.outputs.map((o) => dirname(o.path))]) {
      if (dir.startsWith(`${SANDBOX_ROOT}/`) || dir === SANDBOX_ROOT) await mkdir(join(stage, dir.slice(SANDBOX_ROOT.length)), { recursive: true });
    }
    // inputs are staged (copied, each checked against its hash) many at a time
    let staging: ActionOutcome | null = null;
    await eachLimit([...a.inputs.entries()], STAGE_AT_ONCE, async ([n, i]) => {
      if (staging) return;
      let bytes: Uint8Array | null;
      let mode = 0o644;
      if (i.kind === 'source') {
        bytes = await readIfHolds(i.host, i.sha256);
        if (!bytes) {
          staging = fail('input-changed', `${i.host} changed or vanished since the graph was lowered`);
          return;
        }
        mode = ((await lstat(i.host)).mode & 0o111) !== 0 ? 0o755 : 0o644;
      } else {
        const out = ctx.done.get(i.producer)?.find((o) => o.name === i.output);
        if (!out) {
          staging = fail('input-lost', `output ${i.output} of ${i.producer} is not available`);
          return;
        }
        bytes = await ctx.store.readVerified(out.sha256);
        if (!bytes) {
          staging = fail('input-lost', `store object of ${i.output} is missing or corrupted`);
          return;
        }
        if (out.executable) mode = 0o755;
        if (out.symlink && i.path.startsWith(`${SANDBOX_ROOT}/`)) {
          const link = join(stage, i.path.slice(SANDBOX_ROOT.length));
          await mkdir(dirname(link), { recursive: true });
          await symlink(Buffer.from(bytes).toString('utf8'), link);
          return;
        }
      }
      let target: string;
      if (i.path.startsWith(`${SANDBOX_ROOT}/`)) target = join(stage, i.path.slice(SANDBOX_ROOT.length));
      else {
        target = join(work, 'ext', String(n));
        binds.push({ host: target, path: i.path });
      }
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, bytes, { mode });
      await chmod(target, mode);
    });
    if (staging) return staging;
    binds.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
    const env = Object.fromEntries(a.action.env);
    const r = await runSandboxed(ctx.sandbox, { stage, cwd: a.cwd, command: a.action.command, env, closure: a.closure, binds }, join(work, 'newroot'));
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
    for (const o of a.outputs) {
      const host = o.path.startsWith(`${SANDBOX_ROOT}/`) ? join(stage, o.path.slice(SANDBOX_ROOT.length)) : null;
      const st = host ? await lstat(host).catch(() => null) : null;
      if (host && st?.isSymbolicLink()) {
        const h: Sha256 = await ctx.store.putBytes(Buffer.from(await readlink(host), 'utf8'));
        outputs.push({ name: o.name, sha256: h, executable: false, symlink: true });
        continue;
      }
      if (!host || !st?.isFile()) return fail('missing-output', `did not write its declared output ${o.path}`, r.stderr);
      const h: Sha256 = await ctx.store.putBytes(await readFile(host));
      outputs.push({ name: o.name, sha256: h, executable: (st.mode & 0o111) !== 0 });
    }
    await ctx.store.putAction({ version: 1, key, outputs });
    return { ok: true, cached: false, outputs };
  } finally {
    await rm(work, { recursive: true, force: true }).catch(() => undefined);
  }
}
