// The JSON documents kept in the ledger, and their checked parsing. A document that does not parse
// into exactly these shapes makes the ledger corrupted; nothing is trusted before its signature is.
import type { ActionKey, Sha256 } from '../model/hash.js';
import { parseSha256 } from '../model/hash.js';
import type { Attestation, DischargeProof } from '../model/seed.js';
import { atomicCoeffects } from './coeffects.js';

/** One output of a build attested: the signed attestation plus where the output was written. */
export interface AttestedOutput {
  /** path relative to `outDir`, as in the build record */
  path: string;
  /** the build's output directory, absolute (informational: not signed) */
  outDir: string;
  attestation: Attestation;
}

/** builds/<id>/attestations/<sha>.json and artifacts/<sha>/<id>.json: a build's attestations of one artifact. */
export interface AttestationsDoc {
  version: 1;
  buildId: string;
  artifact: Sha256;
  outputs: AttestedOutput[];
}

/** A build id is one path component in the ledger tree. */
export const BUILD_ID = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,199}$/;

export const docText = (doc: unknown): string => `${JSON.stringify(doc, null, 2)}\n`;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isHash = (v: unknown): v is Sha256 => isStr(v) && parseSha256(v) !== undefined;

function parseAttestation(v: unknown): Attestation | null {
  if (!isObj(v)) return null;
  const { artifact, actionKey, builder, timestamp, signature } = v;
  if (!isHash(artifact) || !isHash(actionKey) || !isStr(builder) || !isInt(timestamp) || !isStr(signature)) return null;
  return { artifact, actionKey: actionKey as string as ActionKey, builder, timestamp, signature };
}

export function parseAttestationsDoc(text: string): AttestationsDoc | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObj(v) || v['version'] !== 1 || !isStr(v['buildId']) || !isHash(v['artifact']) || !Array.isArray(v['outputs'])) return null;
  const outputs: AttestedOutput[] = [];
  for (const o of v['outputs'] as unknown[]) {
    if (!isObj(o) || !isStr(o['path']) || !isStr(o['outDir'])) return null;
    const attestation = parseAttestation(o['attestation']);
    if (!attestation) return null;
    outputs.push({ path: o['path'], outDir: o['outDir'], attestation });
  }
  return { version: 1, buildId: v['buildId'], artifact: v['artifact'], outputs };
}

export function parseProof(text: string): DischargeProof | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObj(v)) return null;
  const p = v;
  if (!Array.isArray(p['coeffects']) || !Array.isArray(p['networkAccess']) || !Array.isArray(p['filesystemAccess']) || !Array.isArray(p['authUsage'])) return null;
  if (!isStr(p['buildId']) || !isHash(p['derivationHash']) || !Array.isArray(p['outputHashes']) || !isInt(p['startTime']) || !isInt(p['endTime'])) return null;
  try {
    atomicCoeffects(p['coeffects'] as unknown[], 'proof');
  } catch {
    return null;
  }
  for (const n of p['networkAccess'] as unknown[]) {
    if (!isObj(n) || !isStr(n['url']) || !isStr(n['method']) || !isHash(n['contentHash']) || !isInt(n['timestamp'])) return null;
  }
  for (const f of p['filesystemAccess'] as unknown[]) {
    if (!isObj(f) || !isStr(f['path']) || !['read', 'write', 'execute'].includes(f['mode'] as string)) return null;
    if (!(f['contentHash'] === null || isHash(f['contentHash'])) || !isInt(f['timestamp'])) return null;
  }
  for (const a of p['authUsage'] as unknown[]) {
    if (!isObj(a) || !isStr(a['provider']) || !(a['scope'] === null || isStr(a['scope'])) || !isInt(a['timestamp'])) return null;
  }
  for (const o of p['outputHashes'] as unknown[]) {
    if (!Array.isArray(o) || o.length !== 2 || !isStr(o[0]) || !isHash(o[1])) return null;
  }
  const sig = p['signature'];
  if (!(sig === null || (isObj(sig) && isStr(sig['publicKey']) && isStr(sig['signature'])))) return null;
  return v as unknown as DischargeProof;
}
