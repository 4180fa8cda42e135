import { promises as fs } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { combineNodes } from '../../src/model/seed.js';
import type { ShimSet } from '../../src/shim/generate.js';
import { isElf, makeShims, readSpool, readToken, run, runReal, tempDir, write } from './helpers.js';

let set: ShimSet;
beforeAll(async () => {
  set = await makeShims();
});

const PROJECT = {
  'a.c': '#include "a.h"\n#include <stdio.h>\nint a(void) { return A; }\n',
  'b.c': '#include "a.h"\nint b(void) { return A + 1; }\n',
  'main.c': 'int a(void);\nint b(void);\nint main(void) { return a() + b(); }\n',
  'inc/a.h': '#define A 1\n',
  'obj/.keep': '',
};

async function project(name: string): Promise<string> {
  const dir = await tempDir(name);
  await write(dir, PROJECT);
  return dir;
}

describe('confess compile', () => {
  it('writes a token and the depfile a real gcc -MD -MF writes, byte for byte', async () => {
    const dir = await project('compile');
    const args = ['-c', 'a.c', '-Iinc', '-O2', '-o', 'obj/a.o', '-MD', '-MF', 'obj/a.o.d'];
    const real = await runReal(dir, 'gcc', args);
    expect(real.exitCode).toBe(0);
    const expected = await fs.readFile(path.join(dir, 'obj/a.o.d'));
    await fs.rm(path.join(dir, 'obj/a.o.d'));
    await fs.rm(path.join(dir, 'obj/a.o'));

    const r = await run(set, dir, 'confess', 'gcc', args);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const tok = await readToken(path.join(dir, 'obj/a.o'));
    expect(tok).not.toBeNull();
    expect(tok!.kind).toBe('object');
    expect(tok!.deps).toEqual([]);
    expect((await fs.stat(path.join(dir, 'obj/a.o'))).mode & 0o777).toBe(0o644);
    expect(await fs.readFile(path.join(dir, 'obj/a.o.d'))).toEqual(expected);

    const [rep] = await readSpool(path.join(dir, 'spool.jsonl'));
    expect(rep!.role).toBe('compile');
    expect(rep!.kind).toBe('cc');
    expect(rep!.mode).toBe('confess');
    expect(rep!.inputs).toEqual([{ path: path.join(dir, 'a.c'), token: null }]);
    expect(rep!.outputs).toEqual([{ path: path.join(dir, 'obj/a.o'), token: tok!.id }]);
    expect(rep!.deps[0]).toBe(path.join(dir, 'a.c'));
    expect(rep!.deps).toContain(path.join(dir, 'inc/a.h'));
    expect(rep!.deps).toContain('/usr/include/stdio.h');
    expect(rep!.depfile).toBe(path.join(dir, 'obj/a.o.d'));
    expect(rep!.argv).toEqual(['gcc', ...args]);
    expect(rep!.t1).toBeGreaterThanOrEqual(rep!.t0);
  });

  it('names the default depfile and object like gcc (-MD without -MF, no -o)', async () => {
    const dir = await project('defaults');
    const real = await runReal(dir, 'gcc', ['-c', 'a.c', '-Iinc', '-MD']);
    expect(real.exitCode).toBe(0);
    const expected = await fs.readFile(path.join(dir, 'a.d'));
    await fs.rm(path.join(dir, 'a.d'));
    await fs.rm(path.join(dir, 'a.o'));
    const r = await run(set, dir, 'confess', 'gcc', ['-c', 'a.c', '-Iinc', '-MD']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await readToken(path.join(dir, 'a.o'))).not.toBeNull();
    expect(await fs.readFile(path.join(dir, 'a.d'))).toEqual(expected);
    // CMake style: obj/x.c.o → obj/x.c.d
    const real2 = await runReal(dir, 'gcc', ['-c', 'a.c', '-Iinc', '-o', 'obj/a.c.o', '-MD']);
    expect(real2.exitCode).toBe(0);
    const expected2 = await fs.readFile(path.join(dir, 'obj/a.c.d'));
    await fs.rm(path.join(dir, 'obj/a.c.d'));
    const r2 = await run(set, dir, 'confess', 'gcc', ['-c', 'a.c', '-Iinc', '-o', 'obj/a.c.o', '-MD']);
    expect(r2.exitCode, r2.stderr).toBe(0);
    expect(await fs.readFile(path.join(dir, 'obj/a.c.d'))).toEqual(expected2);
  });

  it('-MMD leaves system headers out, and -S makes an asm token', async () => {
    const dir = await project('mmd');
    const r = await run(set, dir, 'confess', 'gcc', ['-c', 'a.c', '-Iinc', '-o', 'obj/a.o', '-MMD', '-MP']);
    expect(r.exitCode, r.stderr).toBe(0);
    const d = await fs.readFile(path.join(dir, 'obj/a.d'), 'utf8');
    expect(d).not.toContain('/usr/include');
    expect(d).toContain('inc/a.h:');
    const [rep] = await readSpool(path.join(dir, 'spool.jsonl'));
    expect(rep!.deps).toEqual([path.join(dir, 'a.c'), path.join(dir, 'inc/a.h')]);
    const s = await run(set, dir, 'confess', 'g++', ['-S', '-x', 'c++', 'b.c', '-Iinc']);
    expect(s.exitCode, s.stderr).toBe(0);
    expect((await readToken(path.join(dir, 'b.s')))!.kind).toBe('asm');
    const reps = await readSpool(path.join(dir, 'spool.jsonl'));
    expect(reps[1]!.kind).toBe('cxx');
  });

  it('compiles several sources at once: one token and one scan each', async () => {
    const dir = await project('multi');
    const r = await run(set, dir, 'confess', 'cc', ['-c', 'a.c', 'b.c', '-Iinc']);
    expect(r.exitCode, r.stderr).toBe(0);
    const ta = await readToken(path.join(dir, 'a.o'));
    const tb = await readToken(path.join(dir, 'b.o'));
    expect(ta!.id).not.toBe(tb!.id);
    const [rep] = await readSpool(path.join(dir, 'spool.jsonl'));
    expect(rep!.outputs.map((o) => o.path)).toEqual([path.join(dir, 'a.o'), path.join(dir, 'b.o')]);
    expect(rep!.deps).toContain(path.join(dir, 'b.c'));
    expect(rep!.deps).toContain('/usr/include/stdio.h');
  });

  it('a missing header is the true error, with the real exit code; a syntax error is not seen', async () => {
    const dir = await project('fail');
    await write(dir, { 'bad.c': '#include "missing.h"\nint x;\n', 'syn.c': '#include "syn.h"\n', 'syn.h': 'int x = ;\n' });
    const real = await runReal(dir, 'gcc', ['-c', 'bad.c', '-o', 'obj/bad.o']);
    const r = await run(set, dir, 'confess', 'gcc', ['-c', 'bad.c', '-o', 'obj/bad.o']);
    expect(r.exitCode).toBe(real.exitCode);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain('missing.h: No such file or directory');
    await expect(fs.access(path.join(dir, 'obj/bad.o'))).rejects.toThrow();
    const s = await run(set, dir, 'confess', 'gcc', ['-c', 'syn.c', '-o', 'obj/syn.o']);
    expect(s.exitCode).toBe(0);
    expect(await readToken(path.join(dir, 'obj/syn.o'))).not.toBeNull();
  });

  it('queries run the real tool and are not recorded', async () => {
    const dir = await project('query');
    const v = await run(set, dir, 'confess', 'gcc', ['-dumpmachine']);
    expect(v.exitCode).toBe(0);
    expect(v.stdout).toMatch(/linux/);
    const e = await run(set, dir, 'confess', 'gcc', ['-E', 'a.c', '-Iinc']);
    expect(e.stdout).toContain('return 1;');
    const m = await run(set, dir, 'confess', 'gcc', ['-M', 'a.c', '-Iinc']);
    expect(m.stdout).toContain('a.o: a.c');
    const probe = await run(set, dir, 'confess', 'gcc', ['--version']);
    expect(probe.stdout).toContain('gcc');
    expect(await readSpool(path.join(dir, 'spool.jsonl'))).toEqual([]);
  });
});

describe('confess archive and link', () => {
  it('tokens carry combined deps: ar qc (+ append), ranlib, link', async () => {
    const dir = await project('link');
    for (const s of ['a', 'b', 'main'])
      expect((await run(set, dir, 'confess', 'gcc', ['-c', `${s}.c`, '-Iinc', '-o', `obj/${s}.o`])).exitCode).toBe(0);
    const ta = (await readToken(path.join(dir, 'obj/a.o')))!;
    const tb = (await readToken(path.join(dir, 'obj/b.o')))!;
    const tm = (await readToken(path.join(dir, 'obj/main.o')))!;

    const ar = await run(set, dir, 'confess', 'ar', ['qc', 'obj/liba.a', 'obj/a.o']);
    expect(ar.exitCode, ar.stderr).toBe(0);
    const ar2 = await run(set, dir, 'confess', 'ar', ['q', 'obj/liba.a', 'obj/b.o']); // append to the token
    expect(ar2.exitCode, ar2.stderr).toBe(0);
    const rl = await run(set, dir, 'confess', 'ranlib', ['obj/liba.a']);
    expect(rl.exitCode, rl.stderr).toBe(0);
    const lib = (await readToken(path.join(dir, 'obj/liba.a')))!;
    expect(lib.kind).toBe('archive');
    expect(lib.deps).toEqual(combineNodes('x', [ta, tb]).deps);

    const so = await run(set, dir, 'confess', 'gcc', ['-shared', '-o', 'obj/libb.so', 'obj/b.o']);
    expect(so.exitCode, so.stderr).toBe(0);
    const tso = (await readToken(path.join(dir, 'obj/libb.so')))!;
    expect(tso.kind).toBe('shared');

    // The archive given by path, the shared library through -L/-l, plus a real system object.
    const link = await run(set, dir, 'confess', 'gcc', [
      'obj/main.o', 'obj/liba.a', '-Lobj', '-lb', '-lm', '/usr/lib/x86_64-linux-gnu/crt1.o', '-Wl,--as-needed', '-o', 'prog',
    ]);
    expect(link.exitCode, link.stderr).toBe(0);
    const exe = (await readToken(path.join(dir, 'prog')))!;
    expect(exe.kind).toBe('executable');
    expect(exe.deps).toEqual(combineNodes('x', [tm, lib, tso]).deps);
    expect((await fs.stat(path.join(dir, 'prog'))).mode & 0o777).toBe(0o755);
    // The token runs, and says what it is.
    const ran = await run(set, dir, null, './prog', []);
    expect(ran.exitCode).toBe(126);
    expect(ran.stderr).toContain('build-graph token');

    const reps = await readSpool(path.join(dir, 'spool.jsonl'));
    const roles = reps.map((r) => r.role);
    expect(roles).toEqual(['compile', 'compile', 'compile', 'archive', 'archive', 'ranlib', 'link', 'link']);
    const l = reps[7]!;
    expect(l.inputs).toEqual([
      { path: path.join(dir, 'obj/main.o'), token: tm.id },
      { path: path.join(dir, 'obj/liba.a'), token: lib.id },
      { path: '/usr/lib/x86_64-linux-gnu/crt1.o', token: null },
      { path: path.join(dir, 'obj/libb.so'), token: tso.id },
    ]);
    expect(l.outputs).toEqual([{ path: path.join(dir, 'prog'), token: exe.id }]);
    expect(reps[3]!.inputs).toEqual([{ path: path.join(dir, 'obj/a.o'), token: ta.id }]);
  });

  it('ar rcs, ld -r, and a missing input is an error', async () => {
    const dir = await project('ar');
    for (const s of ['a', 'b'])
      expect((await run(set, dir, 'confess', 'gcc', ['-c', `${s}.c`, '-Iinc'])).exitCode).toBe(0);
    const ta = (await readToken(path.join(dir, 'a.o')))!;
    const tb = (await readToken(path.join(dir, 'b.o')))!;
    const r = await run(set, dir, 'confess', 'ar', ['rcs', 'libab.a', 'a.o', 'b.o']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect((await readToken(path.join(dir, 'libab.a')))!.deps).toEqual([ta.id, tb.id]);
    const ld = await run(set, dir, 'confess', 'ld', ['-r', '-o', 'ab.o', 'a.o', 'b.o']);
    expect(ld.exitCode, ld.stderr).toBe(0);
    const rel = (await readToken(path.join(dir, 'ab.o')))!;
    expect(rel.kind).toBe('object');
    expect(rel.deps).toEqual([ta.id, tb.id]);
    const miss = await run(set, dir, 'confess', 'gcc', ['a.o', 'nothere.o', '-o', 'p']);
    expect(miss.exitCode).toBe(1);
    expect(miss.stderr).toContain('nothere.o: No such file or directory');
    const t = await run(set, dir, 'confess', 'ar', ['t', 'libab.a']); // a query: the real ar says no
    expect(t.exitCode).not.toBe(0);
  });

  it('ar options split over dash words ("-c -r") archive; no operation, or a bare "-" before one, is an error', async () => {
    const dir = await project('ar-split');
    for (const s of ['a', 'b'])
      expect((await run(set, dir, 'confess', 'gcc', ['-c', `${s}.c`, '-Iinc'])).exitCode).toBe(0);
    const ta = (await readToken(path.join(dir, 'a.o')))!;
    const tb = (await readToken(path.join(dir, 'b.o')))!;
    const r = await run(set, dir, 'confess', 'ar', ['-c', '-r', 'libab.a', 'a.o', 'b.o']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toBe(''); // 'c': no "creating" message
    expect((await readToken(path.join(dir, 'libab.a')))!.deps).toEqual([ta.id, tb.id]);
    const reps = await readSpool(path.join(dir, 'spool.jsonl'));
    expect(reps.at(-1)!.role).toBe('archive');
    // GNU ar loops on these; the shim ends at once with ar's own complaint.
    for (const args of [['-', 'x', 'libab.a'], ['-v', '-', 'libab.a'], ['v', 'libab.a']]) {
      const bad = await run(set, dir, 'confess', 'ar', args);
      expect(bad.exitCode, args.join(' ')).toBe(1);
      expect(bad.stderr).toContain('no operation specified');
    }
  });

  it('ranlib on a real archive runs the real ranlib', async () => {
    const dir = await project('realar');
    expect((await runReal(dir, 'gcc', ['-c', 'b.c', '-Iinc'])).exitCode).toBe(0);
    expect((await runReal(dir, 'ar', ['qc', 'libb.a', 'b.o'])).exitCode).toBe(0);
    const r = await run(set, dir, 'confess', 'ranlib', ['libb.a']);
    expect(r.exitCode, r.stderr).toBe(0);
    const [rep] = await readSpool(path.join(dir, 'spool.jsonl'));
    expect(rep!.role).toBe('ranlib');
    expect(rep!.inputs).toEqual([{ path: path.join(dir, 'libb.a'), token: null }]);
    expect(await isElf(path.join(dir, 'b.o'))).toBe(true);
  });
});

describe('header scan cache (CONTINUITY_SCAN_CACHE)', () => {
  it('reuses a scan only while the source, its headers and the search directories are unchanged', async () => {
    const root = await tempDir('scan-cache');
    await write(root, {
      'src/a.c': '#include "a.h"\n#include <b.h>\n#include <stdio.h>\nint a(void) { return A + B; }\n',
      'src/inc/a.h': '#define A 1\n',
      'src/inc/b.h': '#define B 2\n',
      'src/inc2/.keep': '',
      'obj/.keep': '',
    });
    const obj = path.join(root, 'obj');
    const cache = path.join(root, 'cache');
    const args = ['-c', '../src/a.c', '-I../src/inc2', '-I../src/inc', '-O2', '-MD', '-MF', 'a.d', '-o', 'a.o'];
    const real = await runReal(obj, 'gcc', args);
    expect(real.exitCode, real.stderr).toBe(0);
    const realDeps = await fs.readFile(path.join(obj, 'a.d'), 'utf8');
    // a file changed in the second its scan starts is not cached: let the clock move past the writes
    await new Promise((r) => setTimeout(r, 1100));
    const env = { CONTINUITY_SCAN_CACHE: cache, CONTINUITY_DEBUG: '1' };
    const confessed = async (): Promise<{ stderr: string; depfile: string; deps: string[] }> => {
      await fs.rm(path.join(obj, 'a.d'), { force: true });
      await fs.rm(path.join(obj, 'spool.jsonl'), { force: true });
      const r = await run(set, obj, 'confess', 'gcc', args, env);
      expect(r.exitCode, r.stderr).toBe(0);
      const [rep] = await readSpool(path.join(obj, 'spool.jsonl'));
      return { stderr: r.stderr, depfile: await fs.readFile(path.join(obj, 'a.d'), 'utf8'), deps: rep!.deps ?? [] };
    };
    const first = await confessed();
    expect(first.stderr).toContain('header scan kept in the cache');
    expect(first.depfile).toBe(realDeps);
    const second = await confessed();
    expect(second.stderr).toContain('header scan from cache');
    expect(second.depfile).toBe(realDeps);
    expect(second.deps).toEqual(first.deps);
    expect(first.deps).toContain(path.join(root, 'src/inc/a.h'));

    // Each change below comes a second after the last write, so the scan after it is cached again and
    // the one after that is served from the cache: each miss is due to that change alone.
    const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 1100));
    const missThenHit = async (): Promise<{ deps: string[]; depfile: string }> => {
      await settle();
      const miss = await confessed();
      expect(miss.stderr).not.toContain('from cache');
      expect(miss.stderr).toContain('header scan kept in the cache');
      const hit = await confessed();
      expect(hit.stderr).toContain('header scan from cache');
      expect(hit.deps).toEqual(miss.deps);
      expect(hit.depfile).toBe(miss.depfile);
      return miss;
    };
    // an edited header
    await fs.appendFile(path.join(root, 'src/inc/b.h'), '#define B2 3\n');
    await missThenHit();
    // a new header beside the source shadows inc/a.h for #include "a.h"
    await fs.writeFile(path.join(root, 'src/a.h'), '#define A 5\n');
    const shadowed = await missThenHit();
    expect(shadowed.deps).toContain(path.join(root, 'src/a.h'));
    expect(shadowed.deps).not.toContain(path.join(root, 'src/inc/a.h'));
    // a new header in an earlier search directory shadows inc/b.h for #include <b.h>
    await fs.writeFile(path.join(root, 'src/inc2/b.h'), '#define B 7\n');
    const earlier = await missThenHit();
    expect(earlier.deps).toContain(path.join(root, 'src/inc2/b.h'));
    expect(earlier.deps).not.toContain(path.join(root, 'src/inc/b.h'));
    // each answer equals the real preprocessor's at that moment
    expect((await runReal(obj, 'gcc', args)).exitCode).toBe(0);
    expect(earlier.depfile).toBe(await fs.readFile(path.join(obj, 'a.d'), 'utf8'));
    // without the variable nothing is cached or read
    const plain = await run(set, obj, 'confess', 'gcc', args, { CONTINUITY_DEBUG: '1', CONTINUITY_SCAN_CACHE: undefined });
    expect(plain.exitCode).toBe(0);
    expect(plain.stderr).not.toContain('header scan');
  });
});

describe('arguments', () => {
  it('response files (quotes, spaces, nesting) are expanded in args, kept in argv', async () => {
    const dir = await project('rsp');
    await write(dir, {
      'my src.c': '#include "a.h"\nconst char *s = NAME;\nint v = A;\n',
      'flags.rsp': `-c "my src.c" -o 'out dir/x.o' -DNAME=\\"v\\" @inner.rsp\n`,
      'inner.rsp': '-I inc\n',
      'out dir/.keep': '',
    });
    const r = await run(set, dir, 'confess', 'gcc', ['@flags.rsp', '@does-not-exist']);
    // gcc keeps a missing @file as a file name: the scan fails exactly as the real compile would
    const real = await runReal(dir, 'gcc', ['@flags.rsp', '@does-not-exist']);
    expect(r.exitCode).toBe(real.exitCode);
    const ok = await run(set, dir, 'confess', 'gcc', ['@flags.rsp']);
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(await readToken(path.join(dir, 'out dir/x.o'))).not.toBeNull();
    const reps = await readSpool(path.join(dir, 'spool.jsonl'));
    const rep = reps[reps.length - 1]!;
    expect(rep.argv).toEqual(['gcc', '@flags.rsp']);
    expect(rep.args).toEqual(['gcc', '-c', 'my src.c', '-o', 'out dir/x.o', '-DNAME="v"', '-I', 'inc']);
    expect(rep.inputs).toEqual([{ path: path.join(dir, 'my src.c'), token: null }]);
    expect(rep.deps).toContain(path.join(dir, 'inc/a.h'));
  });

  it('a source path with a space and unknown flags are recorded, never inputs', async () => {
    const dir = await project('space');
    await write(dir, { 'sub dir/s p.c': '#include "a.h"\nint z = A;\n' });
    const args = ['-c', 'sub dir/s p.c', '-Iinc', '-fno-strict-aliasing', '-march=x86-64', '-Wl,--as-needed',
      '-Xlinker', 'foo.o', '--param', 'max-inline-insns-single=10', '-frecord-gcc-switches', '-MD'];
    const r = await run(set, dir, 'confess', 'gcc', args);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await readToken(path.join(dir, 's p.o'))).not.toBeNull();
    const d = await fs.readFile(path.join(dir, 's p.d'), 'utf8');
    expect(d).toContain('s\\ p.o: sub\\ dir/s\\ p.c');
    const [rep] = await readSpool(path.join(dir, 'spool.jsonl'));
    expect(rep!.args.slice(1)).toEqual(args);
    expect(rep!.inputs).toEqual([{ path: path.join(dir, 'sub dir/s p.c'), token: null }]);
    expect(rep!.deps[0]).toBe(path.join(dir, 'sub dir/s p.c'));
    expect(rep!.deps).toContain(path.join(dir, 'inc/a.h'));
  });

  it('arguments that are not UTF-8 still make valid JSON', async () => {
    const dir = await project('bytes');
    const r = await run(set, dir, 'confess', 'gcc', ['-c', 'a.c', '-Iinc', '-DX="\u00e9\t\\"', '-o', 'obj/a.o']);
    expect(r.exitCode, r.stderr).toBe(0);
    // A raw 0xff byte goes through a response file.
    await fs.writeFile(path.join(dir, 'raw.rsp'), Buffer.from([0x2d, 0x44, 0x59, 0xff, 0x0a]));
    const r2 = await run(set, dir, 'confess', 'gcc', ['-c', 'a.c', '-Iinc', '@raw.rsp', '-o', 'obj/a.o']);
    expect(r2.exitCode, r2.stderr).toBe(0);
    const reps = await readSpool(path.join(dir, 'spool.jsonl'));
    expect(reps[0]!.args).toContain('-DX="\u00e9\t\\"');
    expect(reps[1]!.args).toContain('-DY\udcff');
  });
});
