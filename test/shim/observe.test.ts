import { promises as fs } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ShimSet } from '../../src/shim/generate.js';
import { isElf, makeShims, readSpool, readToken, run, runReal, tempDir, write } from './helpers.js';

let set: ShimSet;
beforeAll(async () => {
  set = await makeShims();
});

const FILES = {
  'a.c': '#include "a.h"\n#include <stdio.h>\nint a(void) { return A; }\n',
  'main.c': 'int a(void);\nint main(void) { return a(); }\n',
  'inc/a.h': '#define A 7\n',
  'obj/.keep': '',
};

describe('observe', () => {
  it('builds for real, with the same deps as confess and no depfile left behind', async () => {
    const dir = await tempDir('observe');
    await write(dir, FILES);
    const o = await run(set, dir, 'observe', 'gcc', ['-c', 'a.c', '-Iinc', '-o', 'obj/a.o']);
    expect(o.exitCode, o.stderr).toBe(0);
    expect(await isElf(path.join(dir, 'obj/a.o'))).toBe(true);
    expect((await fs.readdir(path.join(dir, 'obj'))).sort()).toEqual(['.keep', 'a.o']);
    const c = await run(set, dir, 'confess', 'gcc', ['-c', 'a.c', '-Iinc', '-o', 'obj/c.o']);
    expect(c.exitCode, c.stderr).toBe(0);
    const [obs, con] = await readSpool(path.join(dir, 'spool.jsonl'));
    expect(obs!.mode).toBe('observe');
    expect(obs!.outputs).toEqual([{ path: path.join(dir, 'obj/a.o'), token: null }]);
    expect(obs!.deps).toEqual(con!.deps);
    expect(obs!.depfile).toBeNull();
    expect(obs!.deps).toContain(path.join(dir, 'inc/a.h'));
  });

  it('parses the depfile the build asked for and leaves it as the real compiler wrote it', async () => {
    const dir = await tempDir('observe-md');
    await write(dir, FILES);
    const o = await run(set, dir, 'observe', 'gcc', ['-c', 'a.c', '-Iinc', '-o', 'obj/a.o', '-MMD']);
    expect(o.exitCode, o.stderr).toBe(0);
    const [rep] = await readSpool(path.join(dir, 'spool.jsonl'));
    expect(rep!.depfile).toBe(path.join(dir, 'obj/a.d'));
    expect(rep!.deps).toEqual([path.join(dir, 'a.c'), path.join(dir, 'inc/a.h')]);
    expect(await fs.readFile(path.join(dir, 'obj/a.d'), 'utf8')).toBe('obj/a.o: a.c inc/a.h\n');
  });

  it('links, archives and passes exit codes through', async () => {
    const dir = await tempDir('observe-link');
    await write(dir, FILES);
    expect((await run(set, dir, 'observe', 'gcc', ['-c', 'a.c', 'main.c', '-Iinc'])).exitCode).toBe(0);
    expect((await run(set, dir, 'observe', 'ar', ['rcs', 'liba.a', 'a.o'])).exitCode).toBe(0);
    expect((await run(set, dir, 'observe', 'g++', ['main.o', 'liba.a', '-o', 'prog'])).exitCode).toBe(0);
    const p = await run(set, dir, null, './prog', []);
    expect(p.exitCode).toBe(7);
    const reps = await readSpool(path.join(dir, 'spool.jsonl'));
    expect(reps.map((r) => r.role)).toEqual(['compile', 'archive', 'link']);
    expect(reps[0]!.deps).toContain(path.join(dir, 'main.c'));
    expect(reps[0]!.deps).toContain(path.join(dir, 'inc/a.h'));
    expect(reps[2]!.inputs).toEqual([
      { path: path.join(dir, 'main.o'), token: null },
      { path: path.join(dir, 'liba.a'), token: null },
    ]);
    expect(reps[2]!.outputs).toEqual([{ path: path.join(dir, 'prog'), token: null }]);
    // a failing link: the linker's own exit code, recorded too
    const bad = await run(set, dir, 'observe', 'gcc', ['main.o', '-o', 'prog2']);
    const real = await runReal(dir, 'gcc', ['main.o', '-o', 'prog3']);
    expect(bad.exitCode).toBe(real.exitCode);
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stderr).toContain('undefined reference');
    const last = (await readSpool(path.join(dir, 'spool.jsonl'))).at(-1)!;
    expect(last.exit).toBe(bad.exitCode);
    expect(last.outputs).toEqual([]);
  });

  it('errors: a missing header and a syntax error both fail with the real code and message', async () => {
    const dir = await tempDir('observe-fail');
    await write(dir, { 'bad.c': '#include "missing.h"\n', 'syn.c': '#include "syn.h"\n', 'syn.h': 'int x = ;\n' });
    for (const f of ['bad', 'syn']) {
      const real = await runReal(dir, 'gcc', ['-c', `${f}.c`]);
      const r = await run(set, dir, 'observe', 'gcc', ['-c', `${f}.c`]);
      expect(r.exitCode).toBe(real.exitCode);
      expect(r.exitCode).not.toBe(0);
      expect(r.stderr).toBe(real.stderr);
    }
    const reps = await readSpool(path.join(dir, 'spool.jsonl'));
    expect(reps.map((x) => x.exit)).toEqual([1, 1]);
  });

  it('a tool killed by a signal ends the shim the same way', async () => {
    const dir = await tempDir('observe-signal');
    // gcc runs cc1 through -wrapper; the wrapper sends SIGTERM to gcc itself.
    await write(dir, { 'a.c': 'int x;\n', 'kill.sh': '#!/bin/sh\nkill -TERM $PPID\nexec "$@"\n' });
    await fs.chmod(path.join(dir, 'kill.sh'), 0o755);
    const r = await run(set, dir, 'observe', 'gcc', ['-c', 'a.c', '-wrapper', path.join(dir, 'kill.sh')]);
    expect(r.signal ?? String(r.exitCode)).toMatch(/SIGTERM|143/);
  });
});

describe('confess then observe of the same tree', () => {
  it('confess tokens are not ELF, observe objects are', async () => {
    const dir = await tempDir('both');
    await write(dir, FILES);
    await run(set, dir, 'confess', 'gcc', ['-c', 'a.c', '-Iinc']);
    expect(await isElf(path.join(dir, 'a.o'))).toBe(false);
    expect(await readToken(path.join(dir, 'a.o'))).not.toBeNull();
    await run(set, dir, 'observe', 'gcc', ['-c', 'a.c', '-Iinc']);
    expect(await isElf(path.join(dir, 'a.o'))).toBe(true);
  });
});
