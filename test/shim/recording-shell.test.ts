import { promises as fs } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ShimSet } from '../../src/shim/generate.js';
import { RECORDING_SHELL } from '../../src/shim/generate.js';
import { parseShellLog } from '../../src/confess/make.js';
import { makeShims, run, tempDir, write } from './helpers.js';

let set: ShimSet;
let sh: string;
beforeAll(async () => {
  set = await makeShims();
  sh = path.join(set.dir, RECORDING_SHELL);
});

describe('the recording shell', () => {
  it('records each recipe line make runs, with the files it read and wrote; sub-make lines are parents', async () => {
    const dir = await tempDir('recsh');
    await write(dir, {
      'Makefile': 'all: out.txt\n\t$(MAKE) -C sub\nout.txt: in.txt\n\tcp in.txt out.txt\n',
      'in.txt': 'x\n',
      'sub/Makefile': 'all:\n\tcd .. && sed s/x/y/ in.txt > sub/y.txt\n',
    });
    const spool = path.join(dir, 'shell.jsonl');
    const r = await run(set, dir, 'confess', 'make', [], { MAKEFLAGS: `SHELL=${sh}`, CONTINUITY_SH_SPOOL: spool });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await fs.readFile(path.join(dir, 'sub/y.txt'), 'utf8')).toBe('y\n');
    const { records, malformed } = parseShellLog(await fs.readFile(spool, 'utf8'));
    expect(malformed).toEqual([]);
    expect(records.map((x) => x.line).sort()).toEqual(['cd .. && sed s/x/y/ in.txt > sub/y.txt', 'cp in.txt out.txt', 'make -C sub']);
    const cp = records.find((x) => x.line.startsWith('cp'))!;
    expect(cp).toMatchObject({ cwd: dir, exit: 0, parent: null, shell: '/bin/sh' });
    const inTxt = cp.files.find((f) => f.path === path.join(dir, 'in.txt'))!;
    expect(inTxt.before).toEqual(inTxt.after);
    expect(cp.files.find((f) => f.path === path.join(dir, 'out.txt'))!.before).toBeNull();
    const sub = records.find((x) => x.line === 'make -C sub')!;
    const inner = records.find((x) => x.line.startsWith('cd ..'))!;
    expect(inner.parent).toBe(sub.rid);
    // after `cd ..`, words are looked up there too
    expect(inner.files.some((f) => f.path === path.join(dir, 'sub/y.txt') && f.before === null && f.after !== null)).toBe(true);
  });

  it('passes a failing line\'s exit code through and records it', async () => {
    const dir = await tempDir('recsh-fail');
    await write(dir, { 'Makefile': 'all:\n\texit 3\n' });
    const spool = path.join(dir, 'shell.jsonl');
    const r = await run(set, dir, 'observe', 'make', [], { MAKEFLAGS: `SHELL=${sh}`, CONTINUITY_SH_SPOOL: spool });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('Error 3');
    const { records } = parseShellLog(await fs.readFile(spool, 'utf8'));
    expect(records.map((x) => [x.line, x.exit])).toEqual([['exit 3', 3]]);
  });

  it('outside make, or without -c, it is just the real shell and records nothing', async () => {
    const dir = await tempDir('recsh-pass');
    const spool = path.join(dir, 'shell.jsonl');
    await write(dir, { 'script.sh': 'echo "args: $*"\n' });
    const a = await run(set, dir, 'confess', sh, ['-c', 'echo direct'], { CONTINUITY_SH_SPOOL: spool });
    expect(a.stdout).toBe('direct\n');
    const b = await run(set, dir, 'confess', sh, ['script.sh', 'one'], { CONTINUITY_SH_SPOOL: spool });
    expect(b.stdout).toBe('args: one\n');
    await expect(fs.access(spool)).rejects.toThrow();
  });

  it('a line that names the recording shell runs (and is recorded with) the real shell', async () => {
    const dir = await tempDir('recsh-self');
    await write(dir, { 'Makefile': 'all:\n\t$(SHELL) ./gen.sh > out.txt\n', 'gen.sh': 'echo generated\n' });
    const spool = path.join(dir, 'shell.jsonl');
    const r = await run(set, dir, 'confess', 'make', [], { MAKEFLAGS: `SHELL=${sh}`, CONTINUITY_SH_SPOOL: spool, CONTINUITY_REAL_SHELL: '/bin/bash' });
    expect(r.exitCode, r.stderr).toBe(0);
    const { records } = parseShellLog(await fs.readFile(spool, 'utf8'));
    expect(records.map((x) => x.line)).toEqual(['/bin/bash ./gen.sh > out.txt']);
    expect(records[0]!.shell).toBe('/bin/bash');
  });
});
