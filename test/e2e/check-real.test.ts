// `continuity check` on real projects (Debian bookworm sources): the confessed and the observed graph of
// the same build agree, action by action.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtemp, rm, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { fetchSource, copyTree, continuity, readGraph } from './wrap-helpers.js';

interface Project {
  name: string;
  /** run in the copy before the check (the check itself runs `make`) */
  prepare: string[][];
}

const PROJECTS: Project[] = [
  { name: 'bzip2', prepare: [] },
  { name: 'xxhash', prepare: [] },
  { name: 'zlib', prepare: [['./configure']] },
  { name: 'libyaml', prepare: [['autoreconf', '-fi'], ['./configure']] },
  { name: 'jq', prepare: [['autoreconf', '-fi'], ['./configure', '--disable-docs', '--with-oniguruma=yes']] },
];

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'continuity-check-real-'));
  return async () => rm(work, { recursive: true, force: true });
});

describe.each(PROJECTS)('check on a real project: $name', (p) => {
  it('reports no difference between the confessed and the observed graph', async () => {
    const tree = join(work, p.name);
    await copyTree(await fetchSource(p.name), tree);
    for (const [cmd, ...args] of p.prepare) await execa(cmd as string, args, { cwd: tree, stdin: 'ignore' });
    const out = join(work, `${p.name}-check`);
    const r = await continuity(['check', '--out', out, '-j', '2', '--quiet', '--', 'make'], tree);
    expect(r.all?.split('\n').slice(0, 10).join('\n')).toBe('');
    expect(r.exitCode).toBe(0);
    const c = JSON.parse(await readFile(join(out, 'check.json'), 'utf8')) as { differences: unknown[] };
    expect(c.differences).toEqual([]);
    const g = await readGraph(join(out, 'confess', 'graph.json'));
    expect(g.nodes.filter((n) => n.attributes.type === 'action' && n.attributes.category === 'compile').length).toBeGreaterThan(3);
  });
});
