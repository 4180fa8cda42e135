// Branded hashes: a Sha256 can only be made by hashing (or by parsing a checked hex string).
// Hashing is Node's native SHA-256: object files, sources and keys are hashed on every build.
import { createHash } from 'node:crypto';

export type Sha256 = string & { readonly __brand: 'Sha256' };
export type ActionKey = string & { readonly __brand: 'ActionKey' };

const HEX64 = /^[0-9a-f]{64}$/;

export function sha256Hex(data: Uint8Array | string): Sha256 {
  return createHash('sha256').update(data).digest('hex') as Sha256;
}

export function parseSha256(s: string): Sha256 | undefined {
  return HEX64.test(s) ? (s as Sha256) : undefined;
}

export function actionKeyOf(canonical: string): ActionKey {
  return sha256Hex(canonical) as string as ActionKey;
}
