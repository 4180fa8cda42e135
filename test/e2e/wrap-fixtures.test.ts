// `continuity wrap` and `continuity check` on the make fixtures, a hand-written Ninja build, and bad input.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtemp, rm, readFile, writeFile, mkdir, access } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { REPO, copyTree, continuity, readGraph, nonTokenOutputs, isToken } from './wrap-helpers.js';
import type { ActionNode, SerializedGraph } from '../../src/model/graph.js';
import type { CompileCommand } from '../../src/emit/compdb.js';
import type { Report } from '../../src/model/report.js';
import { runWrap } from '../../src/confess/wrap.js';
import { compareGraphs } from '../../src/confess/check.js';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'continuity-wrap-fix-'));
  return async () => rm(work, { recursive: true, force: true });
});

const actions = (g: SerializedGraph): ActionNode[] => g.nodes.flatMap((n) => (n.attributes.type === 'action' ? [n.attributes] : []));
const producer = (g: SerializedGraph, path: string): ActionNode | undefined => actions(g).find((a) => a.outputs.includes(path));
const exists = (p: string): Promise<boolean> => access(p).then(() => true, () => false);

async function fixture(name: string, as: string): Promise<string> {
  const dir = join(work, as);
  await copyTree(join(REPO, 'fixtures', name), dir);
  return dir;
}

describe('wrap: make', () => {
  it('recursive make, a response file, paths with spaces, generated headers and copies', async () => {
    const dir = await fixture('make-recursive', 'recursive');
    const out = join(work, 'recursive-out');
    const r = await continuity(['wrap', '--out', out, '--quiet', '--', 'make'], dir);
    expect(r.exitCode, r.all).toBe(0);
    const g = await readGraph(join(out, 'graph.json'));
    expect(g.attributes).toMatchObject({ complete: true, system: 'make', mode: 'confess', srcdir: dir, builddir: dir });
    // the sub-make's steps, not the line that ran it
    expect(producer(g, join(dir, 'lib/greet.o'))?.category).toBe('compile');
    expect(producer(g, join(dir, 'lib/libgreet.a'))?.category).toBe('archive');
    expect(actions(g).some((a) => a.args.join(' ').includes('make -C lib'))).toBe(false);
    // the response file expanded; the source and object paths with spaces kept whole
    const main = producer(g, join(dir, 'out dir/main.o'))!;
    expect(main.category).toBe('compile');
    expect(main.args).toEqual(['cc', '-O1', '-DFROM_RSP=1', '-I.', '-c', 'src dir/main.c', '-o', 'out dir/main.o']);
    expect(main.inputs).toEqual([join(dir, 'src dir/main.c')]);
    expect(main.deps).toContain(join(dir, 'version.h'));
    // non-compiler recipe lines are custom actions with their inputs
    const gen = producer(g, join(dir, 'version.h'))!;
    expect(gen.category).toBe('custom');
    expect(gen.args).toEqual(['/bin/sh', '-c', "sed 's/@VERSION@/1.2.3/' version.in > version.h"]);
    expect(gen.inputs).toEqual([join(dir, 'version.in')]);
    const copy = producer(g, join(dir, 'app.copy'))!;
    expect(copy.inputs).toEqual([join(dir, 'app')]);
    const link = producer(g, join(dir, 'app'))!;
    expect(link.inputs.sort()).toEqual([join(dir, 'lib/libgreet.a'), join(dir, 'out dir/main.o')]);
    const cdb = JSON.parse(await readFile(join(out, 'compile_commands.json'), 'utf8')) as CompileCommand[];
    expect(cdb.map((e) => e.file).sort()).toEqual([join(dir, 'lib/greet.c'), join(dir, 'src dir/main.c')]);
    expect(cdb.every((e) => e.arguments[0]!.startsWith('/'))).toBe(true);
    expect(await nonTokenOutputs(g)).toEqual([]);
  });

  it('runs a code generator it built: materialized on demand, recorded, the rest stays tokens', async () => {
    const dir = await fixture('make-codegen', 'codegen');
    const out = join(work, 'codegen-out');
    const r = await continuity(['wrap', '--out', out, '--quiet', '--', 'make'], dir);
    expect(r.exitCode, r.all).toBe(0);
    expect(await readFile(join(dir, 'table.h'), 'utf8')).toContain('{0, 1, 4, 9, 16, 25, 36, 49}');
    const g = await readGraph(join(out, 'graph.json'));
    const mat = (g.attributes as unknown as { materialized: { path: string; binary: string; rids: string[]; argv: string[] }[] }).materialized;
    expect(mat).toHaveLength(1);
    expect(mat[0]!.path).toBe(join(dir, 'gen'));
    expect(mat[0]!.argv).toEqual(['./gen', '8']);
    // its closure: gen.o, square.o, libsquare.a (+ ranlib), gen
    const rids = new Set(actions(g).filter((a) => ['gen.o', 'square.o', 'libsquare.a', 'gen'].some((f) => a.outputs.includes(join(dir, f)))).map((a) => a.rid));
    expect(new Set(mat[0]!.rids.filter((x) => rids.has(x))).size).toBe(4);
    const ran = await execa(mat[0]!.binary, ['3'], { reject: false });
    expect(ran.stdout).toContain('{0, 1, 4}');
    // the build tree keeps its tokens: nothing compiled there
    for (const f of ['gen', 'gen.o', 'square.o', 'libsquare.a', 'prog.o', 'prog']) expect(await isToken(join(dir, f)), f).toBe(true);
    const custom = producer(g, join(dir, 'table.h'))!;
    expect(custom.category).toBe('custom');
    expect(custom.inputs).toEqual([join(dir, 'gen')]);
    expect(producer(g, join(dir, 'prog.o'))!.deps).toContain(join(dir, 'table.h'));
  });

  it('observe mode builds for real and records the same graph (check agrees)', async () => {
    for (const name of ['make-codegen', 'make-recursive']) {
      const dir = await fixture(name, `${name}-check`);
      const out = join(work, `${name}-check-out`);
      const r = await continuity(['check', '--out', out, '--quiet', '--', 'make'], dir);
      expect(r.exitCode, r.all).toBe(0);
      const c = JSON.parse(await readFile(join(out, 'check.json'), 'utf8')) as { differences: unknown[] };
      expect(c.differences).toEqual([]);
      const observed = await readGraph(join(out, 'observe', 'graph.json'));
      expect(observed.attributes.mode).toBe('observe');
      // the observe run's tree (moved aside after the run) holds real objects
      const o = actions(observed).find((a) => a.category === 'compile')!.outputs[0]!;
      expect(await isToken(o.replace(join(out, 'tree'), join(out, 'tree-observe')))).toBe(false);
    }
    // the observe run really built: the program runs
    const ran = await execa(join(work, 'make-codegen-check-out', 'tree-observe', 'prog'), [], { reject: false });
    expect(ran.stdout.trim()).toBe('140');
  });

  it('reports taken as they come, or the spool alone when nobody takes them: the same graph', async () => {
    const dir = join(work, 'listeners');
    const graphs: SerializedGraph[] = [];
    for (const listening of [true, false]) {
      await rm(dir, { recursive: true, force: true });
      await copyTree(join(REPO, 'fixtures', 'make-recursive'), dir);
      const seen: string[] = [];
      const s = await runWrap({
        command: ['sh', '-c', 'env > build-env.txt && make'], cwd: dir, out: join(work, `listeners-${listening}`), mode: 'observe',
        log: () => undefined, ...(listening ? { onReport: (r: Report) => { seen.push(r.rid); } } : {}),
      });
      expect(s.complete, s.failure ?? '').toBe(true);
      const env = await readFile(join(dir, 'build-env.txt'), 'utf8');
      // the shims were given a collector (and its relay) only when someone listened
      for (const v of ['CONTINUITY_ENDPOINT', 'CONTINUITY_SECRET', 'CONTINUITY_RELAY']) expect(env.includes(`\n${v}=`), v).toBe(listening);
      expect(env).toContain(`\nCONTINUITY_SPOOL=${join(work, `listeners-${listening}`, 'spool.jsonl')}`);
      if (listening) expect(seen.sort()).toEqual(actions(s.graph).filter((a) => a.category !== 'custom').map((a) => a.rid).sort());
      graphs.push(s.graph);
    }
    expect(compareGraphs(graphs[0]!, graphs[1]!)).toEqual([]);
    expect(actions(graphs[1]!).map((a) => a.category).sort()).toEqual(actions(graphs[0]!).map((a) => a.category).sort());
  });

  it("the build's output, stdout and stderr in the order written, goes into logs/build.log, and to onOutput when asked", async () => {
    const dir = join(work, 'output');
    await mkdir(dir);
    const script = 'echo one; echo two >&2; echo three';
    const quiet = await runWrap({ command: ['sh', '-c', script], cwd: dir, out: join(work, 'output-quiet'), mode: 'observe', log: () => undefined });
    expect(quiet.complete).toBe(true);
    expect(await readFile(join(work, 'output-quiet', 'logs', 'build.log'), 'utf8')).toBe('one\ntwo\nthree\n');
    let seen = '';
    const told = await runWrap({
      command: ['sh', '-c', `${script}; exit 3`], cwd: dir, out: join(work, 'output-told'), mode: 'observe', log: () => undefined,
      onOutput: (t) => { seen += t; },
    });
    expect(told.exitCode).toBe(3);
    expect(told.failure).toContain('the build failed (exit 3)');
    expect(seen.split('\n').sort()).toEqual(['', 'one', 'three', 'two']);
    expect((await readFile(join(work, 'output-told', 'logs', 'build.log'), 'utf8')).split('\n').sort()).toEqual(['', 'one', 'three', 'two']);
  });

  it('check reports a build that differs between the modes and exits 1', async () => {
    const dir = join(work, 'differs');
    await mkdir(dir);
    // the recipe asks which mode it runs in: a build whose graph depends on it
    await writeFile(join(dir, 'Makefile'), 'all:\n\techo "int x;" > a.c; if [ "$$CONTINUITY_MODE" = observe ]; then cc -O2 -c a.c -o a.o; else cc -c a.c -o a.o; fi\n');
    const r = await continuity(['check', '--out', join(work, 'differs-out'), '--quiet', '--', 'make'], dir);
    expect(r.exitCode, r.all).toBe(1);
    expect(r.stdout).toContain(`compile ${join(work, 'differs-out', 'tree', 'a.o')}: args differs`);
  });
});

describe('wrap: ninja', () => {
  it('records compiles and links through the shims and custom steps from ninja\'s log', async () => {
    const dir = join(work, 'ninja');
    await mkdir(join(dir, 'build'), { recursive: true });
    await writeFile(join(dir, 'main.c'), '#include "gen.h"\nint main(void) { return GEN; }\n');
    await writeFile(join(dir, 'gen.in'), '#define GEN 0\n');
    await writeFile(join(dir, 'build', 'build.ninja'), [
      'rule cc', '  command = cc -I. -c $in -o $out', 'rule link', '  command = cc $in -o $out', 'rule copy', '  command = cp $in $out',
      'build gen.h: copy ../gen.in', 'build main.o: cc ../main.c | gen.h', 'build prog: link main.o', '',
    ].join('\n'));
    for (const mode of ['confess', 'observe']) {
      const out = join(work, `ninja-${mode}`);
      await rm(join(dir, 'build', '.ninja_log'), { force: true });
      const r = await continuity(['wrap', '--mode', mode, '--out', out, '--quiet', '--', 'ninja', '-C', 'build'], dir);
      expect(r.exitCode, r.all).toBe(0);
      const g = await readGraph(join(out, 'graph.json'));
      expect(g.attributes).toMatchObject({ system: 'wrap', mode, builddir: join(dir, 'build') });
      expect(producer(g, join(dir, 'build/main.o'))?.category).toBe('compile');
      expect(producer(g, join(dir, 'build/main.o'))?.deps).toContain(join(dir, 'build/gen.h'));
      expect(producer(g, join(dir, 'build/prog'))?.category).toBe('link');
      const copy = producer(g, join(dir, 'build/gen.h'))!;
      expect(copy).toMatchObject({ category: 'custom', args: ['/bin/sh', '-c', 'cp ../gen.in gen.h'], inputs: [join(dir, 'gen.in')], rule: 'copy' });
      expect(await isToken(join(dir, 'build/prog'))).toBe(mode === 'confess');
      await rm(join(dir, 'build', 'prog'));
      await rm(join(dir, 'build', 'main.o'));
    }
  });
});

describe('wrap: bad input', () => {
  it('a failing build: its exit code passed through, the graph so far marked incomplete, no graph.json', async () => {
    const dir = join(work, 'failing');
    await mkdir(dir);
    await writeFile(join(dir, 'ok.c'), 'int ok;\n');
    await writeFile(join(dir, 'bad.c'), '#include "missing.h"\n');
    await writeFile(join(dir, 'Makefile'), 'all: ok.o bad.o\n%.o: %.c\n\tcc -c $< -o $@\n');
    const out = join(work, 'failing-out');
    await mkdir(out);
    await writeFile(join(out, 'graph.json'), '{"stale": true}\n');
    const r = await continuity(['wrap', '--out', out, '--', 'make'], dir);
    expect(r.exitCode).toBe(2); // make's own exit code
    expect(r.stderr).toContain('continuity: the build failed (exit 2) at `cc -c bad.c -o bad.o`');
    expect(r.stderr).toContain('graph.incomplete.json');
    expect(await exists(join(out, 'graph.json'))).toBe(false);
    const g = await readGraph(join(out, 'graph.incomplete.json'));
    expect(g.attributes.complete).toBe(false);
    expect(g.attributes.errors[0]).toMatch(/^the build failed \(exit 2\)/);
    expect(producer(g, join(dir, 'ok.o'))?.category).toBe('compile');
    // any exit code, not only make's
    const seven = await continuity(['wrap', '--out', join(work, 'seven'), '--quiet', '--', 'sh', '-c', 'exit 7'], dir);
    expect(seven.exitCode).toBe(7);
  });

  it('a command that is not found: one line, exit 2, nothing written', async () => {
    const out = join(work, 'notfound-out');
    const r = await continuity(['wrap', '--out', out, '--', 'no-such-build-tool', 'all'], work);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe('continuity: no-such-build-tool: command not found');
    expect(await exists(out)).toBe(false);
    const none = await continuity(['wrap', '--out', out], work);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain('no build command given');
  });

  it('a recipe that deletes its own outputs: the steps are kept, the graph is complete', async () => {
    const dir = join(work, 'deleting');
    await mkdir(dir);
    await writeFile(join(dir, 'a.c'), 'int a;\n');
    await writeFile(join(dir, 'Makefile'), 'final.o: a.c\n\tcc -c a.c -o tmp.o && cp tmp.o final.o && rm -f tmp.o\n\trm -f final.o\n');
    for (const mode of ['confess', 'observe']) {
      const out = join(work, `deleting-${mode}`);
      const r = await continuity(['wrap', '--mode', mode, '--out', out, '--quiet', '--', 'make'], dir);
      expect(r.exitCode, r.all).toBe(0);
      const g = await readGraph(join(out, 'graph.json'));
      expect(g.attributes.complete).toBe(true);
      expect(producer(g, join(dir, 'tmp.o'))?.category).toBe('compile');
      expect(producer(g, join(dir, 'final.o'))).toMatchObject({ category: 'custom', inputs: [join(dir, 'a.c')] });
      expect(await exists(join(dir, 'final.o'))).toBe(false);
    }
  });
});
