// The token format: parseToken is total (random text → token or reason), round-trips formatTokenHead,
// and reads the tokens real shims write in a confession (ids and deps agree with the shims' reports).
import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseToken, formatTokenHead, TOKEN_KINDS, type Token } from '../../src/model/token.js';
import type { ShimSet } from '../../src/shim/generate.js';
import { makeShims, run, tempDir, write, readSpool } from '../shim/helpers.js';

const hex16 = fc.stringMatching(/^[0-9a-f]{16}$/);
const token: fc.Arbitrary<Token> = fc.record({
  id: hex16,
  kind: fc.constantFrom(...TOKEN_KINDS),
  deps: fc.array(hex16, { maxLength: 30 }),
});

describe('parseToken', () => {
  it('round-trips every well-formed token, whatever follows the header', () => {
    fc.assert(
      fc.property(token, fc.string({ unit: 'grapheme', maxLength: 80 }), (t, tail) => {
        const r = parseToken(formatTokenHead(t) + tail);
        expect(r).toEqual({ ok: true, value: t });
      }),
      { numRuns: 2000 },
    );
  });

  it('random text and mutated tokens: a token or a one-line reason, never a throw', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 300 }),
          fc.tuple(token, fc.nat(), fc.string({ maxLength: 4 })).map(([t, n, s]) => {
            const h = formatTokenHead(t);
            const at = n % (h.length + 1);
            return h.slice(0, at) + s + h.slice(at + s.length);
          }),
          fc.tuple(token, fc.nat()).map(([t, n]) => formatTokenHead(t).slice(0, n % 120)),
        ),
        (text) => {
          const r = parseToken(text);
          if (r.ok) {
            expect(r.value.id).toMatch(/^[0-9a-f]{16}$/);
            expect(TOKEN_KINDS).toContain(r.value.kind);
            for (const d of r.value.deps) expect(d).toMatch(/^[0-9a-f]{16}$/);
            // Anything accepted is exactly a header we would write.
            expect(text.startsWith(formatTokenHead(r.value))).toBe(true);
          } else {
            expect(r.error.length).toBeGreaterThan(0);
            expect(r.error).not.toContain('\n');
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('rejects near misses with a reason naming the part', () => {
    const t = formatTokenHead({ id: '0123456789abcdef', kind: 'object', deps: [] });
    expect(parseToken('')).toMatchObject({ ok: false, error: expect.stringContaining('#!/bin/sh') });
    expect(parseToken(t.replace('v1', 'v2'))).toMatchObject({ ok: false, error: expect.stringContaining('continuity-token v1') });
    expect(parseToken(t.replace('0123456789abcdef', '0123456789ABCDEF'))).toMatchObject({ ok: false, error: expect.stringContaining('id') });
    expect(parseToken(t.replace('kind=object', 'kind=rootkit'))).toMatchObject({ ok: false, error: expect.stringContaining('kind') });
    expect(parseToken(t.replace('# deps=', '# deps=zz'))).toMatchObject({ ok: false, error: expect.stringContaining('dep') });
    expect(parseToken(t.slice(0, -1))).toMatchObject({ ok: false, error: expect.stringContaining('truncated') });
  });
});

describe('tokens written by real shims', () => {
  let set: ShimSet;
  let dir: string;
  beforeAll(async () => {
    set = await makeShims();
    dir = await tempDir('tokens');
    await write(dir, {
      'a.c': 'int a(void) { return 1; }\n',
      'b.c': 'int b(void) { return 2; }\n',
      'm.c': 'int a(void); int b(void); int main(void) { return a() + b(); }\n',
      's.c': 'int s(void) { return 3; }\n',
    });
  });

  it('parses each object, archive, shared library and executable token, deps matching the reports', async () => {
    const steps: [string, string[]][] = [
      ['gcc', ['-c', 'a.c', '-o', 'a.o']],
      ['gcc', ['-c', 'b.c', '-o', 'b.o']],
      ['gcc', ['-S', 's.c', '-o', 's.s']],
      ['gcc', ['-fPIC', '-c', 's.c', '-o', 's.o']],
      ['ar', ['qc', 'libab.a', 'a.o', 'b.o']],
      ['gcc', ['-shared', '-o', 'libs.so', 's.o']],
      ['gcc', ['m.c', '-o', 'm', '-L.', '-lab', 'libs.so']],
    ];
    for (const [cmd, args] of steps) {
      const r = await run(set, dir, 'confess', cmd, args);
      expect(r.exitCode, r.stderr).toBe(0);
    }
    const parsed = new Map<string, Token>();
    for (const f of ['a.o', 'b.o', 's.s', 's.o', 'libab.a', 'libs.so', 'm']) {
      const t = parseToken(await fs.readFile(path.join(dir, f), 'latin1'));
      if (!t.ok) throw new Error(`${f}: ${t.error}`);
      parsed.set(f, t.value);
    }
    expect(parsed.get('a.o')).toMatchObject({ kind: 'object', deps: [] });
    expect(parsed.get('s.s')).toMatchObject({ kind: 'asm', deps: [] });
    expect(parsed.get('libab.a')).toMatchObject({ kind: 'archive', deps: [parsed.get('a.o')!.id, parsed.get('b.o')!.id] });
    expect(parsed.get('libs.so')).toMatchObject({ kind: 'shared', deps: [parsed.get('s.o')!.id] });
    const exe = parsed.get('m')!;
    expect(exe.kind).toBe('executable');
    // Flattened deps of the inputs, then the inputs themselves (first occurrence kept).
    expect(exe.deps).toEqual(expect.arrayContaining([parsed.get('a.o')!.id, parsed.get('b.o')!.id, parsed.get('libab.a')!.id, parsed.get('libs.so')!.id]));
    expect(new Set(exe.deps).size).toBe(exe.deps.length);

    // The ids in the files are the ids the shims reported.
    const reports = await readSpool(path.join(dir, 'spool.jsonl'));
    for (const [f, t] of parsed) {
      const out = reports.flatMap((r) => r.outputs).filter((o) => o.path === path.join(dir, f)).pop();
      expect(out?.token, f).toBe(t.id);
    }
    // An executable token explains itself and fails when run.
    const ran = await run(set, dir, null, './m', []);
    expect(ran.exitCode).toBe(126);
    expect(ran.stderr).toContain('build-graph token');
  });
});
