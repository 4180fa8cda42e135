// Typing absolute paths: Src / Out / Pkg / Abs, each only when resolving it gives back the same path; in
// one tree for sources and outputs (a Makefile run in its source tree) only what actions make is Out.
import { describe, it, expect } from 'vitest';
import { type Roots, inSource, resolvePiece, typePath } from '../../src/migrate/paths.js';
import { pieceOf } from '../../src/migrate/model.js';

const separate: Roots = { srcdir: '/p/src', builddir: '/p/src/build', packages: new Map([['Boost', '/p/fake/Boost']]) };
const single: Roots = { srcdir: '/p/z', builddir: '/p/z', packages: new Map(), made: new Set(['/p/z/libz.a', '/p/z/objs/adler32.o', '/p/z/example']) };

describe('typePath', () => {
  it('a separate build tree: everything under it is Out, the rest of the sources Src', () => {
    expect(inSource(separate)).toBe(false);
    expect(typePath('/p/src/build/config.h', separate, '/p/src/lib')).toEqual({ kind: 'Out', rel: 'config.h' });
    expect(typePath('/p/src/include/a.h', separate, '/p/src/lib')).toEqual({ kind: 'Src', rel: '../include/a.h' });
    expect(typePath('/p/fake/Boost/lib/x.a', separate, '/p/src')).toEqual({ kind: 'Pkg', pkg: 'Boost', rel: 'lib/x.a' });
    expect(typePath('/usr/include/stdio.h', separate, '/p/src')).toEqual({ kind: 'Abs', path: '/usr/include/stdio.h' });
  });

  it('one tree: files some action makes (and the tree itself) are Out, everything else read there is Src', () => {
    expect(inSource(single)).toBe(true);
    expect(typePath('/p/z/libz.a', single, '/p/z')).toEqual({ kind: 'Out', rel: 'libz.a' });
    expect(typePath('/p/z/objs/adler32.o', single, '/p/z/test')).toEqual({ kind: 'Out', rel: 'objs/adler32.o' });
    expect(typePath('/p/z', single, '/p/z/test')).toEqual({ kind: 'Out', rel: '' });
    expect(typePath('/p/z/zconf.h', single, '/p/z')).toEqual({ kind: 'Src', rel: 'zconf.h' });
    expect(typePath('/p/z/test/example.c', single, '/p/z/test')).toEqual({ kind: 'Src', rel: 'example.c' });
    expect(typePath('/p/z/zlib.h', single, '/p/z/test')).toEqual({ kind: 'Src', rel: '../zlib.h' });
    expect(typePath('/p/z/objs', single, '/p/z')).toEqual({ kind: 'Src', rel: 'objs' });
    // both kinds resolve to the path they came from
    for (const [p, dir] of [['/p/z/libz.a', '/p/z/test'], ['/p/z/zlib.h', '/p/z/test'], ['/p/z', '/p/z']] as const) {
      const t = typePath(p, single, dir);
      expect(t).not.toBeNull();
      if (t) expect(resolvePiece(pieceOf(t), single, dir)).toBe(p);
    }
  });

  it('paths that are not normalized and absolute stay untyped', () => {
    for (const p of ['z/libz.a', '/p/z/../z/libz.a', '/p/z/objs/']) expect(typePath(p, single, '/p/z')).toBeNull();
  });
});
