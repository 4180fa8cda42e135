import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, writeFileSync, rmSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseJsonBuffer, readJsonFile } from '../../src/util/json-read.js';

/** JSON.parse's verdict: the value, or 'rejected'. */
const reference = (text: string): { v: unknown } | 'rejected' => {
  try {
    return { v: JSON.parse(text) };
  } catch {
    return 'rejected';
  }
};
const ours = (text: string, split: number): { v: unknown } | 'rejected' => {
  try {
    return { v: parseJsonBuffer(Buffer.from(text, 'utf8'), split) };
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    return 'rejected';
  }
};

/** JSON.stringify with random whitespace between tokens (a valid text of the same value). */
const spaced = (v: unknown, spaces: string[]): string => {
  let k = 0;
  const ws = (): string => spaces[k++ % spaces.length] as string;
  const go = (x: unknown): string => {
    if (Array.isArray(x)) return `[${ws()}${x.map((e) => `${ws()}${go(e)}${ws()}`).join(',')}${ws()}]`;
    if (x !== null && typeof x === 'object') {
      return `{${ws()}${Object.entries(x).map(([key, e]) => `${ws()}${JSON.stringify(key)}${ws()}:${ws()}${go(e)}`).join(',')}${ws()}}`;
    }
    return JSON.stringify(x);
  };
  return `${ws()}${go(v)}${ws()}`;
};

describe('parseJsonBuffer', () => {
  it('gives JSON.parse\'s value for any JSON text, cut into pieces as small as a byte', () => {
    const space = fc.array(fc.constantFrom('', ' ', '\n', '\t', '\r\n  '), { minLength: 1, maxLength: 5 });
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), space, fc.integer({ min: 1, max: 80 }), (v, spaces, split) => {
        const text = spaced(v, spaces);
        expect(ours(text, split)).toEqual(reference(text));
      }),
      { numRuns: 400 },
    );
  });

  it('rejects what JSON.parse rejects, and accepts the same values otherwise (mutated texts)', () => {
    const noise = fc.constantFrom(',', ':', '[', ']', '{', '}', '"', '\\', ' ', 'x', '1', '\u00e9');
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), fc.array(fc.tuple(fc.nat(), fc.boolean(), noise), { minLength: 1, maxLength: 3 }), fc.integer({ min: 1, max: 40 }), (v, edits, split) => {
        let text = JSON.stringify(v) ?? 'null';
        for (const [at, del, ch] of edits) {
          const i = at % (text.length + 1);
          text = del ? text.slice(0, i) + text.slice(i + 1) : text.slice(0, i) + ch + text.slice(i);
        }
        const want = reference(text);
        const got = ours(text, split);
        if (want === 'rejected') expect(got).toBe('rejected');
        else expect(got).toEqual(want);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps an own "__proto__" key as JSON.parse does, and the last of repeated keys', () => {
    const text = '{"__proto__": {"polluted": true}, "a": [1, 2, 3], "a": [4]}';
    const o = parseJsonBuffer(Buffer.from(text), 4) as Record<string, unknown>;
    expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
    expect(Object.keys(o)).toEqual(['__proto__', 'a']);
    expect(o['a']).toEqual([4]);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(o).toEqual(JSON.parse(text));
  });

  it('handles escaped quotes and backslashes at the ends of strings', () => {
    const v = { 'k"\\': ['\\', '"', '\\"', 'a\\\\', '"]},[{'], n: [[], {}, [[]]] };
    const text = JSON.stringify(v);
    for (let split = 1; split < text.length + 2; split++) expect(parseJsonBuffer(Buffer.from(text), split)).toEqual(v);
  });
});

describe('readJsonFile', () => {
  it('reads a file and throws the read error (ENOENT) or a SyntaxError', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'json-read-'));
    try {
      writeFileSync(join(dir, 'a.json'), '{"x": [1, 2]}\n');
      writeFileSync(join(dir, 'bad.json'), '{"x": [1, 2}\n');
      expect(await readJsonFile(join(dir, 'a.json'))).toEqual({ x: [1, 2] });
      await expect(readJsonFile(join(dir, 'bad.json'))).rejects.toBeInstanceOf(SyntaxError);
      await expect(readJsonFile(join(dir, 'none.json'))).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // A text longer than a V8 string may be (2^29 - 24 characters): JSON.parse of the whole cannot be done at all.
  it.runIf(process.env['CONTINUITY_SLOW_TESTS'] === '1')('reads a graph-shaped file of 600 MB', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'json-read-big-'));
    const file = join(dir, 'graph.json');
    try {
      const fd = openSync(file, 'w');
      const n = 4_000_000;
      writeSync(fd, '{"attributes":{"version":1},"nodes":[{"key":"a","attributes":{"type":"file"}}],"edges":[');
      const pad = 'p'.repeat(100);
      let chunk = '';
      for (let i = 0; i < n; i++) {
        chunk += `${i ? ',' : ''}{"source":"file:/src/${pad}/${i}.h","target":"action:${i % 1000}"}`;
        if (chunk.length > 1 << 22) {
          writeSync(fd, chunk);
          chunk = '';
        }
      }
      writeSync(fd, `${chunk}]}\n`);
      closeSync(fd);
      const g = (await readJsonFile(file)) as { nodes: unknown[]; edges: { source: string; target: string }[] };
      expect(g.nodes).toHaveLength(1);
      expect(g.edges).toHaveLength(n);
      expect(g.edges[n - 1]).toEqual({ source: `file:/src/${pad}/${n - 1}.h`, target: `action:${(n - 1) % 1000}` });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
