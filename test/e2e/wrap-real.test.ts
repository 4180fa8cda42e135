// `continuity wrap` and `continuity confess autotools` on real projects (Debian bookworm sources):
// both modes give exactly the compile steps that Debian's `bear` records for the same build, and
// confess mode compiles nothing.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtemp, rm, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { fetchSource, copyTree, continuity, normalizedSteps, bear, readGraph, nonTokenOutputs, stepDiff } from './wrap-helpers.js';

interface Project {
  name: string;
  /** make: a plain Makefile; configure: its own ./configure first; autotools: confess autotools */
  kind: 'make' | 'configure' | 'autotools';
  configureArgs?: string[];
}

const PROJECTS: Project[] = [
  { name: 'bzip2', kind: 'make' },
  { name: 'xxhash', kind: 'make' },
  { name: 'zlib', kind: 'configure' },
  { name: 'libyaml', kind: 'autotools' },
  { name: 'jq', kind: 'autotools', configureArgs: ['--disable-docs', '--with-oniguruma=yes'] },
];

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'continuity-wrap-real-'));
  return async () => rm(work, { recursive: true, force: true });
});

/** An autotools tree ready for configure (autoreconf -fi where there is no configure script). */
async function autoreconfed(src: string, to: string): Promise<void> {
  await copyTree(src, to);
  const has = await execa('test', ['-x', join(to, 'configure')], { reject: false });
  if (has.exitCode !== 0) await execa('autoreconf', ['-fi'], { cwd: to, stdin: 'ignore' });
}

describe.each(PROJECTS)('wrap on a real project: $name', (p) => {
  it('confess and observe both give exactly the compile steps bear records; confess compiles nothing', async () => {
    const src = await fetchSource(p.name);
    const base = join(work, p.name);
    await mkdir(base, { recursive: true });
    const jobs = '2';

    // the baseline: bear around the same build
    let bearSteps: string[];
    if (p.kind === 'autotools') {
      const bsrc = join(base, 'bear-src');
      const bbuild = join(base, 'bear-build');
      await autoreconfed(src, bsrc);
      await mkdir(bbuild);
      await execa(join(bsrc, 'configure'), p.configureArgs ?? [], { cwd: bbuild, stdin: 'ignore' });
      await bear(bbuild, ['make', `-j${jobs}`], join(base, 'bear.json'));
      bearSteps = await normalizedSteps(join(base, 'bear.json'), { '<SRC>': bsrc, '<BUILD>': bbuild });
    } else {
      const tree = join(base, 'bear-tree');
      await copyTree(src, tree);
      if (p.kind === 'configure') await execa('./configure', [], { cwd: tree, stdin: 'ignore' });
      await bear(tree, ['make', `-j${jobs}`], join(base, 'bear.json'));
      bearSteps = await normalizedSteps(join(base, 'bear.json'), { '<SRC>': tree, '<BUILD>': tree });
    }
    expect(bearSteps.length).toBeGreaterThan(0);

    for (const mode of ['confess', 'observe'] as const) {
      const out = join(base, `${mode}-out`);
      let roots: Record<string, string>;
      if (p.kind === 'autotools') {
        const csrc = join(base, `${mode}-src`);
        await autoreconfed(src, csrc);
        const r = await continuity(['confess', 'autotools', csrc, '--out', out, '--mode', mode, '-j', jobs, '--quiet', '--', ...(p.configureArgs ?? [])], base);
        expect(r.exitCode, r.all).toBe(0);
        roots = { '<SRC>': csrc, '<BUILD>': join(out, 'build') };
      } else {
        const tree = join(base, `${mode}-tree`);
        await copyTree(src, tree);
        if (p.kind === 'configure') await execa('./configure', [], { cwd: tree, stdin: 'ignore' });
        const r = await continuity(['wrap', '--mode', mode, '--out', out, '-j', jobs, '--quiet', '--', 'make'], tree);
        expect(r.exitCode, r.all).toBe(0);
        roots = { '<SRC>': tree, '<BUILD>': tree };
      }
      const ours = await normalizedSteps(join(out, 'compile_commands.json'), roots);
      expect(stepDiff(bearSteps, ours), `${mode}: compile steps`).toEqual({ missing: [], extra: [], counts: [bearSteps.length, bearSteps.length] });
      const g = await readGraph(join(out, 'graph.json'));
      expect(g.attributes.complete).toBe(true);
      expect(g.attributes.mode).toBe(mode);
      expect(g.attributes.system).toBe(p.kind === 'autotools' ? 'autotools' : 'make');
      const cats = new Set(g.nodes.flatMap((n) => (n.attributes.type === 'action' ? [n.attributes.category] : [])));
      expect(cats.has('link')).toBe(true);
      if (mode === 'confess') expect(await nonTokenOutputs(g)).toEqual([]);
    }
  }, 1_800_000); // three full builds (bear, confess, observe) of a project on a shared machine
});
