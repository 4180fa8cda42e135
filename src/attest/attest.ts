// After a build: sign one attestation per output and one discharge proof for the build, and append
// them to the ledger as one commit. Outputs are hashed again first, so what is signed is what is on
// disk. Without a signing key (none given, none at the default place) nothing is written.
import { join, resolve } from 'node:path';
import { defaultStoreDir } from '../execute/store.js';
import type { BuildRecord } from '../model/build-record.js';
import type { Sha256 } from '../model/hash.js';
import { type Result, ok, err, unreachable } from '../model/result.js';
import type { Attestation, DischargeProof } from '../model/seed.js';
import { attestationMessage, proofMessage } from './canonical.js';
import { deriveCoeffects, hashFile } from './coeffects.js';
import { type AttestationsDoc, BUILD_ID, docText } from './entries.js';
import { type KeyPair, defaultSecretKeyPath, readSecretKey, sign } from './keys.js';
import { missingDefaultKey } from './key-path.js';
import { type Additions, LEDGER_REF, appendCommit, openLedger } from './ledger.js';
import { bytesToHex } from '@noble/hashes/utils.js';

export type AttestSummary =
  | { signed: false; reason: string }
  | {
      signed: true;
      buildId: string;
      ledger: string;
      commit: string;
      publicKey: string;
      attestations: number;
      proof: DischargeProof;
    };

export type AttestError =
  | { reason: 'key'; message: string }
  | { reason: 'record'; message: string }
  | { reason: 'output'; message: string }
  | { reason: 'coeffects'; message: string }
  | { reason: 'ledger'; message: string }
  | { reason: 'duplicate-build'; message: string };

export function formatAttestError(e: AttestError): string {
  switch (e.reason) {
    case 'key':
    case 'record':
    case 'output':
    case 'coeffects':
    case 'ledger':
    case 'duplicate-build':
      return `attest: ${e.message}`;
    default:
      return unreachable(e);
  }
}

export interface AttestOptions {
  /** secret key file; default: the keygen default, used only when present */
  key?: string;
  /** ledger repository; default `<store>/ledger` */
  ledger?: string;
  /** store directory; default the store's default */
  store?: string;
  /** clock, for tests */
  now?: () => number;
}

export const defaultLedgerDir = (store?: string): string => join(store ?? defaultStoreDir(), 'ledger');

export function signAttestation(claim: Omit<Attestation, 'signature' | 'builder'>, key: KeyPair): Attestation {
  const builder = bytesToHex(key.publicKey);
  const unsigned = { ...claim, builder };
  return { ...unsigned, signature: sign(attestationMessage(unsigned), key.secretKey) };
}

export function signProof(proof: DischargeProof, key: KeyPair): DischargeProof {
  const publicKey = bytesToHex(key.publicKey);
  return { ...proof, signature: { publicKey, signature: sign(proofMessage(proof, publicKey), key.secretKey) } };
}

function checkRecord(r: BuildRecord): string | null {
  if (r.version !== 2) return `build record version ${String(r.version)} is not 2`;
  if (!BUILD_ID.test(r.buildId)) return `build id ${JSON.stringify(r.buildId)} is not a plain name ([A-Za-z0-9._-])`;
  if (!Number.isSafeInteger(r.startTime) || !Number.isSafeInteger(r.endTime)) return 'build start and end times must be integers';
  return null;
}

export async function attestBuild(record: BuildRecord, outDir: string, opts: AttestOptions = {}): Promise<Result<AttestSummary, AttestError>> {
  const keyPath = opts.key ?? defaultSecretKeyPath();
  const missing = missingDefaultKey(opts.key);
  if (missing !== null) return ok({ signed: false, reason: missing });
  const key = await readSecretKey(keyPath);
  if (!key.ok) return err({ reason: 'key', message: key.error });

  const bad = checkRecord(record);
  if (bad) return err({ reason: 'record', message: bad });
  const now = (opts.now ?? Date.now)();
  const absOut = resolve(outDir);

  for (const o of record.outputs) {
    const p = resolve(absOut, o.path);
    let h: Sha256;
    try {
      h = await hashFile(p);
    } catch (e: unknown) {
      return err({ reason: 'output', message: `cannot read output ${p} (${(e as NodeJS.ErrnoException).code ?? String(e)})` });
    }
    if (h !== o.sha256) return err({ reason: 'output', message: `output ${p} has sha256 ${h}, the build recorded ${o.sha256}` });
  }

  const evidence = await deriveCoeffects(record, now);
  if (!evidence.ok) return err({ reason: 'coeffects', message: evidence.error });

  const proof = signProof(
    {
      ...evidence.value,
      buildId: record.buildId,
      derivationHash: record.derivationHash,
      outputHashes: record.outputs.map((o): [string, Sha256] => [o.path, o.sha256]),
      startTime: record.startTime,
      endTime: record.endTime,
      signature: null,
    },
    key.value,
  );

  const docs = new Map<Sha256, AttestationsDoc>();
  for (const o of record.outputs) {
    const attestation = signAttestation({ artifact: o.sha256, actionKey: o.actionKey, timestamp: now }, key.value);
    const doc = docs.get(o.sha256) ?? { version: 1, buildId: record.buildId, artifact: o.sha256, outputs: [] };
    doc.outputs.push({ path: o.path, outDir: absOut, attestation });
    docs.set(o.sha256, doc);
  }

  const additions: Additions = new Map();
  additions.set(`builds/${record.buildId}/proof.json`, docText(proof));
  for (const [sha, doc] of docs) {
    const text = docText(doc);
    additions.set(`builds/${record.buildId}/attestations/${sha}.json`, text);
    additions.set(`artifacts/${sha}/${record.buildId}.json`, text);
  }

  const ledgerDir = resolve(opts.ledger ?? defaultLedgerDir(opts.store));
  const opened = await openLedger(ledgerDir, true);
  if (!opened.ok) return err({ reason: 'ledger', message: opened.error });
  const coeffects = proof.coeffects.map((c) => (c.kind === 'filesystem' ? `filesystem:${c.path}` : c.kind === 'auth' ? `auth:${c.provider}` : c.kind === 'sandbox' ? `sandbox:${c.name}` : c.kind)).join(', ');
  const message = [
    `build ${record.buildId}`,
    '',
    `derivation ${record.derivationHash}`,
    `outputs ${record.outputs.length}`,
    `coeffects ${coeffects}`,
    `builder ${proof.signature!.publicKey}`,
    '',
  ].join('\n');
  const appended = await appendCommit(ledgerDir, additions, message);
  if (!appended.ok) {
    const e = appended.error;
    if (e.reason === 'conflict') return err({ reason: 'duplicate-build', message: `build ${record.buildId} is already in the ledger ${ledgerDir} (${e.message})` });
    return err({ reason: 'ledger', message: `${ledgerDir} ${LEDGER_REF}: ${e.message}` });
  }
  return ok({
    signed: true,
    buildId: record.buildId,
    ledger: ledgerDir,
    commit: appended.value,
    publicKey: proof.signature!.publicKey,
    attestations: record.outputs.length,
    proof,
  });
}
