import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { attestationMessage, canonicalJson, proofMessage } from '../../src/attest/canonical.js';
import { signAttestation, signProof } from '../../src/attest/attest.js';
import { keyPairFromSecret, verifySignature } from '../../src/attest/keys.js';
import { type ActionKey, sha256Hex } from '../../src/model/hash.js';
import type { DischargeProof } from '../../src/model/seed.js';

const key = keyPairFromSecret(new Uint8Array(32).fill(7));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('canonical JSON', () => {
  it('sorts members, keeps array order, writes no whitespace', () => {
    expect(canonicalJson({ b: [3, 1, { z: null, a: true }], a: 'x\n"' })).toBe('{"a":"x\\n\\"","b":[3,1,{"a":true,"z":null}]}');
  });

  it('refuses what it cannot encode exactly', () => {
    expect(() => canonicalJson({ a: undefined })).toThrow('canonical JSON: member "a" is undefined');
    expect(() => canonicalJson(1.5)).toThrow('canonical JSON: 1.5 is not a safe integer');
    expect(() => canonicalJson(2 ** 53)).toThrow('is not a safe integer');
    expect(() => canonicalJson(NaN)).toThrow('is not a safe integer');
  });

  it('does not depend on member order, and round-trips through JSON.parse', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null))), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(obj));
        expect(JSON.parse(canonicalJson(obj))).toEqual(obj);
      }),
    );
  });
});

describe('signed messages', () => {
  const claim = { artifact: sha256Hex('a'), actionKey: sha256Hex('k') as string as ActionKey, timestamp: 1 };
  const proof: DischargeProof = {
    coeffects: [{ kind: 'pure' }], networkAccess: [], filesystemAccess: [], authUsage: [], buildId: 'b',
    derivationHash: sha256Hex('d'), outputHashes: [['x', sha256Hex('a')]], startTime: 0, endTime: 1, signature: null,
  };

  it('an attestation signature covers artifact, action key, builder and time', () => {
    const a = signAttestation(claim, key);
    expect(a.builder).toBe(hex(key.publicKey));
    expect(verifySignature(a.signature, attestationMessage(a), a.builder)).toBe(true);
    for (const changed of [{ ...a, artifact: sha256Hex('b') }, { ...a, actionKey: sha256Hex('j') as string as ActionKey }, { ...a, timestamp: 2 }]) {
      expect(verifySignature(a.signature, attestationMessage(changed), a.builder)).toBe(false);
    }
  });

  it('a proof signature covers every field and the signer key', () => {
    const p = signProof(proof, key);
    const pk = p.signature!.publicKey;
    expect(verifySignature(p.signature!.signature, proofMessage(p, pk), pk)).toBe(true);
    expect(verifySignature(p.signature!.signature, proofMessage({ ...p, outputHashes: [['x', sha256Hex('c')]] }, pk), pk)).toBe(false);
    expect(verifySignature(p.signature!.signature, proofMessage({ ...p, coeffects: [{ kind: 'network' }] }, pk), pk)).toBe(false);
  });

  it('domain separation: the signature of one kind of claim never checks as another', () => {
    const a = signAttestation(claim, key);
    const asProofMsg = new TextEncoder().encode(new TextDecoder().decode(attestationMessage(a)).replace(/^[^\n]*\n/, 'continuity-discharge-proof-v1\n'));
    expect(verifySignature(a.signature, asProofMsg, a.builder)).toBe(false);
    expect(new TextDecoder().decode(attestationMessage(a))).toMatch(/^continuity-attestation-v1\n\{/);
    expect(new TextDecoder().decode(proofMessage(proof, a.builder))).toMatch(/^continuity-discharge-proof-v1\n\{"proof":\{/);
  });
});
