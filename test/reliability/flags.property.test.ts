// Property: the compiler-argument classifier takes any argv (adversarial spellings, unicode, empty and
// huge arguments, response-file operands) without throwing, and every argument lands in exactly one entry.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { classifyArgs, cosetArgs, typedFlags, type ClassifiedArg } from '../../src/lower/flags/classify.js';
import { gccTable } from '../../src/lower/flags/gcc.js';
import { clangTable } from '../../src/lower/flags/clang.js';
import { nvccTable } from '../../src/lower/flags/nvcc.js';
import type { FlagTable } from '../../src/lower/flags/table.js';

const TABLES: FlagTable[] = [gccTable, clangTable, nvccTable];

// Every spelling any table knows, so the generator hits prefixes, separate forms at the end of argv, etc.
const SPELLINGS = [...new Set(TABLES.flatMap((t) => t.flags.map((f) => f.spelling)))];

const arg: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...SPELLINGS),
  fc.tuple(fc.constantFrom(...SPELLINGS), fc.string({ unit: 'grapheme', maxLength: 12 })).map(([s, v]) => s + v),
  fc.tuple(fc.constantFrom(...SPELLINGS), fc.string({ maxLength: 8 })).map(([s, v]) => `${s}=${v}`),
  fc.constantFrom('', '-', '--', '@', '@rsp', '@/nonexistent/file.rsp', '-o', '-I', '-D', '-x', '-MF', '-Xlinker', '-target', '-'),
  fc.string({ unit: 'binary', maxLength: 24 }),
  fc.string({ unit: 'grapheme', maxLength: 24 }).map((s) => `-${s}`),
  fc.string({ unit: 'grapheme', maxLength: 24 }).map((s) => `@${s}`),
  fc.constantFrom('a.c', 'dir with space/b.cc', 'k.cu', "q'uote\".c", 'ü/ñ.c', '\u0000', '\n', '\\'),
  fc.nat({ max: 200_000 }).map((n) => `-D${'X'.repeat(n)}=1`),
);

const argv = fc.array(arg, { maxLength: 40 });
const table = fc.constantFrom(...TABLES);

const CLASSES_OK = (c: ClassifiedArg): boolean =>
  typeof c.cls === 'string' && Array.isArray(c.raw) && c.raw.length >= 1 && c.raw.length <= 2;

describe('compiler-argument classification under random argv', () => {
  it('never throws, covers every argument once, in order', () => {
    fc.assert(
      fc.property(table, argv, (t, args) => {
        const c = classifyArgs(t, args);
        expect(c.every(CLASSES_OK)).toBe(true);
        // The command can be rebuilt from the entries: nothing lost, nothing duplicated.
        expect(c.flatMap((x) => x.raw)).toEqual(args);
        for (const x of c) {
          if (x.cls === 'operand') expect(x.value.startsWith('-') && x.value !== '-').toBe(false);
          if (x.cls !== 'operand' && x.cls !== 'other') expect(typeof x.spelling).toBe('string');
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('typedFlags and the cache-key view are total and only drop coset noise', () => {
    fc.assert(
      fc.property(table, argv, (t, args) => {
        const c = classifyArgs(t, args);
        const typed = typedFlags(c);
        const key = cosetArgs(c);
        // The key is the command minus the ignored (noise) arguments, order kept.
        expect(key.length + typed.ignored.length).toBe(args.length);
        for (const f of typed.flags) expect(['optLevel', 'lto', 'debug', 'pic', 'targetCpu']).toContain(f.kind);
        for (const d of typed.defines) expect(typeof d.name).toBe('string');
        // Classification is a function of its input.
        expect(classifyArgs(t, args)).toEqual(c);
      }),
      { numRuns: 2000 },
    );
  });

  it('a value-taking flag at the end of argv (no value follows) is not swallowed and not dropped', () => {
    for (const t of TABLES) {
      for (const f of t.flags.filter((x) => x.form === 'separate' || x.form === 'equals-or-separate' || x.form === 'joined-or-separate')) {
        const c = classifyArgs(t, ['a.c', f.spelling]);
        expect(c.flatMap((x) => x.raw)).toEqual(['a.c', f.spelling]);
      }
    }
  });
});
