import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { jsonChunks, prettyArrayChunks } from '../../src/util/json-chunks.js';

const join = (g: Iterable<string>): string => [...g].join('');

describe('jsonChunks', () => {
  it('gives exactly JSON.stringify for any JSON value, and for objects whose members are arrays', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => {
      expect(join(jsonChunks(v))).toBe(JSON.stringify(v));
    }));
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.oneof(fc.array(fc.jsonValue()), fc.jsonValue())), (o) => {
        expect(join(jsonChunks(o))).toBe(JSON.stringify(o));
      }),
    );
  });

  it('leaves out what JSON.stringify leaves out, and writes null where it does', () => {
    const v = { a: undefined, b: [undefined, () => 1, 2], c: () => 3, d: 'x\n"y"', e: [] };
    expect(join(jsonChunks(v))).toBe(JSON.stringify(v));
    expect(join(jsonChunks([undefined, 'é', null]))).toBe(JSON.stringify([undefined, 'é', null]));
  });

  it('makes a graph-shaped object a node and an edge at a time', () => {
    const g = { attributes: { v: 1 }, nodes: [{ key: 'a' }, { key: 'b' }], edges: [{ source: 'a', target: 'b' }] };
    const pieces = [...jsonChunks(g)];
    expect(pieces.length).toBeGreaterThan(6);
    expect(pieces).toContain(',{"key":"b"}');
  });
});

describe('prettyArrayChunks', () => {
  it('gives exactly JSON.stringify(xs, null, 2) for any array of JSON values', () => {
    fc.assert(fc.property(fc.array(fc.jsonValue()), (xs) => {
      expect(join(prettyArrayChunks(xs))).toBe(JSON.stringify(xs, null, 2));
    }));
    const db = [{ directory: '/b', arguments: ['gcc', '-DX="a\nb"'], file: '/s/a.c', output: 'a.o' }, { nested: { deep: [1, [2, {}]] } }];
    expect(join(prettyArrayChunks(db))).toBe(JSON.stringify(db, null, 2));
  });
});
