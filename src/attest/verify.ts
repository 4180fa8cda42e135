// Checking the ledger: does a valid signature by a trusted key attest exactly these bytes?
// In: an artifact path or a build id, the ledger, the trusted public keys. Out: what was verified, or
// the first thing wrong, as a reason from a closed union. Nothing in the ledger is believed before its
// signature checks; the ledger itself must be intact (git fsck) and append-only (every commit only adds).
import { readFile } from 'node:fs/promises';
import { pathExists as exists } from '../util/fs.js';
import { resolve } from 'node:path';
import type { Sha256 } from '../model/hash.js';
import { type Result, ok, err, unreachable } from '../model/result.js';
import type { DischargeProof } from '../model/seed.js';
import { attestationMessage, proofMessage } from './canonical.js';
import { hashFile } from './coeffects.js';
import { type AttestationsDoc, BUILD_ID, parseAttestationsDoc, parseProof } from './entries.js';
import { defaultKeyDir, parseTrustedKeys, publicKeyPathFor, defaultSecretKeyPath, verifySignature } from './keys.js';
import { LEDGER_REF, type TreeEntry, fsckLedger, git, ledgerTip, lsTree, openLedger, readBlob } from './ledger.js';

export type VerifyReason =
  | 'no-ledger'
  | 'ledger-corrupted'
  | 'not-append-only'
  | 'unreadable'
  | 'unknown-artifact'
  | 'unknown-build'
  | 'hash-mismatch'
  | 'missing-output'
  | 'malformed'
  | 'bad-signature'
  | 'untrusted-key'
  | 'inconsistent-proof';

export interface VerifyError {
  reason: VerifyReason;
  message: string;
}

/** `<what is wrong>: <details>`, the one line `continuity verify` prints. */
export function formatVerifyError(e: VerifyError): string {
  const label = ((): string => {
    switch (e.reason) {
      case 'no-ledger':
        return 'no ledger';
      case 'ledger-corrupted':
        return 'ledger corrupted';
      case 'not-append-only':
        return 'ledger not append-only';
      case 'unreadable':
        return 'cannot read';
      case 'unknown-artifact':
        return 'unknown artifact';
      case 'unknown-build':
        return 'unknown build';
      case 'hash-mismatch':
        return 'hash mismatch';
      case 'missing-output':
        return 'missing output';
      case 'malformed':
        return 'malformed ledger entry';
      case 'bad-signature':
        return 'bad signature';
      case 'untrusted-key':
        return 'untrusted key';
      case 'inconsistent-proof':
        return 'proof inconsistent with its outputs';
      default:
        return unreachable(e.reason);
    }
  })();
  return `${label}: ${e.message}`;
}

const fail = (reason: VerifyReason, message: string): { ok: false; error: VerifyError } => err({ reason, message });

export interface VerifiedAttestation {
  buildId: string;
  path: string;
  outDir: string;
  artifact: Sha256;
  actionKey: string;
  builder: string;
  timestamp: number;
}

export interface VerifyReport {
  ledger: string;
  tip: string;
  /** attestations by trusted keys that checked */
  verified: VerifiedAttestation[];
  /** the discharge proofs of the builds those attestations belong to */
  proofs: DischargeProof[];
}

export interface VerifyOptions {
  ledger: string;
  trustedKeys: readonly string[];
}

/**
 * The trusted keys: `file` when given; else `<config>/continuity/trusted-keys` when present; else the
 * public half of the default signing key. Returns the keys and where they came from.
 */
export async function loadTrustedKeys(file?: string): Promise<Result<{ keys: string[]; source: string }, string>> {
  const candidates = file !== undefined ? [file] : [resolve(defaultKeyDir(), 'trusted-keys'), publicKeyPathFor(defaultSecretKeyPath())];
  for (const source of candidates) {
    if (file === undefined && !(await exists(source))) continue;
    let text: string;
    try {
      text = await readFile(source, 'utf8');
    } catch (e: unknown) {
      return err(`cannot read trusted keys ${source} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    const keys = parseTrustedKeys(text, source);
    if (!keys.ok) return keys;
    if (keys.value.length === 0) return err(`${source} lists no trusted keys`);
    return ok({ keys: keys.value, source });
  }
  return err(`no trusted keys: give --trusted-keys FILE, or run continuity keygen to trust your own key`);
}

interface LedgerView {
  dir: string;
  tip: string;
  /** every blob in the tip's tree, by path */
  blobs: Map<string, TreeEntry>;
}

/** Opens the ledger and checks it is intact and append-only before anything in it is read. */
async function openChecked(dir: string): Promise<Result<LedgerView, VerifyError>> {
  const opened = await openLedger(dir, false);
  if (!opened.ok) return fail('no-ledger', `${dir} is not a git repository`);
  const tip = await ledgerTip(dir);
  if (tip === null) {
    // An unresolvable ref may be a damaged ref file or commit: let fsck speak first when it has something to say.
    const broken = await fsckLedger(dir, true);
    if (broken !== null) return fail('ledger-corrupted', `${dir}: ${broken}`);
    return fail('no-ledger', `${dir} has no ${LEDGER_REF}`);
  }
  const broken = await fsckLedger(dir);
  if (broken !== null) return fail('ledger-corrupted', `${dir}: ${broken}`);
  let log: string;
  try {
    log = await git(dir, ['log', '--format=%x00%H %P', '--name-status', '--no-renames', '--root', LEDGER_REF]);
  } catch (e: unknown) {
    return fail('ledger-corrupted', `${dir}: ${e instanceof Error ? e.message : String(e)}`);
  }
  for (const rec of log.split('\0')) {
    if (rec.trim() === '') continue;
    const [head = '', ...lines] = rec.split('\n');
    const [commit = '', ...parents] = head.trim().split(' ').filter((s) => s !== '');
    if (parents.length > 1) return fail('not-append-only', `${dir}: commit ${commit} merges ${parents.length} histories`);
    for (const line of lines) {
      if (line.trim() === '') continue;
      const [status = '', path = ''] = line.split('\t');
      if (status !== 'A') return fail('not-append-only', `${dir}: commit ${commit} ${status === 'D' ? 'deletes' : 'changes'} ${path}`);
    }
  }
  let entries: TreeEntry[];
  try {
    entries = await lsTree(dir, tip, [], true);
  } catch (e: unknown) {
    return fail('ledger-corrupted', `${dir}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return ok({ dir, tip, blobs: new Map(entries.filter((e) => e.type === 'blob').map((e) => [e.name, e])) });
}

async function blobText(view: LedgerView, path: string): Promise<string> {
  const e = view.blobs.get(path);
  if (!e) throw new Error(`${path} is not in the ledger`);
  return (await readBlob(view.dir, e.oid)).toString('utf8');
}

interface CheckedBuild {
  proof: DischargeProof;
  proofKey: string;
}

/** The build's proof, parsed and with a good signature (trust is decided by the caller). */
async function checkedProof(view: LedgerView, buildId: string): Promise<Result<CheckedBuild, VerifyError>> {
  const path = `builds/${buildId}/proof.json`;
  if (!view.blobs.has(path)) return fail('inconsistent-proof', `build ${buildId} has attestations but no discharge proof (${path})`);
  const proof = parseProof(await blobText(view, path));
  if (!proof) return fail('malformed', `${path} in ${view.dir} is not a discharge proof`);
  if (proof.signature === null) return fail('bad-signature', `the discharge proof of build ${buildId} is not signed`);
  const { publicKey, signature } = proof.signature;
  if (!verifySignature(signature, proofMessage(proof, publicKey), publicKey)) {
    return fail('bad-signature', `the discharge proof of build ${buildId} (${path}) does not match its signature`);
  }
  if (proof.buildId !== buildId) return fail('inconsistent-proof', `${path} is the proof of build ${proof.buildId}`);
  return ok({ proof, proofKey: publicKey });
}

/** One attestations document: parsed, every signature good, filed consistently under both paths. */
async function checkedDoc(view: LedgerView, buildId: string, sha: string): Promise<Result<AttestationsDoc, VerifyError>> {
  const byBuild = `builds/${buildId}/attestations/${sha}.json`;
  const byArtifact = `artifacts/${sha}/${buildId}.json`;
  const a = view.blobs.get(byBuild);
  const b = view.blobs.get(byArtifact);
  if (!a || !b) return fail('malformed', `${a ? byArtifact : byBuild} is missing from ${view.dir}`);
  if (a.oid !== b.oid) return fail('malformed', `${byBuild} and ${byArtifact} differ in ${view.dir}`);
  const doc = parseAttestationsDoc(await blobText(view, byBuild));
  if (!doc) return fail('malformed', `${byBuild} in ${view.dir} is not an attestations document`);
  for (const o of doc.outputs) {
    const at = o.attestation;
    if (!verifySignature(at.signature, attestationMessage(at), at.builder)) {
      return fail('bad-signature', `the attestation of ${o.path} in build ${buildId} (${byBuild}) does not match its signature`);
    }
    if (at.artifact !== sha || doc.artifact !== sha) {
      return fail('malformed', `${byBuild} attests sha256 ${at.artifact}, not ${sha}`);
    }
  }
  if (doc.buildId !== buildId) return fail('malformed', `${byBuild} belongs to build ${doc.buildId}`);
  return ok(doc);
}

/** Every output of `doc` is listed by the proof with the same hash. */
function checkAgainstProof(doc: AttestationsDoc, proof: DischargeProof): VerifyError | null {
  const listed = new Set(proof.outputHashes.map(([p, h]) => `${p}\0${h}`));
  for (const o of doc.outputs) {
    if (!listed.has(`${o.path}\0${o.attestation.artifact}`)) {
      const other = proof.outputHashes.find(([p]) => p === o.path);
      return {
        reason: 'inconsistent-proof',
        message: other
          ? `build ${doc.buildId}: its proof gives ${o.path} sha256 ${other[1]}, its attestation ${o.attestation.artifact}`
          : `build ${doc.buildId}: its proof does not list the attested output ${o.path}`,
      };
    }
  }
  return null;
}

const toVerified = (doc: AttestationsDoc): VerifiedAttestation[] =>
  doc.outputs.map((o) => ({
    buildId: doc.buildId,
    path: o.path,
    outDir: o.outDir,
    artifact: o.attestation.artifact,
    actionKey: o.attestation.actionKey,
    builder: o.attestation.builder,
    timestamp: o.attestation.timestamp,
  }));

const ATTESTATION_PATH = /^builds\/([^/]+)\/attestations\/([0-9a-f]{64})\.json$/;

/** Is `path` (absolute) an output some build attested, and with which hash? For "hash mismatch" messages. */
async function attestedAtPath(view: LedgerView, path: string): Promise<{ buildId: string; sha: string } | null> {
  for (const name of view.blobs.keys()) {
    const m = ATTESTATION_PATH.exec(name);
    if (!m) continue;
    const doc = parseAttestationsDoc(await blobText(view, name));
    for (const o of doc?.outputs ?? []) {
      if (resolve(o.outDir, o.path) === path) return { buildId: m[1]!, sha: m[2]! };
    }
  }
  return null;
}

export async function verifyArtifact(artifactPath: string, opts: VerifyOptions): Promise<Result<VerifyReport, VerifyError>> {
  const abs = resolve(artifactPath);
  let sha: Sha256;
  try {
    sha = await hashFile(abs);
  } catch (e: unknown) {
    return fail('unreadable', `${abs} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const view = await openChecked(opts.ledger);
  if (!view.ok) return view;
  const prefix = `artifacts/${sha}/`;
  const buildIds = [...view.value.blobs.keys()].filter((p) => p.startsWith(prefix) && p.endsWith('.json')).map((p) => p.slice(prefix.length, -'.json'.length));
  if (buildIds.length === 0) {
    const there = await attestedAtPath(view.value, abs);
    if (there) return fail('hash-mismatch', `${abs} has sha256 ${sha}; build ${there.buildId} attested sha256 ${there.sha} at this path`);
    return fail('unknown-artifact', `no attestation of ${abs} (sha256 ${sha}) in ${opts.ledger}`);
  }
  const trusted = new Set(opts.trustedKeys);
  const verified: VerifiedAttestation[] = [];
  const proofs: DischargeProof[] = [];
  const untrusted = new Set<string>();
  for (const buildId of buildIds.sort()) {
    const doc = await checkedDoc(view.value, buildId, sha);
    if (!doc.ok) return doc;
    const build = await checkedProof(view.value, buildId);
    if (!build.ok) return build;
    const inconsistent = checkAgainstProof(doc.value, build.value.proof);
    if (inconsistent) return err(inconsistent);
    const mine = toVerified(doc.value).filter((v) => {
      const ok = trusted.has(v.builder) && trusted.has(build.value.proofKey);
      if (!ok) untrusted.add(trusted.has(v.builder) ? build.value.proofKey : v.builder);
      return ok;
    });
    if (mine.length > 0) {
      verified.push(...mine);
      proofs.push(build.value.proof);
    }
  }
  if (verified.length === 0) {
    return fail('untrusted-key', `${abs} (sha256 ${sha}) is attested only by keys not trusted: ${[...untrusted].sort().join(', ')}`);
  }
  return ok({ ledger: opts.ledger, tip: view.value.tip, verified, proofs });
}

export async function verifyBuild(buildId: string, opts: VerifyOptions): Promise<Result<VerifyReport, VerifyError>> {
  if (!BUILD_ID.test(buildId)) return fail('unknown-build', `${JSON.stringify(buildId)} is neither a file nor a build id`);
  const view = await openChecked(opts.ledger);
  if (!view.ok) return view;
  const v = view.value;
  const prefix = `builds/${buildId}/`;
  const names = [...v.blobs.keys()].filter((p) => p.startsWith(prefix));
  if (names.length === 0) return fail('unknown-build', `no build ${buildId} in ${opts.ledger}`);
  const build = await checkedProof(v, buildId);
  if (!build.ok) return build;
  const { proof, proofKey } = build.value;
  const docs: AttestationsDoc[] = [];
  for (const name of names) {
    const m = ATTESTATION_PATH.exec(name);
    if (!m) continue;
    const doc = await checkedDoc(v, buildId, m[2]!);
    if (!doc.ok) return doc;
    const inconsistent = checkAgainstProof(doc.value, proof);
    if (inconsistent) return err(inconsistent);
    docs.push(doc.value);
  }
  const attested = new Set(docs.flatMap((d) => d.outputs.map((o) => `${o.path}\0${o.attestation.artifact}`)));
  for (const [p, h] of proof.outputHashes) {
    if (!attested.has(`${p}\0${h}`)) return fail('inconsistent-proof', `build ${buildId}: its proof lists ${p} (sha256 ${h}), which no attestation of the build covers`);
  }
  const trusted = new Set(opts.trustedKeys);
  if (!trusted.has(proofKey)) return fail('untrusted-key', `the proof of build ${buildId} is signed by ${proofKey}, which is not trusted`);
  const verified = docs.flatMap(toVerified);
  for (const a of verified) {
    if (!trusted.has(a.builder)) return fail('untrusted-key', `the attestation of ${a.path} in build ${buildId} is signed by ${a.builder}, which is not trusted`);
  }
  // The outputs on disk must still be the attested bytes.
  for (const a of verified) {
    const p = resolve(a.outDir, a.path);
    let h: Sha256;
    try {
      h = await hashFile(p);
    } catch (e: unknown) {
      return fail('missing-output', `${p} of build ${buildId} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    if (h !== a.artifact) return fail('hash-mismatch', `${p} has sha256 ${h}; build ${buildId} attested sha256 ${a.artifact}`);
  }
  return ok({ ledger: opts.ledger, tip: v.tip, verified: verified.sort((x, y) => (x.path < y.path ? -1 : 1)), proofs: [proof] });
}
