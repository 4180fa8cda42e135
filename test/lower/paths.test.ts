// The path rewriter's fast path for whole paths gives exactly what rewriting the path as an argument gives.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pathRewriter } from '../../src/lower/paths.js';

const trees = [
  { srcdir: '/w/p', builddir: '/w/p/_build' },
  { srcdir: '/w/src', builddir: '/w/build' },
  { srcdir: '/w/p', builddir: '/w/p' },
];

describe('pathRewriter.path', () => {
  it.each(trees)('equals inTree ? arg : itself ($srcdir, $builddir)', (t) => {
    const rw = pathRewriter(t);
    const piece = fc.constantFrom('/w', '/p', '/_build', '/src', '/build', '/x.c', '-', ':', '.h', '/w/p', '/w/p/_build', '/w/src', '/w/build', 'p', 'a');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), (parts) => {
        const p = parts.join('');
        expect(rw.path(p)).toBe(rw.inTree(p) ? rw.arg(p) : p);
      }),
      { numRuns: 3000 },
    );
    expect(rw.path(`${t.builddir}/a.o`)).toBe('/continuity/build/a.o');
    expect(rw.path('/usr/include/stdio.h')).toBe('/usr/include/stdio.h');
  });
});
