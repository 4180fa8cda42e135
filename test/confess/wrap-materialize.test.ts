// Materialization's pure parts: which recorded calls make a token, and how their outputs are moved.
import { describe, it, expect } from 'vitest';
import { closureOf, rewriteArgs } from '../../src/confess/materialize.js';
import type { Report } from '../../src/model/report.js';

let t = 0;
function rep(role: Report['role'], args: string[], inputs: [string, string | null][], outputs: [string, string | null][], extra: Partial<Report> = {}): Report {
  t++;
  return {
    v: 1, rid: `r${t}`, tool: args[0] as string, kind: role === 'archive' ? 'ar' : role === 'ranlib' ? 'ranlib' : 'cc',
    real: `/usr/bin/${args[0]}`, mode: 'confess', role, cwd: '/p', argv: args, args, env: {},
    inputs: inputs.map(([path, token]) => ({ path, token })), outputs: outputs.map(([path, token]) => ({ path, token })),
    deps: [], depfile: null, exit: 0, t0: t, t1: t, ...extra,
  };
}

describe('closureOf', () => {
  it('follows tokened inputs to their makers, with every write of an archive and its ranlib, in order', () => {
    const sq = rep('compile', ['cc', '-c', 'sq.c', '-o', 'sq.o'], [['/p/sq.c', null]], [['/p/sq.o', 'a1']]);
    const other = rep('compile', ['cc', '-c', 'x.c'], [['/p/x.c', null]], [['/p/x.o', 'a2']]);
    const cu = rep('compile', ['cc', '-c', 'cu.c', '-o', 'cu.o'], [['/p/cu.c', null]], [['/p/cu.o', 'a3']]);
    const ar1 = rep('archive', ['ar', 'q', 'lib.a', 'sq.o'], [['/p/sq.o', 'a1']], [['/p/lib.a', 'b1']]);
    const ar2 = rep('archive', ['ar', 'q', 'lib.a', 'cu.o'], [['/p/cu.o', 'a3']], [['/p/lib.a', 'b2']]);
    const rl = rep('ranlib', ['ranlib', 'lib.a'], [['/p/lib.a', 'b2']], [['/p/lib.a', 'b2']]);
    const gen = rep('compile', ['cc', '-c', 'gen.c', '-o', 'gen.o'], [['/p/gen.c', null]], [['/p/gen.o', 'a4']]);
    const link = rep('link', ['cc', '-o', 'gen', 'gen.o', '-L.', '-lsq'], [['/p/gen.o', 'a4'], ['/p/lib.a', 'b2']], [['/p/gen', 'c1']]);
    const all = [sq, other, cu, ar1, ar2, rl, gen, link];
    expect(closureOf(all, 'c1').map((r) => r.rid)).toEqual([sq, cu, ar1, ar2, rl, gen, link].map((r) => r.rid));
    expect(closureOf(all, 'ffff')).toEqual([]);
  });
});

describe('rewriteArgs', () => {
  it('moves outputs and made inputs, -o joined or not, -l of a made library, and splits multi-source compiles', () => {
    const m = new Map([['/p/gen.o', '/m/f0/gen.o'], ['/p/libsq.a', '/m/f1/libsq.a'], ['/p/gen', '/m/f2/gen'], ['/p/a.o', '/m/f3/a.o'], ['/p/b.o', '/m/f3/b.o']]);
    const link = rep('link', ['cc', '-ogen', 'gen.o', '-L.', '-lsq', '-lm'], [['/p/gen.o', 'x'], ['/p/libsq.a', 'y']], [['/p/gen', 'z']]);
    expect(rewriteArgs(link, m)).toEqual([['cc', '-o/m/f2/gen', '/m/f0/gen.o', '-L.', '/m/f1/libsq.a', '-lm']]);
    const two = rep('compile', ['cc', '-O2', '-c', 'a.c', 'b.c'], [['/p/a.c', null], ['/p/b.c', null]], [['/p/a.o', 'x'], ['/p/b.o', 'y']]);
    expect(rewriteArgs(two, m)).toEqual([['cc', '-O2', '-c', 'a.c', '-o', '/m/f3/a.o'], ['cc', '-O2', '-c', 'b.c', '-o', '/m/f3/b.o']]);
  });
});
