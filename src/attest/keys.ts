// Ed25519 identities on disk: a secret key file (64 hex digits: the 32-byte RFC 8032 seed, mode 0600)
// and a public key file (64 hex digits, mode 0644). The secret key is never readable by others, not
// even for a moment: its file is created with mode 0600 and renamed (or linked) into place.
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { type Result, ok, err } from '../model/result.js';

export interface KeyPair {
  /** 32-byte seed */
  secretKey: Uint8Array;
  publicKey: Uint8Array;
}

const HEX64 = /^[0-9a-f]{64}$/;

export { defaultKeyDir, defaultSecretKeyPath } from './key-path.js';

/** `signing.key` → `signing.pub`; any other name gets `.pub` appended. */
export function publicKeyPathFor(secretPath: string): string {
  return secretPath.endsWith('.key') ? `${secretPath.slice(0, -4)}.pub` : `${secretPath}.pub`;
}

export function generateKeyPair(): KeyPair {
  const { secretKey, publicKey } = ed25519.keygen();
  return { secretKey, publicKey };
}

export function keyPairFromSecret(secretKey: Uint8Array): KeyPair {
  return { secretKey, publicKey: ed25519.getPublicKey(secretKey) };
}

export function sign(message: Uint8Array, secretKey: Uint8Array): string {
  return bytesToHex(ed25519.sign(message, secretKey));
}

/** False for a wrong signature and for malformed hex alike. */
export function verifySignature(signatureHex: string, message: Uint8Array, publicKeyHex: string): boolean {
  if (!/^[0-9a-f]{128}$/.test(signatureHex) || !HEX64.test(publicKeyHex)) return false;
  try {
    return ed25519.verify(hexToBytes(signatureHex), message, hexToBytes(publicKeyHex));
  } catch {
    return false;
  }
}

export const isPublicKeyHex = (s: string): boolean => HEX64.test(s);

/** Parses a key file: 64 lowercase or uppercase hex digits, surrounding whitespace ignored. */
export function parseKeyHex(text: string): Uint8Array | null {
  const t = text.trim().toLowerCase();
  return HEX64.test(t) ? hexToBytes(t) : null;
}

export async function readSecretKey(path: string): Promise<Result<KeyPair, string>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e: unknown) {
    return err(`cannot read signing key ${path} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const seed = parseKeyHex(text);
  if (!seed) return err(`signing key ${path} is not 64 hex digits`);
  return ok(keyPairFromSecret(seed));
}

/**
 * Trusted public keys: one hex key a line; blank lines and `#` comments are ignored.
 * Errors name the first bad line.
 */
export function parseTrustedKeys(text: string, source: string): Result<string[], string> {
  const keys: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').replace(/#.*/, '').trim().toLowerCase();
    if (line === '') continue;
    if (!HEX64.test(line)) return err(`${source}:${i + 1}: not a hex ed25519 public key`);
    keys.push(line);
  }
  return ok(keys);
}

/**
 * Writes `data` to `path` so that no reader sees a partial file and the file never exists with a mode
 * wider than `mode`. Without `overwrite`, an existing file is never replaced (link(2) fails with EEXIST).
 */
export async function writeNewFile(path: string, data: string, mode: number, overwrite: boolean): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx', mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
    await fh.close();
    if (overwrite) await rename(tmp, path);
    else await link(tmp, path);
  } finally {
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
  }
}

export interface KeygenResult {
  secretPath: string;
  publicPath: string;
  publicKey: string;
}

export async function writeKeyPair(secretPath: string, force: boolean, pair = generateKeyPair()): Promise<Result<KeygenResult, string>> {
  const publicPath = publicKeyPathFor(secretPath);
  try {
    await mkdir(dirname(secretPath), { recursive: true, mode: 0o700 });
    await writeNewFile(secretPath, `${bytesToHex(pair.secretKey)}\n`, 0o600, force);
  } catch (e: unknown) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return err(`${secretPath} already exists (use --force to replace it)`);
    return err(`cannot write ${secretPath} (${code ?? String(e)})`);
  }
  const publicKey = bytesToHex(pair.publicKey);
  try {
    await writeNewFile(publicPath, `${publicKey}\n`, 0o644, true);
  } catch (e: unknown) {
    return err(`cannot write ${publicPath} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return ok({ secretPath, publicPath, publicKey });
}
