import { describe, expect, it } from 'vitest';
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  keyPairFromSecret, parseTrustedKeys, publicKeyPathFor, readSecretKey, sign, verifySignature, writeKeyPair,
} from '../../src/attest/keys.js';
import { RFC8032_VECTORS } from './rfc8032-vectors.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'continuity-keys-'));

describe('ed25519: RFC 8032 §7.1 test vectors', () => {
  it('the vector set is the RFC one (SHA(abc) is the SHA-512 of "abc"; TEST 1024 signs 1023 bytes)', () => {
    expect(RFC8032_VECTORS.map((v) => v.name)).toEqual(['TEST 1', 'TEST 2', 'TEST 3', 'TEST 1024', 'TEST SHA(abc)']);
    expect(RFC8032_VECTORS[4]!.message).toBe(bytesToHex(sha512(new TextEncoder().encode('abc'))));
    expect(RFC8032_VECTORS.map((v) => v.message.length / 2)).toEqual([0, 1, 2, 1023, 64]);
  });

  for (const v of RFC8032_VECTORS) {
    describe(v.name, () => {
      const sk = hexToBytes(v.secretKey);
      const msg = hexToBytes(v.message);

      it('public key from the secret key', () => {
        expect(bytesToHex(ed25519.getPublicKey(sk))).toBe(v.publicKey);
        expect(bytesToHex(keyPairFromSecret(sk).publicKey)).toBe(v.publicKey);
      });

      it('signature (deterministic) and verification', () => {
        expect(bytesToHex(ed25519.sign(msg, sk))).toBe(v.signature);
        expect(sign(msg, sk)).toBe(v.signature);
        expect(ed25519.verify(hexToBytes(v.signature), msg, hexToBytes(v.publicKey))).toBe(true);
        expect(verifySignature(v.signature, msg, v.publicKey)).toBe(true);
      });

      it('rejects a flipped bit in the message, the signature and the key', () => {
        const badMsg = new Uint8Array([...msg, 0]);
        if (msg.length > 0) {
          badMsg.set(msg);
          badMsg[0] = msg[0]! ^ 1;
        }
        const sig = hexToBytes(v.signature);
        sig[10] = sig[10]! ^ 0x80;
        const pub = hexToBytes(v.publicKey);
        pub[3] = pub[3]! ^ 1;
        expect(verifySignature(v.signature, msg.length > 0 ? badMsg.slice(0, msg.length) : badMsg, v.publicKey)).toBe(false);
        expect(verifySignature(bytesToHex(sig), msg, v.publicKey)).toBe(false);
        expect(verifySignature(v.signature, msg, bytesToHex(pub))).toBe(false);
      });
    });
  }

  it('malformed hex is a failed verification, not an exception', () => {
    const v = RFC8032_VECTORS[0]!;
    expect(verifySignature(v.signature.slice(2), new Uint8Array(), v.publicKey)).toBe(false);
    expect(verifySignature(v.signature, new Uint8Array(), 'zz'.repeat(32))).toBe(false);
  });
});

describe('key files', () => {
  it('keygen writes the secret key with mode 0600 and the public key beside it', async () => {
    const dir = tmp();
    const path = join(dir, 'sub', 'signing.key');
    const r = await writeKeyPair(path, false);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.publicPath).toBe(join(dir, 'sub', 'signing.pub'));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(r.value.publicPath).mode & 0o777).toBe(0o644);
    expect(statSync(join(dir, 'sub')).mode & 0o077).toBe(0);
    const secret = readFileSync(path, 'utf8');
    expect(secret).toMatch(/^[0-9a-f]{64}\n$/);
    const pub = readFileSync(r.value.publicPath, 'utf8').trim();
    expect(pub).toBe(r.value.publicKey);
    expect(bytesToHex(ed25519.getPublicKey(hexToBytes(secret.trim())))).toBe(pub);
    const back = await readSecretKey(path);
    expect(back.ok && bytesToHex(back.value.publicKey)).toBe(pub);
  });

  it('never replaces an existing key without force', async () => {
    const dir = tmp();
    const path = join(dir, 'signing.key');
    const first = await writeKeyPair(path, false);
    const again = await writeKeyPair(path, false);
    expect(again).toEqual({ ok: false, error: `${path} already exists (use --force to replace it)` });
    expect(first.ok && readFileSync(publicKeyPathFor(path), 'utf8').trim()).toBe(first.ok && first.value.publicKey);
    const forced = await writeKeyPair(path, true);
    expect(forced.ok).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(forced.ok && first.ok && forced.value.publicKey !== first.value.publicKey).toBe(true);
  });

  it('a key file that is not 64 hex digits is refused by name', async () => {
    const dir = tmp();
    const path = join(dir, 'bad.key');
    writeFileSync(path, 'not a key\n');
    expect(await readSecretKey(path)).toEqual({ ok: false, error: `signing key ${path} is not 64 hex digits` });
    expect(await readSecretKey(join(dir, 'none.key'))).toEqual({ ok: false, error: `cannot read signing key ${join(dir, 'none.key')} (ENOENT)` });
  });

  it('trusted keys: one a line, comments and blank lines ignored, the first bad line named', () => {
    const k = RFC8032_VECTORS[0]!.publicKey;
    expect(parseTrustedKeys(`# mine\n${k.toUpperCase()}  # laptop\n\n`, 'keys')).toEqual({ ok: true, value: [k] });
    expect(parseTrustedKeys(`${k}\nabc\n`, 'keys')).toEqual({ ok: false, error: 'keys:2: not a hex ed25519 public key' });
  });
});
