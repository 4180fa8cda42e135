// Branded hashes: a Sha256 can only be made by hashing (or by parsing a checked hex string).
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

export type Sha256 = string & { readonly __brand: 'Sha256' };
export type ActionKey = string & { readonly __brand: 'ActionKey' };

const HEX64 = /^[0-9a-f]{64}$/;

export function sha256Hex(data: Uint8Array | string): Sha256 {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  return bytesToHex(sha256(bytes)) as Sha256;
}

export function parseSha256(s: string): Sha256 | undefined {
  return HEX64.test(s) ? (s as Sha256) : undefined;
}

export function actionKeyOf(canonical: string): ActionKey {
  return sha256Hex(canonical) as string as ActionKey;
}
