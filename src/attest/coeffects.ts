// From a build record to the coeffects of a discharge proof and the witnesses that discharge them.
// Coeffects come from evidence only, never from guesses:
//   1. the confession's coeffects.json (record.coeffectsFile): a `faked` find_package is a
//      `filesystem` coeffect on its fake root (the build was shaped by files Continuity made up);
//      a `found` package's real location is whatever `filesystem` coeffect the confession logged for
//      it in `coeffects`; every coeffect listed there is taken; `not-found` packages need nothing;
//   2. what each action declares (record.actions[].coeffects): `network`, `auth`, `sandbox`,
//      `filesystem` are taken as declared;
//   3. the toolchain closure (record.toolchainPaths) is NOT a coeffect: it is the declared input set
//      of the hermetic sandbox (seed §7, hermetic_build: accessed ⊆ inputs ⊆ toolchainClosure), so it
//      is witnessed (read-only filesystem access, content hash for files) but needs nothing beyond the
//      sandbox itself. A coeffect is a need the sandbox does not satisfy on its own.
// `combined` is flattened (it is the ⊗ of its parts and the proof's list is already their ⊗);
// `pure` is the unit and dropped. The result is deduplicated and sorted; no coeffect left → [pure].
// Witnesses: every action input is a `read` access with its recorded hash; each toolchain path is a
// `read` (directory, hash null: too large to hash) or `execute`/`read` (file, hashed) access; each
// `filesystem` coeffect path is a `read` access with the hash of its tree (null when the tree is over
// budget or missing). Network and auth witnesses are the actions' declarations (Continuity has no
// network proxy yet): one NetworkAccess per action that declares `network`, with url
// `declared:action/<key>`, method `DECLARED` and as content hash the sha256 of the canonical JSON of
// the action's sorted output hashes; one AuthUsage per action and provider, scope null.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuildRecord } from '../model/build-record.js';
import type { CoeffectsFile } from '../model/coeffects.js';
import { type Sha256, sha256Hex } from '../model/hash.js';
import { type Result, ok, err } from '../model/result.js';
import type { AuthUsage, Coeffect, FilesystemAccess, NetworkAccess } from '../model/seed.js';
import { canonicalJson } from './canonical.js';

export interface CoeffectEvidence {
  coeffects: Coeffect[];
  filesystemAccess: FilesystemAccess[];
  networkAccess: NetworkAccess[];
  authUsage: AuthUsage[];
}

const KIND_ORDER: Record<Coeffect['kind'], number> = { pure: 0, network: 1, auth: 2, sandbox: 3, filesystem: 4, combined: 5 };

/** Flattens `combined` and drops `pure`; throws on anything that is not a coeffect. */
export function atomicCoeffects(cs: readonly unknown[], where: string): Coeffect[] {
  const out: Coeffect[] = [];
  const visit = (c: unknown): void => {
    const o = c as Record<string, unknown> | null;
    const kind = o && typeof o === 'object' ? o['kind'] : undefined;
    switch (kind) {
      case 'pure':
        return;
      case 'network':
        out.push({ kind: 'network' });
        return;
      case 'auth':
        if (typeof o?.['provider'] !== 'string') break;
        out.push({ kind: 'auth', provider: o['provider'] });
        return;
      case 'sandbox':
        if (typeof o?.['name'] !== 'string') break;
        out.push({ kind: 'sandbox', name: o['name'] });
        return;
      case 'filesystem':
        if (typeof o?.['path'] !== 'string') break;
        out.push({ kind: 'filesystem', path: o['path'] });
        return;
      case 'combined':
        if (!Array.isArray(o?.['coeffects'])) break;
        (o['coeffects'] as unknown[]).forEach(visit);
        return;
      default:
        break;
    }
    throw new Error(`${where}: not a coeffect: ${JSON.stringify(c)}`);
  };
  cs.forEach(visit);
  return out;
}

function coeffectArg(c: Coeffect): string {
  switch (c.kind) {
    case 'pure':
    case 'network':
    case 'combined':
      return '';
    case 'auth':
      return c.provider;
    case 'sandbox':
      return c.name;
    case 'filesystem':
      return c.path;
  }
}

/** Deduplicated, sorted by kind then argument; `[pure]` when nothing is left. */
export function normalizeCoeffects(cs: readonly Coeffect[]): Coeffect[] {
  const byKey = new Map<string, Coeffect>();
  for (const c of atomicCoeffects(cs, 'coeffects')) byKey.set(canonicalJson(c), c);
  const list = [...byKey.values()].sort(
    (a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || (coeffectArg(a) < coeffectArg(b) ? -1 : coeffectArg(a) > coeffectArg(b) ? 1 : 0),
  );
  return list.length === 0 ? [{ kind: 'pure' }] : list;
}

export async function hashFile(path: string): Promise<Sha256> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex') as Sha256;
}

const TREE_MAX_FILES = 10_000;
const TREE_MAX_BYTES = 256 * 1024 * 1024;

/**
 * sha256 of a tree: a regular file hashes to its bytes; a directory to the sha256 of its manifest,
 * one line per entry in sorted path order: `f <sha256> <relpath>`, `x <sha256> <relpath>` (executable),
 * `l <target> <relpath>` (symlink, not followed), `d <relpath>`. Null when missing or over budget.
 */
export async function hashTree(path: string): Promise<Sha256 | null> {
  let st;
  try {
    st = await stat(path);
  } catch {
    return null;
  }
  if (st.isFile()) return hashFile(path);
  if (!st.isDirectory()) return null;
  const lines: string[] = [];
  let files = 0;
  let bytes = 0;
  const walk = async (dir: string, rel: string): Promise<boolean> => {
    const names = (await readdir(dir)).sort();
    for (const name of names) {
      const abs = join(dir, name);
      const r = rel === '' ? name : `${rel}/${name}`;
      const l = await lstat(abs);
      if (++files > TREE_MAX_FILES) return false;
      if (l.isSymbolicLink()) lines.push(`l ${await readlink(abs)} ${r}`);
      else if (l.isDirectory()) {
        lines.push(`d ${r}`);
        if (!(await walk(abs, r))) return false;
      } else if (l.isFile()) {
        bytes += l.size;
        if (bytes > TREE_MAX_BYTES) return false;
        lines.push(`${l.mode & 0o111 ? 'x' : 'f'} ${await hashFile(abs)} ${r}`);
      }
    }
    return true;
  };
  try {
    if (!(await walk(path, ''))) return null;
  } catch {
    return null;
  }
  return sha256Hex(lines.map((l) => `${l}\n`).join(''));
}

export async function readCoeffectsFile(path: string): Promise<Result<CoeffectsFile, string>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (e: unknown) {
    return err(`cannot read coeffects file ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const f = parsed as Partial<CoeffectsFile> | null;
  if (!f || typeof f !== 'object' || f.version !== 1 || !Array.isArray(f.packages) || !Array.isArray(f.coeffects)) {
    return err(`coeffects file ${path} is not a version 1 coeffects.json`);
  }
  return ok(f as CoeffectsFile);
}

/** Gathers the coeffects of a build and their witnesses. `now` stamps witnesses observed at attest time. */
export async function deriveCoeffects(record: BuildRecord, now: number): Promise<Result<CoeffectEvidence, string>> {
  const declared: Coeffect[] = [];
  const networkAccess: NetworkAccess[] = [];
  const authUsage: AuthUsage[] = [];

  if (record.coeffectsFile !== null) {
    const f = await readCoeffectsFile(record.coeffectsFile);
    if (!f.ok) return f;
    try {
      declared.push(...atomicCoeffects(f.value.coeffects, record.coeffectsFile));
    } catch (e: unknown) {
      return err(e instanceof Error ? e.message : String(e));
    }
    for (const p of f.value.packages) {
      if (p.resolution !== 'faked') continue;
      if (typeof p.fakeRoot !== 'string' || p.fakeRoot === '') {
        return err(`${record.coeffectsFile}: faked package ${p.name} has no fakeRoot`);
      }
      declared.push({ kind: 'filesystem', path: p.fakeRoot });
    }
  }

  const outputsByAction = new Map<string, Sha256[]>();
  for (const o of record.outputs) {
    const list = outputsByAction.get(o.actionKey) ?? [];
    list.push(o.sha256);
    outputsByAction.set(o.actionKey, list);
  }
  for (const a of record.actions) {
    let cs: Coeffect[];
    try {
      cs = atomicCoeffects(a.coeffects, `action ${a.identifier}`);
    } catch (e: unknown) {
      return err(e instanceof Error ? e.message : String(e));
    }
    declared.push(...cs);
    if (cs.some((c) => c.kind === 'network')) {
      const outs = [...(outputsByAction.get(a.key) ?? [])].sort();
      networkAccess.push({ url: `declared:action/${a.key}`, method: 'DECLARED', contentHash: sha256Hex(canonicalJson(outs)), timestamp: record.startTime });
    }
    const providers = new Set(cs.flatMap((c) => (c.kind === 'auth' ? [c.provider] : [])));
    for (const provider of [...providers].sort()) authUsage.push({ provider, scope: null, timestamp: record.startTime });
  }
  const coeffects = normalizeCoeffects(declared);

  const fs = new Map<string, FilesystemAccess>();
  const add = (w: FilesystemAccess): void => {
    fs.set(`${w.path}\0${w.mode}\0${w.contentHash ?? ''}`, w);
  };
  for (const i of record.inputs) add({ path: i.path, mode: 'read', contentHash: i.sha256, timestamp: record.startTime });
  for (const p of record.toolchainPaths) {
    let st;
    try {
      st = await stat(p);
    } catch {
      continue; // a closure root this host does not have was not mounted
    }
    if (st.isFile()) add({ path: p, mode: st.mode & 0o111 ? 'execute' : 'read', contentHash: await hashFile(p), timestamp: now });
    else add({ path: p, mode: 'read', contentHash: null, timestamp: now });
  }
  for (const c of coeffects) {
    if (c.kind === 'filesystem') add({ path: c.path, mode: 'read', contentHash: await hashTree(c.path), timestamp: now });
  }
  const filesystemAccess = [...fs.values()].sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : x.mode < y.mode ? -1 : x.mode > y.mode ? 1 : 0));
  return ok({ coeffects, filesystemAccess, networkAccess, authUsage });
}
