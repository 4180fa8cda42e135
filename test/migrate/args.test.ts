// Typing one argument: a typed value only when rendering it gives back the exact text; Dhall text
// literals that dhall-to-json reads back unchanged.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { typeArg, renderedText, withObjectsPlaceholder, type ArgContext } from '../../src/migrate/args.js';
import { text } from '../../src/migrate/dhall-text.js';
import { dhallToJson } from '../../src/migrate/dhall.js';
import type { Arg } from '../../src/migrate/model.js';

const ctx: ArgContext = {
  roots: { srcdir: '/p/src', builddir: '/p/src/build', packages: new Map([['Boost', '/p/fake/Boost']]) },
  fileDir: '/p/src/lib',
  source: '/p/src/lib/a.c',
  object: 'CMakeFiles/a.dir/lib/a.c.o',
};

describe('typeArg', () => {
  const cases: [string, Arg][] = [
    ['-O2', { kind: 'Flag', flag: { kind: 'optLevel', level: 'O2' } }],
    ['-Os', { kind: 'Flag', flag: { kind: 'optLevel', level: 'Os' } }],
    ['-flto=thin', { kind: 'Flag', flag: { kind: 'lto', mode: 'thin' } }],
    ['-fPIC', { kind: 'Flag', flag: { kind: 'pic', on: true } }],
    ['-g', { kind: 'Flag', flag: { kind: 'debug', on: true } }],
    ['-march=znver4', { kind: 'Flag', flag: { kind: 'targetCpu', cpu: 'znver4' } }],
    ['-DNAME="a b"', { kind: 'Define', name: 'NAME', value: '"a b"' }],
    ['-DONLY', { kind: 'Define', name: 'ONLY', value: null }],
    ['-std=gnu11', { kind: 'Std', std: 'gnu11' }],
    ['-arch=sm_90a', { kind: 'CudaArch', gpu: 'sm_90a' }],
    ['--target=aarch64-unknown-linux-gnu', { kind: 'Target', triple: { arch: 'aarch64', vendor: 'unknown', os: 'linux', abi: 'gnu', cpu: 'generic', gpu: 'none' } }],
    ['-I/p/src/include', { kind: 'Include', path: { kind: 'Src', rel: '../include' } }],
    ['-I/p/src/build/gen', { kind: 'Include', path: { kind: 'Out', rel: 'gen' } }],
    ['/p/fake/Boost/lib/x.a', { kind: 'Path', path: { kind: 'Pkg', pkg: 'Boost', rel: 'lib/x.a' } }],
    ['/usr/lib/libz.so', { kind: 'Path', path: { kind: 'Abs', path: '/usr/lib/libz.so' } }],
    ['/p/src/lib/a.c', { kind: 'Source' }],
    ['CMakeFiles/a.dir/lib/a.c.o', { kind: 'Object' }],
    ['CMakeFiles/a.dir/lib/a.c.o.d', { kind: 'ObjectWith', suffix: '.d' }],
  ];
  it.each(cases)('%s', (arg, want) => {
    expect(typeArg(arg, ctx)).toEqual(want);
    expect(renderedText(want, ctx)).toEqual([arg]);
  });

  it('keeps spellings no type reproduces as literals', () => {
    for (const a of ['-fpic', '-O', '-Ofast', '-ggdb', '--target=x86_64-linux-gnu', '-arch=sm_75', '-I/p/src/include/', '-I/p/src/./x', '-MD']) {
      expect(typeArg(a, ctx), a).toEqual({ kind: 'Lit', text: a });
    }
  });

  it('splits an argument around the tree paths inside it', () => {
    const a = typeArg('cd /p/src/build && cp /p/src/lib/x.h /p/src/build/x.h', ctx);
    expect(a).toEqual({
      kind: 'Parts',
      parts: [
        { kind: 'Lit', text: 'cd ' }, { kind: 'Path', path: { kind: 'Out', rel: '' } },
        { kind: 'Lit', text: ' && cp ' }, { kind: 'Path', path: { kind: 'Src', rel: 'x.h' } },
        { kind: 'Lit', text: ' ' }, { kind: 'Path', path: { kind: 'Out', rel: 'x.h' } },
      ],
    });
    expect(typeArg('-Wl,-rpath,/p/src/build', ctx)).toEqual({ kind: 'Parts', parts: [{ kind: 'Lit', text: '-Wl,-rpath,' }, { kind: 'Path', path: { kind: 'Out', rel: '' } }] });
  });

  it('any argument renders back to itself', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.constantFrom('/p/src', '/p/src/build', '-I/p/src', '/p/fake/Boost/x')).chain((s) => fc.tuple(fc.constant(s), fc.string())), ([a, b]) => {
        const arg = a + b;
        expect(renderedText(typeArg(arg, ctx), ctx)).toEqual([arg]);
      }),
    );
  });

  it('replaces the run of the target objects with one placeholder', () => {
    const lit = (t: string): Arg => ({ kind: 'Lit', text: t });
    expect(withObjectsPlaceholder([lit('qc'), lit('lib.a'), lit('a.o'), lit('b.o')], ['a.o', 'b.o'])).toEqual([lit('qc'), lit('lib.a'), { kind: 'Objects' }]);
    expect(withObjectsPlaceholder([lit('b.o'), lit('a.o')], ['a.o', 'b.o'])).toEqual([lit('b.o'), lit('a.o')]);
  });
});

describe('Dhall text literals', () => {
  it('dhall-to-json reads back every string unchanged', async () => {
    const samples = fc.sample(fc.string({ unit: fc.constantFrom('a', '"', '\\', '$', '{', '}', '\n', '\t', '\u0001', 'é', ' ', '${') , maxLength: 12 }), { numRuns: 200, seed: 5 });
    samples.push('${x}', '\\${', '"\\"');
    const r = await dhallToJson(`[ ${samples.map(text).join(', ')} ]`, '/');
    expect(r.ok, r.ok ? '' : r.error.message).toBe(true);
    if (r.ok) expect(r.value).toEqual(samples);
  });
});
