// The compact form decodes back to the value it was made from: arbitrary JSON and real lowered actions.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { makeRig } from '../fixtures/graphs/rig.js';
import { loadJsonInput } from '../../src/lower/load.js';
import { decodeActions, decodeCompact, encodeActions, encodeCompact } from '../../src/lower/compact.js';

describe('compact form', () => {
  it('round-trips any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(decodeCompact(encodeCompact(v))).toEqual(JSON.parse(JSON.stringify(v)));
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips lowered actions, smaller than their JSON', async () => {
    const rig = makeRig('c-lib');
    const actions = await loadJsonInput(rig.graphPath);
    const text = encodeCompact(actions);
    expect(decodeCompact(text)).toEqual(actions);
    expect(text.length).toBeLessThan(JSON.stringify(actions).length);
    // with each distinct input kept once
    const shared = encodeActions(actions);
    expect(decodeActions(shared)).toEqual(actions);
    expect(() => decodeActions(encodeCompact({ actions: [], tables: { inputs: [], storePaths: [] } }))).not.toThrow();
    expect(() => decodeActions(encodeCompact({ actions: [{ inputs: [3], action: { inputs: [] } }], tables: { inputs: [], storePaths: [] } }))).toThrow('index 3 out of range');
    expect(() => decodeActions(encodeCompact(actions))).toThrow('not compact actions');
  });

  it('drops undefined fields as JSON does, and refuses text it did not make', () => {
    expect(decodeCompact(encodeCompact({ a: 1, b: undefined, c: [undefined, 'x'] }))).toEqual({ a: 1, c: [null, 'x'] });
    expect(decodeCompact(encodeCompact([{ '': {} }, {}, { '': 1 }]))).toEqual([{ '': {} }, {}, { '': 1 }]); // no keys and one empty key are two shapes
    expect(decodeCompact(encodeCompact(JSON.parse('{"__proto__": {"x": 1}}')))).toEqual(JSON.parse('{"__proto__": {"x": 1}}'));
    expect(() => decodeCompact('{"strings": []}')).toThrow('not a compact document');
    expect(() => decodeCompact(JSON.stringify({ compact: 1, strings: [], shapes: [], value: 3 }))).toThrow('out of range');
    expect(() => decodeCompact(JSON.stringify({ compact: 1, strings: ['k'], shapes: [['k']], value: [1] }))).toThrow('malformed object');
  });
});
