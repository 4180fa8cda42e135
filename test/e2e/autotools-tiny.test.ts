// `continuity confess autotools` on a small configure-and-make project, and its bad input.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtemp, rm, mkdir, access } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { REPO, copyTree, continuity, readGraph, nonTokenOutputs } from './wrap-helpers.js';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'continuity-autotools-'));
  return async () => rm(work, { recursive: true, force: true });
});
const exists = (p: string): Promise<boolean> => access(p).then(() => true, () => false);

describe('confess autotools', () => {
  it('configures with real probes, then confesses make in <out>/build', async () => {
    const src = join(work, 'tiny');
    await copyTree(join(REPO, 'fixtures', 'autotools-tiny'), src);
    const out = join(work, 'tiny-out');
    const r = await continuity(['confess', 'autotools', src, '--out', out, '--quiet'], work);
    expect(r.exitCode, r.all).toBe(0);
    const g = await readGraph(join(out, 'graph.json'));
    const build = join(out, 'build');
    expect(g.attributes).toMatchObject({ system: 'autotools', mode: 'confess', srcdir: src, builddir: build, complete: true });
    const acts = g.nodes.flatMap((n) => (n.attributes.type === 'action' ? [n.attributes] : []));
    expect(acts.map((a) => `${a.category} ${a.outputs.join(' ')}`).sort()).toEqual([
      `compile ${build}/hello.o`, `custom ${build}/config.h`, `link ${build}/hello`,
    ]);
    // the configure probe ran for real and is not in the graph
    expect(acts.some((a) => a.args.includes('conftest.c'))).toBe(false);
    expect(await nonTokenOutputs(g)).toEqual([]);
  });

  it('bad input: not an autotools project, a failing configure: one line, exit 2, no graph', async () => {
    const empty = join(work, 'empty');
    await mkdir(empty);
    const a = await continuity(['confess', 'autotools', empty, '--out', join(work, 'empty-out')], work);
    expect(a.exitCode).toBe(2);
    expect(a.stderr).toBe(`continuity: ${empty}: no configure script and no configure.ac (not an autotools project)`);
    expect(await exists(join(work, 'empty-out'))).toBe(false);
    const src = join(work, 'failing');
    await copyTree(join(REPO, 'fixtures', 'autotools-tiny'), src);
    const out = join(work, 'failing-out');
    const b = await continuity(['confess', 'autotools', src, '--out', out, '--quiet', '--', '--fail'], work);
    expect(b.exitCode).toBe(2);
    expect(b.stderr).toBe(`continuity: configure failed: configure: error: asked to fail (see ${out}/logs/configure.log)`);
    expect(await exists(join(out, 'graph.json'))).toBe(false);
  });
});
