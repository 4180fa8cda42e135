import { describe, it, expect } from 'vitest';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import {
  parseShellLog, lineEffect, makeCustomSteps, containers, failedLines, isDependencyRecord, libtoolCall, libtoolVars,
  snapshotFile, type ShellRecord, type ShellFile, type Snapshot,
} from '../../src/confess/make.js';
import { buildGraph } from '../../src/graph/build.js';
import type { Report } from '../../src/model/report.js';

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
const read_ = read;
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

describe('libtool lines', () => {
  it('reads the mode and the output of a libtool call, through depcomp, quotes and --mode forms', () => {
    expect(libtoolCall('/bin/bash ../libtool  --tag=CC   --mode=compile gcc -DX -I. -c -o api.lo ../src/api.c', '/b/src'))
      .toEqual({ mode: 'compile', output: '/b/src/api.lo' });
    expect(libtoolCall("source='a.c' object='a.lo' libtool=yes /bin/bash ../depcomp /bin/bash ../libtool --mode compile gcc -c a.c", '/b'))
      .toEqual({ mode: 'compile', output: '/b/a.lo' });
    expect(libtoolCall('$(SHELL) ./libtool --tag CXX link g++ -o libx.la -rpath /usr/lib x.lo', '/b'))
      .toEqual({ mode: 'link', output: '/b/libx.la' });
    expect(libtoolCall('./libtool --mode=install cp libx.la /usr/lib', '/b')).toBeNull();
    expect(libtoolCall('gcc -c a.c -o a.o', '/b')).toBeNull();
    expect(libtoolCall("./libtool --mode=compile gcc -c 'a.c", '/b')).toBeNull(); // an unterminated quote
    expect(libtoolVars("# c\npic_object='.libs/a.o'\nnon_pic_object='a.o'\ncurrent=2\n")).toEqual(
      new Map([['pic_object', '.libs/a.o'], ['non_pic_object', 'a.o'], ['current', '2']]),
    );
  });

  it('a libtool line becomes the step that writes what libtool wrote; links through its symlinks read their targets', () => {
    const lo = "# a.lo\npic_object='.libs/a.o'\nnon_pic_object='a.o'\n";
    const la = "dlname='libx.so.1'\nlibrary_names='libx.so.1.0.0 libx.so.1 libx.so'\nold_library='libx.a'\n";
    const fs = new Map<string, Snapshot>([
      ['/p/a.lo', { kind: 'file', text: lo, executable: false }],
      ['/p/libx.la', { kind: 'file', text: la, executable: false }],
      ['/p/.libs/libx.so.1', { kind: 'symlink', target: 'libx.so.1.0.0' }],
      ['/p/.libs/libx.so', { kind: 'symlink', target: 'libx.so.1.0.0' }],
      ['/p/.libs/libx.la', { kind: 'symlink', target: '../libx.la' }],
      ['/p/.libs/libx.lai', { kind: 'file', text: la.replace("'libx.a'", "'libx.a'\ninstalled=yes"), executable: false }],
      ['/p/prog', { kind: 'file', text: "#! /bin/bash\n# prog - temporary wrapper script for .libs/prog\n", executable: true }],
    ]);
    const read = (p: string): Snapshot | null => fs.get(p) ?? null;
    const compile = rec('/bin/bash ./libtool --tag=CC --mode=compile gcc -c -o a.lo a.c', [read_('/p/libtool'), read_('/p/a.c'), made('/p/a.lo')]);
    const link = rec('/bin/bash ./libtool --tag=CC --mode=link gcc -o libx.la -rpath /usr/lib a.lo', [read_('/p/a.lo'), made('/p/libx.la')]);
    const prog = rec('/bin/bash ./libtool --tag=CC --mode=link gcc -o prog main.o libx.la', [read_('/p/main.o'), read_('/p/libx.la'), made('/p/prog')]);
    const covered = new Set(['/p/.libs/a.o', '/p/a.o', '/p/.libs/libx.so.1.0.0', '/p/.libs/libx.a', '/p/main.o', '/p/.libs/prog']);
    const steps = makeCustomSteps([compile, link, prog], covered, read);
    expect(steps.map((s) => [s.rule, s.inputs, s.outputs])).toEqual([
      ['libtool --mode=compile', ['/p/.libs/a.o', '/p/a.o'], ['/p/a.lo']],
      ['libtool --mode=link', ['/p/.libs/libx.so.1.0.0', '/p/.libs/libx.a'],
        ['/p/libx.la', '/p/.libs/libx.so.1', '/p/.libs/libx.so', '/p/.libs/libx.la', '/p/.libs/libx.lai']],
      ['libtool --mode=link', ['/p/.libs/prog'], ['/p/prog']],
    ]);
    // the step runs no compiler: it writes the files back
    const [s0, s1, s2] = steps;
    expect(s0?.command).toBe(`printf '%s' '${lo.replace(/'/g, `'\\''`)}' > /p/a.lo`);
    expect(s1?.command).toContain('ln -sf libx.so.1.0.0 /p/.libs/libx.so');
    expect(s1?.command).toContain('ln -sf ../libx.la /p/.libs/libx.la');
    expect(s2?.command).toMatch(/> \/p\/prog && chmod \+x \/p\/prog$/);
    expect(s1?.symlinks).toEqual([
      ['/p/.libs/libx.so.1', '/p/.libs/libx.so.1.0.0'], ['/p/.libs/libx.so', '/p/.libs/libx.so.1.0.0'], ['/p/.libs/libx.la', '/p/libx.la'],
    ]);
    // a link of the program against .libs/libx.so depends on the library the symlink names
    const report = (role: Report['role'], args: string[], inputs: string[], outputs: string[]): Report => ({
      v: 1, rid: `q${++n}`, tool: 'gcc', kind: 'cc', real: '/usr/bin/gcc', mode: 'confess', role, cwd: '/p', argv: args, args,
      env: {}, inputs: inputs.map((path) => ({ path, token: null })), outputs: outputs.map((path) => ({ path, token: 't' })),
      deps: [], depfile: null, exit: 0, t0: n, t1: n,
    });
    const { graph, warnings } = buildGraph(
      [report('link', ['gcc', '-shared', '.libs/a.o', '-o', '.libs/libx.so.1.0.0'], ['/p/.libs/a.o'], ['/p/.libs/libx.so.1.0.0']),
        report('link', ['gcc', '-o', '.libs/prog', 'main.o', '.libs/libx.so'], ['/p/main.o', '/p/.libs/libx.so'], ['/p/.libs/prog'])],
      steps,
      { version: 1, complete: true, system: 'autotools', srcdir: '/p', builddir: '/p', mode: 'confess', created: '', errors: [] },
    );
    expect(warnings).toEqual([]);
    const progLink = graph.findNode((_k, a) => a.type === 'action' && a.outputs.includes('/p/.libs/prog'));
    expect(graph.inNeighbors(progLink as string).sort()).toEqual(['file:/p/.libs/libx.so', 'file:/p/.libs/libx.so.1.0.0', 'file:/p/main.o']);
  });

  it('falls back to the line itself when what libtool wrote cannot be read back, or the line wrote more', () => {
    const compile = rec('/bin/bash ./libtool --mode=compile gcc -c -o a.lo a.c', [read_('/p/a.c'), made('/p/a.lo')]);
    const more = rec('/bin/bash ./libtool --mode=compile gcc -c -o b.lo b.c && touch stamp', [read_('/p/b.c'), made('/p/b.lo'), made('/p/stamp')]);
    const read = (p: string): Snapshot | null => (p.endsWith('.lo') ? { kind: 'file', text: "pic_object='none'\n", executable: false } : null);
    const steps = makeCustomSteps([compile, more], new Set(), () => null);
    expect(steps.map((s) => s.command)).toEqual([compile.line, more.line]);
    expect(makeCustomSteps([compile, more], new Set(), read).map((s) => [s.rule, s.outputs])).toEqual([
      ['libtool --mode=compile', ['/p/a.lo']], [null, ['/p/b.lo', '/p/stamp']],
    ]);
  });

  it('snapshots files as they are: text, symlinks; never tokens; the step writes them back byte for byte', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'continuity-libtool-'));
    try {
      const text = "# it's a\npic_object='.libs/a.o'\n100% \\ $HOME `x`\n";
      await writeFile(join(dir, 'a.lo'), text);
      await symlink('../a.lo', join(dir, 'link'));
      await writeFile(join(dir, 'tok'), '#!/bin/sh\n# continuity-token v1 id=0123456789abcdef kind=object\n# deps=\n');
      expect(snapshotFile(join(dir, 'a.lo'))).toEqual({ kind: 'file', text, executable: false });
      expect(snapshotFile(join(dir, 'link'))).toEqual({ kind: 'symlink', target: '../a.lo' });
      expect(snapshotFile(join(dir, 'tok'))).toBeNull();
      expect(snapshotFile(join(dir, 'missing'))).toBeNull();
      const r = rec('/bin/bash ./libtool --mode=compile gcc -c -o a.lo a.c', [made(join(dir, 'a.lo'))], { cwd: dir });
      const [step] = makeCustomSteps([r], new Set());
      expect(step?.rule).toBe('libtool --mode=compile');
      await rm(join(dir, 'a.lo'));
      await execa('/bin/sh', ['-c', step?.command as string], { cwd: dir });
      expect(snapshotFile(join(dir, 'a.lo'))).toEqual({ kind: 'file', text, executable: false });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
