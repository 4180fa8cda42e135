// The bytes a signature covers. Every signed message is a domain-separation prefix followed by the
// canonical JSON of the claim, so a signature made for one kind of claim can never pass for another.
//
// Canonical JSON (the only encoding ever signed or checked):
//   * objects: members sorted by key (UTF-16 code unit order, which is byte order for the ASCII keys
//     used here), written `{"key":value,...}` with no whitespace; a member whose value is
//     `undefined` is an error, never silently dropped;
//   * arrays: elements in their order, `[a,b]`;
//   * strings: as `JSON.stringify` writes them (", \ and control characters escaped, lone surrogates
//     as \uXXXX), everything else literal;
//   * numbers: safe integers only (|n| < 2^53), in decimal; fractions, NaN and infinities are errors;
//   * true, false, null.
// The message is UTF-8: `PREFIX` + canonical JSON, where PREFIX is one of the constants below
// (each ends in a newline, which canonical JSON can never start with).
import type { Attestation, DischargeProof } from '../model/seed.js';

export const ATTESTATION_DOMAIN = 'continuity-attestation-v1\n';
export const PROOF_DOMAIN = 'continuity-discharge-proof-v1\n';

export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isSafeInteger(value)) throw new Error(`canonical JSON: ${value} is not a safe integer`);
      return String(value);
    case 'string':
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj).sort();
      const members = keys.map((k) => {
        const v = obj[k];
        if (v === undefined) throw new Error(`canonical JSON: member ${JSON.stringify(k)} is undefined`);
        return `${JSON.stringify(k)}:${canonicalJson(v)}`;
      });
      return `{${members.join(',')}}`;
    }
    default:
      throw new Error(`canonical JSON: cannot encode a ${typeof value}`);
  }
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** What an attestation's signature covers: every field but the signature itself. */
export function attestationMessage(a: Omit<Attestation, 'signature'>): Uint8Array {
  const claim = { artifact: a.artifact, actionKey: a.actionKey, builder: a.builder, timestamp: a.timestamp };
  return utf8(ATTESTATION_DOMAIN + canonicalJson(claim));
}

/**
 * What a discharge proof's signature covers: `{"proof": <every field but signature>, "publicKey": <hex>}`,
 * so the signer's key is bound into the message as well.
 */
export function proofMessage(p: Omit<DischargeProof, 'signature'>, publicKey: string): Uint8Array {
  const proof = {
    coeffects: p.coeffects,
    networkAccess: p.networkAccess,
    filesystemAccess: p.filesystemAccess,
    authUsage: p.authUsage,
    buildId: p.buildId,
    derivationHash: p.derivationHash,
    outputHashes: p.outputHashes,
    startTime: p.startTime,
    endTime: p.endTime,
  };
  return utf8(PROOF_DOMAIN + canonicalJson({ proof, publicKey }));
}
