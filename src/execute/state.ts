// What a successful build into --out rests on, so that the next build into it can tell from stat alone
// that it would change nothing: the witnesses of its input (the graph file, the tools and paths lowering
// consulted), Continuity's code, the sandbox mode, and the stamp of every source read and every output
// left in --out. In: those after a build; out, before the next one: the build record to write again
// (new id and times, every action cached), or null when anything differs and the build must run.
// Kept in <store>/outs/<sha256 of --out>.json: one header line, then the record without id and times.
import { readFile, rm } from 'node:fs/promises';
import { readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { type Sha256, sha256Hex } from '../model/hash.js';
import type { BuildRecord } from '../model/build-record.js';
import { codeIdentity } from '../util/code-identity.js';
import { vouchedStamp } from '../util/hash-memo.js';
import { type Witness, allHold, isWitness } from '../util/witness.js';
import { writeFileAtomic } from './atomic.js';

const FORMAT = 1;

interface StateHeader {
  format: number;
  out: string;
  input: string;
  sandboxed: boolean;
  code: string;
  actions: number;
  witnesses: Witness[];
}

export interface BuildIdentity {
  /** the --out directory (absolute) */
  out: string;
  /** the input file the actions came from (absolute) */
  input: string;
  sandboxed: boolean;
}

export interface BuiltState {
  /** witnesses of the input (from the lowered-actions cache) */
  witnesses: readonly Witness[];
  sources: readonly { host: string; sha256: Sha256 }[];
  materialized: readonly { path: string; sha256: Sha256; symlink: boolean }[];
  record: BuildRecord;
}

export interface UpToDate {
  actions: number;
  record: BuildRecord;
  recordPath: string;
}

const statePath = (stateDir: string, out: string): string => join(stateDir, `${sha256Hex(out)}.json`);
const recordPathOf = (out: string): string => join(out, '.continuity', 'build-record.json');

/** Forgets the state of --out (a build is about to change it, or could not vouch for it). */
export async function forgetState(stateDir: string, out: string): Promise<void> {
  await rm(statePath(stateDir, out), { force: true });
}

/**
 * Keeps the state of --out after a successful build. Nothing is kept when a source or an output cannot be
 * vouched for by its stamp (it changed while the build ran, or too recently): the next build runs in full.
 */
export async function saveState(stateDir: string, id: BuildIdentity, built: BuiltState): Promise<boolean> {
  const ws: Witness[] = [...built.witnesses];
  for (const s of built.sources) {
    const stamp = vouchedStamp(s.host, s.sha256);
    if (stamp === null) return false;
    ws.push({ kind: 'stamp', path: s.host, stamp });
  }
  for (const m of built.materialized) {
    if (m.symlink) {
      let target: string;
      try {
        target = readlinkSync(m.path);
      } catch {
        return false;
      }
      ws.push({ kind: 'link', path: m.path, target });
      continue;
    }
    const stamp = vouchedStamp(m.path, m.sha256);
    if (stamp === null) return false;
    ws.push({ kind: 'stamp', path: m.path, stamp });
  }
  const header: StateHeader = { format: FORMAT, ...id, code: codeIdentity(), actions: built.record.actions.length, witnesses: ws };
  const { buildId: _id, startTime: _s, endTime: _e, ...rest } = built.record;
  const body = { ...rest, actions: built.record.actions.map((a) => ({ ...a, cached: true })) };
  await writeFileAtomic(statePath(stateDir, id.out), `${JSON.stringify(header)}\n${JSON.stringify(body)}`);
  return true;
}

/** A record whose large fields are parsed from `body` only when read (signing reads them; most builds do not). */
function lazyRecord(head: Pick<BuildRecord, 'version' | 'buildId' | 'startTime' | 'endTime'>, body: string): BuildRecord {
  let parsed: Omit<BuildRecord, 'version' | 'buildId' | 'startTime' | 'endTime'> | undefined;
  const get = (): NonNullable<typeof parsed> => (parsed ??= JSON.parse(body) as NonNullable<typeof parsed>);
  return {
    ...head,
    get derivationHash() { return get().derivationHash; },
    get outputs() { return get().outputs; },
    get inputs() { return get().inputs; },
    get actions() { return get().actions; },
    get toolchainPaths() { return get().toolchainPaths; },
    get coeffectsFile() { return get().coeffectsFile; },
  };
}

/**
 * When nothing the last build into --out rested on has changed, writes the build record again (a new
 * build id and times, every action cached) and returns it; else null, and the state is left for the build
 * to replace.
 */
export async function upToDate(stateDir: string, id: BuildIdentity): Promise<UpToDate | null> {
  const startTime = Date.now();
  let text: string;
  try {
    text = await readFile(statePath(stateDir, id.out), 'utf8');
  } catch {
    return null;
  }
  const nl = text.indexOf('\n');
  let h: Partial<StateHeader>;
  try {
    h = JSON.parse(text.slice(0, nl)) as Partial<StateHeader>;
  } catch {
    return null;
  }
  if (h.format !== FORMAT || h.out !== id.out || h.input !== id.input || h.sandboxed !== id.sandboxed) return null;
  if (typeof h.actions !== 'number' || !Array.isArray(h.witnesses) || !h.witnesses.every(isWitness)) return null;
  if (h.code !== codeIdentity() || !allHold(h.witnesses)) return null;
  const body = text.slice(nl + 1);
  if (!body.startsWith('{"')) return null;
  const head = { version: 2 as const, buildId: randomUUID(), startTime, endTime: Date.now() };
  const recordPath = recordPathOf(id.out);
  await writeFileAtomic(recordPath, `${JSON.stringify(head).slice(0, -1)},${body.slice(1)}\n`);
  return { actions: h.actions, record: lazyRecord(head, body), recordPath };
}
