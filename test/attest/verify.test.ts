import { describe, expect, it } from 'vitest';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { attestBuild, signAttestation, signProof } from '../../src/attest/attest.js';
import { docText } from '../../src/attest/entries.js';
import { generateKeyPair, readSecretKey } from '../../src/attest/keys.js';
import { appendCommit } from '../../src/attest/ledger.js';
import { type VerifyError, formatVerifyError, verifyArtifact, verifyBuild } from '../../src/attest/verify.js';
import { type Sha256, sha256Hex } from '../../src/model/hash.js';
import type { Result } from '../../src/model/result.js';
import { NOW, flipByte, gitIn, makeRecord, showBlob, signedRig, tamperLedger, tmp, writeKey } from './helpers.js';

function failure<T>(r: Result<T, VerifyError>): string {
  if (r.ok) throw new Error('verification passed where it should have failed');
  return formatVerifyError(r.error);
}

describe('verify: a signed build', () => {
  it('each output and the build id verify against the signing key', async () => {
    const rig = await signedRig();
    const trustedKeys = [rig.publicKey];
    const app = await verifyArtifact(join(rig.out, 'bin/app'), { ledger: rig.ledger, trustedKeys });
    expect(app.ok).toBe(true);
    if (!app.ok) return;
    expect(app.value.verified).toEqual([
      {
        buildId: 'build-1', path: 'bin/app', outDir: rig.out, artifact: sha256Hex('app bytes\n'),
        actionKey: rig.record.outputs[0]!.actionKey, builder: rig.publicKey, timestamp: NOW,
      },
    ]);
    expect(app.value.proofs.map((p) => p.outputHashes)).toEqual([[['bin/app', sha256Hex('app bytes\n')], ['lib/libx.a', sha256Hex('archive bytes\n')]]]);
    const build = await verifyBuild('build-1', { ledger: rig.ledger, trustedKeys });
    expect(build.ok && build.value.verified.map((v) => v.path)).toEqual(['bin/app', 'lib/libx.a']);
  });

  it('the same bytes built twice: both builds attest them, both verify', async () => {
    const rig = await signedRig();
    const out2 = join(rig.root, 'out2');
    const r = await attestBuild(makeRecord(out2, 'build-2', { 'bin/app': 'app bytes\n' }), out2, { key: rig.keyPath, ledger: rig.ledger, now: () => NOW + 1 });
    expect(r.ok).toBe(true);
    const v = await verifyArtifact(join(out2, 'bin/app'), { ledger: rig.ledger, trustedKeys: [rig.publicKey] });
    expect(v.ok && v.value.verified.map((a) => `${a.buildId} ${a.outDir}`)).toEqual([`build-1 ${rig.out}`, `build-2 ${out2}`]);
    expect((await gitIn(rig.ledger, ['rev-list', '--count', 'refs/continuity/attestations']))).toBe('2');
  });
});

describe('verify: tampering', () => {
  it('a byte flipped in an artifact: hash mismatch (by path and by build id)', async () => {
    const rig = await signedRig();
    const path = join(rig.out, 'bin/app');
    writeFileSync(path, flipByte(readFileSync(path)));
    const now = sha256Hex(readFileSync(path));
    const opts = { ledger: rig.ledger, trustedKeys: [rig.publicKey] };
    expect(failure(await verifyArtifact(path, opts))).toBe(
      `hash mismatch: ${path} has sha256 ${now}; build build-1 attested sha256 ${sha256Hex('app bytes\n')} at this path`,
    );
    expect(failure(await verifyBuild('build-1', opts))).toBe(`hash mismatch: ${path} has sha256 ${now}; build build-1 attested sha256 ${sha256Hex('app bytes\n')}`);
  });

  it('an artifact no build made: unknown artifact', async () => {
    const rig = await signedRig();
    const stray = join(rig.root, 'stray');
    writeFileSync(stray, 'never built\n');
    expect(failure(await verifyArtifact(stray, { ledger: rig.ledger, trustedKeys: [rig.publicKey] }))).toBe(
      `unknown artifact: no attestation of ${stray} (sha256 ${sha256Hex('never built\n')}) in ${rig.ledger}`,
    );
    expect(failure(await verifyBuild('build-9', { ledger: rig.ledger, trustedKeys: [rig.publicKey] }))).toBe(`unknown build: no build build-9 in ${rig.ledger}`);
  });

  it('a byte changed in an attestation (history rewritten to hide it): bad signature', async () => {
    const rig = await signedRig();
    const sha = sha256Hex('app bytes\n');
    const paths = [`builds/build-1/attestations/${sha}.json`, `artifacts/${sha}/build-1.json`];
    await tamperLedger(rig.ledger, paths, (t) => t.replace(`"timestamp": ${NOW}`, `"timestamp": ${NOW + 1}`), true);
    const opts = { ledger: rig.ledger, trustedKeys: [rig.publicKey] };
    const message = `bad signature: the attestation of bin/app in build build-1 (${paths[0]}) does not match its signature`;
    expect(failure(await verifyArtifact(join(rig.out, 'bin/app'), opts))).toBe(message);
    expect(failure(await verifyBuild('build-1', opts))).toBe(message);
    // the other artifact of the build is untouched and still verifies on its own
    expect((await verifyArtifact(join(rig.out, 'lib/libx.a'), opts)).ok).toBe(true);
  });

  it('a byte changed in a proof: bad signature', async () => {
    const rig = await signedRig();
    const proof = 'builds/build-1/proof.json';
    await tamperLedger(rig.ledger, [proof], (t) => t.replace(`"endTime": ${NOW - 10}`, `"endTime": ${NOW - 20}`), true);
    const opts = { ledger: rig.ledger, trustedKeys: [rig.publicKey] };
    const message = `bad signature: the discharge proof of build build-1 (${proof}) does not match its signature`;
    expect(failure(await verifyArtifact(join(rig.out, 'lib/libx.a'), opts))).toBe(message);
    expect(failure(await verifyBuild('build-1', opts))).toBe(message);
  });

  it('an entry changed by a later commit: the ledger is not append-only', async () => {
    const rig = await signedRig();
    await tamperLedger(rig.ledger, ['builds/build-1/proof.json'], (t) => t.replace('"kind": "pure"', '"kind": "network"'), false);
    const tip = await gitIn(rig.ledger, ['rev-parse', 'refs/continuity/attestations']);
    expect(failure(await verifyBuild('build-1', { ledger: rig.ledger, trustedKeys: [rig.publicKey] }))).toBe(
      `ledger not append-only: ${rig.ledger}: commit ${tip} changes builds/build-1/proof.json`,
    );
  });

  it('a byte flipped in a ledger object file: ledger corrupted', async () => {
    const rig = await signedRig();
    const oid = await gitIn(rig.ledger, ['rev-parse', 'refs/continuity/attestations:builds/build-1/proof.json']);
    const file = join(rig.ledger, 'objects', oid.slice(0, 2), oid.slice(2));
    chmodSync(file, 0o644);
    writeFileSync(file, flipByte(readFileSync(file)));
    const msg = failure(await verifyArtifact(join(rig.out, 'bin/app'), { ledger: rig.ledger, trustedKeys: [rig.publicKey] }));
    expect(msg.startsWith(`ledger corrupted: ${rig.ledger}: `)).toBe(true);
    expect(msg).toMatch(/corrupt|inflate|mismatch|unable/);
    expect(msg.split('\n')).toHaveLength(1);
  });

  it('a byte flipped in the ledger ref or in the tip commit: ledger corrupted', async () => {
    const rig = await signedRig();
    const opts = { ledger: rig.ledger, trustedKeys: [rig.publicKey] };
    const tip = await gitIn(rig.ledger, ['rev-parse', 'refs/continuity/attestations']);
    const commit = join(rig.ledger, 'objects', tip.slice(0, 2), tip.slice(2));
    const saved = readFileSync(commit);
    chmodSync(commit, 0o644);
    writeFileSync(commit, flipByte(saved));
    expect(failure(await verifyBuild('build-1', opts))).toMatch(new RegExp(`^ledger corrupted: ${rig.ledger}: `));
    writeFileSync(commit, saved);
    expect((await verifyBuild('build-1', opts)).ok).toBe(true);
    const ref = join(rig.ledger, 'refs', 'continuity', 'attestations');
    writeFileSync(ref, flipByte(readFileSync(ref), 3));
    expect(failure(await verifyBuild('build-1', opts))).toMatch(new RegExp(`^ledger corrupted: ${rig.ledger}: .*refs/continuity/attestations`));
  });

  it('a signature by a key not trusted: untrusted key', async () => {
    const rig = await signedRig();
    const stranger = generateKeyPair();
    const other = Buffer.from(stranger.publicKey).toString('hex');
    const opts = { ledger: rig.ledger, trustedKeys: [other] };
    expect(failure(await verifyArtifact(join(rig.out, 'bin/app'), opts))).toBe(
      `untrusted key: ${join(rig.out, 'bin/app')} (sha256 ${sha256Hex('app bytes\n')}) is attested only by keys not trusted: ${rig.publicKey}`,
    );
    expect(failure(await verifyBuild('build-1', opts))).toBe(`untrusted key: the proof of build build-1 is signed by ${rig.publicKey}, which is not trusted`);
  });

  it('a validly signed proof whose output hashes do not match the outputs: proof inconsistent', async () => {
    const root = tmp('inconsistent');
    const out = join(root, 'out');
    const ledger = join(root, 'ledger');
    const { keyPath } = await writeKey(root);
    const key = await readSecretKey(keyPath);
    if (!key.ok) throw new Error(key.error);
    const record = makeRecord(out, 'build-x', { app: 'real output\n' });
    const real = record.outputs[0]!;
    const claimed = sha256Hex('something else\n');
    const proof = signProof(
      {
        coeffects: [{ kind: 'pure' }], networkAccess: [], filesystemAccess: [], authUsage: [], buildId: 'build-x',
        derivationHash: record.derivationHash, outputHashes: [['app', claimed]], startTime: record.startTime, endTime: record.endTime, signature: null,
      },
      key.value,
    );
    const attestation = signAttestation({ artifact: real.sha256, actionKey: real.actionKey, timestamp: NOW }, key.value);
    const doc = docText({ version: 1, buildId: 'build-x', artifact: real.sha256, outputs: [{ path: 'app', outDir: out, attestation }] });
    const { openLedger } = await import('../../src/attest/ledger.js');
    expect((await openLedger(ledger, true)).ok).toBe(true);
    const added = await appendCommit(ledger, new Map([
      ['builds/build-x/proof.json', docText(proof)],
      [`builds/build-x/attestations/${real.sha256}.json`, doc],
      [`artifacts/${real.sha256}/build-x.json`, doc],
    ]), 'build build-x\n');
    expect(added.ok).toBe(true);
    const opts = { ledger, trustedKeys: [Buffer.from(key.value.publicKey).toString('hex')] };
    const message = `proof inconsistent with its outputs: build build-x: its proof gives app sha256 ${claimed}, its attestation ${real.sha256}`;
    expect(failure(await verifyArtifact(join(out, 'app'), opts))).toBe(message);
    expect(failure(await verifyBuild('build-x', opts))).toBe(message);
  });

  it('no ledger there: says so', async () => {
    const root = tmp('noledger');
    writeFileSync(join(root, 'f'), 'x');
    expect(failure(await verifyArtifact(join(root, 'f'), { ledger: join(root, 'nope'), trustedKeys: [] }))).toBe(`no ledger: ${join(root, 'nope')} is not a git repository`);
  });
});

describe('attest: the ledger is append-only', () => {
  it('a second attestation of the same build id is refused and the ledger is left as it was', async () => {
    const rig = await signedRig();
    const before = await gitIn(rig.ledger, ['rev-parse', 'refs/continuity/attestations']);
    const r = await attestBuild(rig.record, rig.out, { key: rig.keyPath, ledger: rig.ledger, now: () => NOW });
    expect(r.ok ? 'signed' : r.error.reason).toBe('duplicate-build');
    expect(await gitIn(rig.ledger, ['rev-parse', 'refs/continuity/attestations'])).toBe(before);
  });

  it('builds attested at once each get a commit, in one line of history', async () => {
    const root = tmp('parallel');
    const ledger = join(root, 'ledger');
    const { keyPath, publicKey } = await writeKey(root);
    const results = await Promise.all([0, 1, 2, 3].map((i) => {
      const out = join(root, `out${i}`);
      return attestBuild(makeRecord(out, `b${i}`, { [`f${i}`]: `content ${i}\n` }), out, { key: keyPath, ledger });
    }));
    expect(results.map((r) => r.ok)).toEqual([true, true, true, true]);
    expect(await gitIn(ledger, ['rev-list', '--count', '--min-parents=0', '--max-parents=1', 'refs/continuity/attestations'])).toBe('4');
    for (const i of [0, 1, 2, 3]) {
      expect((await verifyBuild(`b${i}`, { ledger, trustedKeys: [publicKey] })).ok).toBe(true);
    }
  });

  it('an output changed between the build and signing is not signed', async () => {
    const root = tmp('changed');
    const out = join(root, 'out');
    const { keyPath } = await writeKey(root);
    const record = makeRecord(out, 'b', { a: 'one\n' });
    writeFileSync(join(out, 'a'), 'two\n');
    const r = await attestBuild(record, out, { key: keyPath, ledger: join(root, 'ledger') });
    expect(r).toEqual({ ok: false, error: { reason: 'output', message: `output ${join(out, 'a')} has sha256 ${sha256Hex('two\n')}, the build recorded ${sha256Hex('one\n') as Sha256}` } });
  });
});

describe('ledger documents', () => {
  it('are plain JSON readable with git show', async () => {
    const rig = await signedRig();
    const proof = JSON.parse(await showBlob(rig.ledger, 'builds/build-1/proof.json'));
    expect(proof.signature.publicKey).toBe(rig.publicKey);
    expect(proof.buildId).toBe('build-1');
  });
});
