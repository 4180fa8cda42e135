// The shim binary in confess mode, driven with random argv: response files (nested, missing, quoted),
// unicode, empty and huge arguments. It must end with exit 0 (and a parseable spool record holding the
// argv exactly) or a clean non-zero exit with an error on stderr; never a signal or a crash.
import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import type { ShimSet } from '../../src/shim/generate.js';
import { parseReport } from '../../src/model/report.js';
import { makeShims, tempDir, write, REAL_PATH } from '../shim/helpers.js';

const noSlash = (s: string): string => s.replace(/\//g, '_');
const word = fc.string({ unit: 'grapheme', maxLength: 10 }).map(noSlash);

// Response-file text: gcc's quoting rules (quotes, backslashes, blank runs) with flags and operands.
// a.rsp may name nested.rsp; nested.rsp names no response file (recursion has its own test below).
const rspWords = (nested: boolean) =>
  fc
    .array(
      fc.oneof(
        fc.constantFrom('-c', 'a.c', '-o', 'out.o', '-DX="a b"', "'-Iq d'", '\\ ', '"', "'", '\\', '-O2', '\n', '\t', ...(nested ? ['@nested.rsp'] : [])),
        word,
      ),
      { maxLength: 12 },
    )
    .map((ws) => ws.join(' '));
const rspText = rspWords(true);
const rspLeaf = rspWords(false);

const arg = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('-c', 'a.c', 'b.cc', '-o', 'out.o', '-S', '-E', '-M', '-MD', '-MF', 'dep.d', '-shared', '-fPIC', '-x', 'c', '-', 'libx.a', '-L.', '-lx', '-Wl,-z,now', '--version') },
  { weight: 2, arbitrary: fc.constantFrom('@a.rsp', '@nested.rsp', '@missing.rsp', '@', '@@a.rsp', '@.') },
  { weight: 2, arbitrary: fc.constantFrom('', ' ', '\t', 'ü.c', '日本.o', '-D\u00e9=\u2603', 'a b.c', '"q".c', "'", '\\') },
  { weight: 2, arbitrary: word },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 16 }).map((s) => noSlash(s).replace(/\0/g, '')) },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 120_000 }).map((n) => `-D${'H'.repeat(n)}`) },
);

const TOOLS = ['gcc', 'g++', 'cc', 'ar', 'ranlib', 'ld'];

// Half the runs start from a well-formed call (for some tool) with harmless flags added, so the recording
// paths are reached often, not only the error paths.
const wellFormed = fc
  .tuple(
    fc.constantFrom(['-c', 'a.c'], ['-c', 'b.cc', '-o', 'out.o'], ['-c', 'a.c', '-MD', '-MF', 'dep.d'], ['rcs', 'libx.a'], ['-c', '-r', 'liby.a']),
    fc.array(fc.constantFrom('-O2', '-g', '-DX=1', '-Wall', '-fPIC', '-D\u00e9=\u2603'), { maxLength: 4 }),
  )
  .map(([base, extra]) => [...base, ...extra]);
const argvs = fc.oneof(fc.array(arg, { maxLength: 12 }), wellFormed);

interface Outcome {
  exitCode: number | undefined;
  signal: string | undefined;
  stderr: string;
  timedOut: boolean;
}

describe('shim binary under random argv (confess mode)', () => {
  let set: ShimSet;
  let root: string;
  beforeAll(async () => {
    set = await makeShims();
    root = await tempDir('shim-argv');
  });

  it('ends cleanly for every argv: exit 0 with a matching report, or non-zero with an error message', async () => {
    const tools = TOOLS.filter((t) => set.tools.some((x) => x.name === t));
    expect(tools.length).toBeGreaterThanOrEqual(4);
    let n = 0;
    let zero = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...tools), argvs, rspText, rspLeaf, async (tool, args, rspA, rspN) => {
        // Each run gets a fresh, nested directory, so relative names stay inside it.
        const cwd = path.join(root, `r${n++}`, 'x', 'y');
        await write(cwd, {
          'a.c': '#include "h.h"\nint a(void) { return H; }\n',
          'h.h': '#define H 1\n',
          'b.cc': 'int b() { return 2; }\n',
          'a.rsp': rspA,
          'nested.rsp': rspN,
        });
        const spool = path.join(cwd, 'spool.jsonl');
        const r = await execa(path.join(set.dir, tool), args, {
          cwd,
          env: { PATH: `${set.dir}:${REAL_PATH}`, CONTINUITY_MODE: 'confess', CONTINUITY_SPOOL: spool, LC_ALL: 'C' },
          extendEnv: false,
          reject: false,
          stdin: 'ignore',
          timeout: 20_000,
          encoding: 'buffer',
        });
        const o: Outcome = { exitCode: r.exitCode, signal: r.signal, stderr: Buffer.from(r.stderr as Uint8Array).toString('latin1'), timedOut: r.timedOut };
        const ctx = `${tool} ${JSON.stringify(args).slice(0, 400)} → ${JSON.stringify(o).slice(0, 600)}`;
        expect(o.timedOut, ctx).toBe(false);
        expect(o.signal, ctx).toBeUndefined();
        expect(o.exitCode, ctx).toBeTypeOf('number');
        expect(o.exitCode!, ctx).toBeLessThan(128);
        expect(o.stderr, ctx).not.toMatch(/Segmentation|Aborted|core dumped|stack smashing|double free|malloc\(\)/);
        if (o.exitCode !== 0) expect(o.stderr.trim().length, ctx).toBeGreaterThan(0);
        // Every spool record (queries make none) parses and holds the argv exactly as received.
        const text = await fs.readFile(spool, 'utf8').catch(() => '');
        for (const line of text.split('\n').filter((l) => l !== '')) {
          const rep = parseReport(line);
          if (!rep.ok) throw new Error(`${ctx}: spool record rejected: ${rep.error}`);
          expect(rep.value.argv.slice(1), ctx).toEqual(args);
          expect(rep.value.exit, ctx).toBe(o.exitCode);
        }
        if (o.exitCode === 0) zero++;
        await fs.rm(path.join(root, `r${n - 1}`), { recursive: true, force: true });
      }),
      { numRuns: 160, endOnFailure: true },
    );
    // The generator must reach the recording paths, not only error paths.
    expect(zero).toBeGreaterThan(10);
  });

  it('a response file that names itself ends like gcc ("too many @-files"), not in an endless expansion', async () => {
    const cwd = await tempDir('rsp-self');
    await write(cwd, { 'a.c': 'int a;\n', 'self.rsp': '@self.rsp @self.rsp\n', 'one.rsp': '-O2 @one.rsp\n' });
    for (const rsp of ['@self.rsp', '@one.rsp']) {
      const real = await execa('gcc', ['-c', 'a.c', rsp], { cwd, env: { PATH: REAL_PATH, LC_ALL: 'C' }, reject: false, stdin: 'ignore', timeout: 20_000 });
      const shim = await execa(path.join(set.dir, 'gcc'), ['-c', 'a.c', rsp], {
        cwd, env: { PATH: `${set.dir}:${REAL_PATH}`, CONTINUITY_MODE: 'confess', CONTINUITY_SPOOL: path.join(cwd, 'spool.jsonl'), LC_ALL: 'C' },
        extendEnv: false, reject: false, stdin: 'ignore', timeout: 20_000,
      });
      const ctx = `${rsp}: shim exit ${shim.exitCode} ${shim.timedOut ? '(timed out)' : ''} stderr ${shim.stderr.slice(0, 300)}`;
      expect(real.exitCode).not.toBe(0);
      expect(shim.timedOut, ctx).toBe(false);
      expect(shim.exitCode, ctx).toBe(real.exitCode);
      expect(shim.stderr.trim().split('\n'), ctx).toHaveLength(1);
    }
  });
});
