// Keys are the sha256 of the canonical encoding of keyObject; keyText makes that encoding faster and must
// make exactly the same text.
import { describe, expect, it } from 'vitest';
import { makeRig } from '../fixtures/graphs/rig.js';
import { loadJsonInput } from '../../src/lower/load.js';
import { keyObject, keyText } from '../../src/lower/key.js';
import { canonicalJson } from '../../src/lower/canonical.js';
import { actionKeyOf } from '../../src/model/hash.js';

describe('action keys', () => {
  it('keyText is canonicalJson of keyObject, and the key is its hash', async () => {
    const rig = makeRig('c-lib');
    const file = await loadJsonInput(rig.graphPath);
    const pieces = new Map<string, string>();
    for (const a of file.actions) {
      const text = keyText(a, a.action.inputs, pieces);
      expect(text).toBe(canonicalJson(keyObject(a, a.action.inputs)));
      expect(actionKeyOf(text)).toBe(a.key);
    }
    expect(pieces.size).toBeGreaterThan(0);
  });
});
