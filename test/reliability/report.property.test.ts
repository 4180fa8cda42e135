// Property: parseReport turns anything (random JSON, garbage bytes, a real report with one field broken)
// into a typed Report or a one-line reason; it never throws.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { parseReport, type Report } from '../../src/model/report.js';

const good: Report = {
  v: 1, rid: '0123456789abcdef-42', tool: 'gcc', kind: 'cc', real: '/usr/bin/gcc', mode: 'confess', role: 'compile',
  cwd: '/w', argv: ['gcc', '-c', 'a.c'], args: ['gcc', '-c', 'a.c'], env: { LANG: 'C' },
  inputs: [{ path: '/w/a.c', token: null }], outputs: [{ path: '/w/a.o', token: 'fedcba9876543210' }],
  deps: ['/w/a.c'], depfile: null, exit: 0, t0: 1, t1: 2,
};

const isReason = (e: string): boolean => typeof e === 'string' && e.length > 0 && !e.includes('\n');

function checkTotal(input: unknown): void {
  const r = parseReport(input);
  if (r.ok) {
    expect(r.value.v).toBe(1);
    expect(typeof r.value.rid).toBe('string');
    expect(r.value.cwd.startsWith('/')).toBe(true);
  } else {
    expect(isReason(r.error)).toBe(true);
  }
}

describe('parseReport under random input', () => {
  it('random JSON values and their text: typed result or reason', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        checkTotal(v);
        checkTotal(JSON.stringify(v));
      }),
      { numRuns: 3000 },
    );
  });

  it('garbage strings (binary, unicode, truncated reports): typed result or reason', () => {
    const line = JSON.stringify(good);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 200 }),
          fc.string({ unit: 'grapheme', maxLength: 200 }),
          fc.nat({ max: line.length }).map((n) => line.slice(0, n)),
          fc.tuple(fc.nat({ max: line.length }), fc.string({ maxLength: 5 })).map(([n, s]) => line.slice(0, n) + s + line.slice(n)),
        ),
        (s) => checkTotal(s),
      ),
      { numRuns: 3000 },
    );
  });

  it('a real report with one field replaced by a random value is rejected or still well typed', () => {
    const keys = Object.keys(good) as (keyof Report)[];
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.jsonValue(), (k, v) => {
        const bad = { ...good, [k]: v } as Record<string, unknown>;
        const r = parseReport(JSON.stringify(bad));
        if (r.ok) {
          // Only a value of the right shape may pass.
          expect(JSON.stringify(r.value[k])).toBe(JSON.stringify(v));
        } else expect(isReason(r.error)).toBe(true);
        const missing = { ...good } as Record<string, unknown>;
        delete missing[k];
        const m = parseReport(missing);
        expect(m.ok).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('non-JSON-safe objects (prototype tricks, huge arrays, deep nesting) do not crash it', () => {
    const deep: unknown = Array.from({ length: 5000 }).reduce<unknown>((acc) => [acc], 0);
    for (const x of [
      Object.create(null), { __proto__: { v: 1 } }, new Array(1_000_000), deep, { ...good, argv: new Array(100_000).fill('x') },
      { ...good, env: { CPATH: 1 } }, { ...good, inputs: [null] }, { ...good, exit: 1.5 }, { ...good, cwd: 'relative' },
      '{"v":1', '\u0000', '[]', 'null', '1e400', '"' + 'a'.repeat(1_000_000) + '"',
    ]) checkTotal(x);
  });
});
