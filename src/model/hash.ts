// Branded hashes: a Sha256 can only be made by hashing (or by parsing a checked hex string).
// File contents (object files, sources) go through Node's native SHA-256, since they are hashed on every
// build; action keys through @noble/hashes, the project's audited implementation. Both are SHA-256: the same
// bytes give the same digest either way.
import { createHash } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

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
  return bytesToHex(sha256(utf8ToBytes(canonical))) as ActionKey;
}
