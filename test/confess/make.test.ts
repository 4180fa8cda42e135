import { describe, it, expect } from 'vitest';
import {
  parseShellLog, lineEffect, makeCustomSteps, containers, failedLines, isDependencyRecord, type ShellRecord, type ShellFile,
} from '../../src/confess/make.js';

let n = 0;
function rec(line: string, files: ShellFile[], extra: Partial<ShellRecord> = {}): ShellRecord {
  n++;
  return {
    v: 1, rid: `r${n}`, parent: null, mode: 'confess', shell: '/bin/sh', cwd: '/p', argv: ['continuity-sh', '-c', line],
    line, files, exit: 0, t0: n, t1: n + 1, ...extra,
  };
}
const made = (path: string): ShellFile => ({ path, dir: false, before: null, after: [5, 10] });
const read = (path: string): ShellFile => ({ path, dir: false, before: [1, 3], after: [1, 3] });
const changed = (path: string): ShellFile => ({ path, dir: false, before: [1, 3], after: [2, 3] });
const gone = (path: string): ShellFile => ({ path, dir: false, before: [1, 3], after: null });

describe('shell log', () => {
  it('parses records, keeps torn lines apart, orders by start', () => {
    const a = rec('cp a b', [read('/p/a'), made('/p/b')], { t0: 20 });
    const b = rec('sed x > y', [made('/p/y')], { t0: 10 });
    const { records, malformed } = parseShellLog(`\n${JSON.stringify(a)}\n{"v":1,"rid":\n${JSON.stringify(b)}\n`);
    expect(records.map((r) => r.line)).toEqual(['sed x > y', 'cp a b']);
    expect(malformed).toHaveLength(1);
    expect(malformed[0]).toMatch(/^not valid JSON/);
  });

  it('tells read, written and deleted files apart; directories and system files are neither', () => {
    const e = lineEffect(rec('x', [
      read('/p/in.txt'), made('/p/new.h'), changed('/p/stamp'), gone('/p/tmp.o'), read('/usr/bin/perl'),
      { path: '/p/dir', dir: true, before: null, after: [1, 4096] },
    ]));
    expect(e).toEqual({ inputs: ['/p/in.txt'], outputs: ['/p/new.h', '/p/stamp'], deleted: ['/p/tmp.o'] });
  });

  it('custom steps: not for compiler lines, sub-make lines, failed lines or dependency records', () => {
    const sub = rec('make -C lib', [read('/p/lib')]);
    const inner = rec('cp x y', [read('/p/lib/x'), made('/p/lib/y')], { parent: sub.rid });
    const compile = rec('cc -c a.c -o a.o', [read('/p/a.c'), made('/p/a.o')]);
    const both = rec('cc -c b.c -o b.o && cp b.o c.o', [read('/p/b.c'), made('/p/b.o'), made('/p/c.o')]);
    const failed = rec('false > z', [made('/p/z')], { exit: 1 });
    const deps = rec('mv -f .deps/a.Tpo .deps/a.Po', [gone('/p/.deps/a.Tpo'), made('/p/.deps/a.Po')]);
    const records = [sub, inner, compile, both, failed, deps];
    expect(containers(records)).toEqual(new Set([sub.rid]));
    const steps = makeCustomSteps(records, new Set(['/p/a.o', '/p/b.o']));
    expect(steps).toEqual([
      { command: 'cp x y', cwd: '/p', inputs: ['/p/lib/x'], outputs: ['/p/lib/y'], rule: null },
      { command: 'cc -c b.c -o b.o && cp b.o c.o', cwd: '/p', inputs: ['/p/b.c'], outputs: ['/p/c.o'], rule: null },
    ]);
    expect(failedLines(records).map((r) => r.line)).toEqual(['false > z']);
    expect(isDependencyRecord('/p/src/.deps/x.Plo')).toBe(true);
    expect(isDependencyRecord('/p/src/x.lo')).toBe(false);
  });
});
