// SHA-256 against published test vectors (FIPS 180-2), for strings (UTF-8) and bytes alike.
import { describe, expect, it } from 'vitest';
import { actionKeyOf, parseSha256, sha256Hex } from '../../src/model/hash.js';

describe('sha256Hex', () => {
  it('matches the standard vectors', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  });

  it('hashes a string as its UTF-8 bytes', () => {
    const s = 'naïve ☃ path';
    expect(sha256Hex(s)).toBe(sha256Hex(new TextEncoder().encode(s)));
    expect(sha256Hex(new Uint8Array(0))).toBe(sha256Hex(''));
  });

  it('keys and parsed hashes are the same hex strings', () => {
    expect(actionKeyOf('abc') as string).toBe(sha256Hex('abc'));
    const long = `${'x'.repeat(100_000)} naïve ☃`;
    expect(actionKeyOf(long) as string).toBe(sha256Hex(long));
    expect(parseSha256(sha256Hex('x'))).toBe(sha256Hex('x'));
    expect(parseSha256('ABC')).toBeUndefined();
  });
});
