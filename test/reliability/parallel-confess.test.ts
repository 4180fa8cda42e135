// Confession at high parallelism: `continuity confess cmake -j 32` records exactly as many compile steps
// as a real CMake + Ninja build of the same project has, each once, for a generated project of hundreds
// of translation units and for a real one (cJSON, Debian's source package).
import { describe, it, expect, beforeAll } from 'vitest';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { execa } from 'execa';
import { REPO, confess } from '../helpers/real-cmake.js';
import type { SerializedGraph, ActionNode } from '../../src/model/graph.js';
import { parseReport } from '../../src/model/report.js';
import { parseToken } from '../../src/model/token.js';
import { writeSynthetic, realCompileCount } from './synthetic.js';

let work: string;
beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'continuity-parallel-'));
  return async () => fs.rm(work, { recursive: true, force: true });
});

interface Confessed {
  compiles: ActionNode[];
  categories: Record<string, number>;
  events: number;
}

async function confessAt32(src: string, out: string): Promise<Confessed> {
  const r = await confess(src, out, [], ['-j', '32']);
  expect(r.exitCode, r.all).toBe(0);
  const g = JSON.parse(await fs.readFile(path.join(out, 'graph.json'), 'utf8')) as SerializedGraph;
  expect(g.attributes.complete).toBe(true);
  expect(g.attributes.errors).toEqual([]);
  const actions = g.nodes.map((n) => n.attributes).filter((a): a is ActionNode => a.type === 'action');
  const categories: Record<string, number> = {};
  for (const a of actions) categories[a.category] = (categories[a.category] ?? 0) + 1;
  // events.jsonl: every line a report, every rid once.
  const lines = (await fs.readFile(path.join(out, 'events.jsonl'), 'utf8')).split('\n').filter((l) => l !== '');
  const rids = new Set<string>();
  for (const l of lines) {
    const rep = parseReport(l);
    if (!rep.ok) throw new Error(`events.jsonl: ${rep.error}`);
    rids.add(rep.value.rid);
  }
  expect(rids.size).toBe(lines.length);
  return { compiles: actions.filter((a) => a.category === 'compile'), categories, events: lines.length };
}

/** Each compile names a distinct output, and every output is a token on disk. */
async function checkOutputs(compiles: ActionNode[]): Promise<void> {
  const outs = compiles.flatMap((a) => a.outputs);
  expect(new Set(outs).size).toBe(outs.length);
  for (const o of outs) expect(parseToken(await fs.readFile(o, 'latin1')).ok, o).toBe(true);
}

describe('confession at -j 32', () => {
  it('a generated project of 193 translation units: as many compiles as the real build', async () => {
    const syn = await writeSynthetic(path.join(work, 'syn'), 6, 32);
    const real = await realCompileCount(syn.dir, path.join(work, 'syn-real'), os.cpus().length);
    expect(real.compiles).toBe(syn.compiles);
    expect(real.built).toBe(syn.compiles);
    const c = await confessAt32(syn.dir, path.join(work, 'syn-out'));
    expect(c.compiles).toHaveLength(real.compiles);
    expect(c.categories['archive']).toBe(syn.archives);
    expect(c.categories['link']).toBe(syn.links);
    expect(new Set(c.compiles.flatMap((a) => a.inputs))).toEqual(
      new Set((JSON.parse(await fs.readFile(path.join(work, 'syn-real', 'compile_commands.json'), 'utf8')) as { file: string }[]).map((e) => e.file)),
    );
    await checkOutputs(c.compiles);
  });

  it('cJSON (Debian source): as many compiles as the real build', async () => {
    const fetched = await execa('bash', [path.join(REPO, 'scripts', 'fetch-sources.sh'), 'cjson'], { stdin: 'ignore' });
    const src = fetched.stdout.trim().split('\n').pop() as string;
    const real = await realCompileCount(src, path.join(work, 'cjson-real'), os.cpus().length);
    expect(real.compiles).toBeGreaterThan(10);
    const c = await confessAt32(src, path.join(work, 'cjson-out'));
    expect(c.compiles).toHaveLength(real.compiles);
    await checkOutputs(c.compiles);
  });
});

// The 10,000-translation-unit project: slow (about half a minute on two cores), so it runs with
// CONTINUITY_SLOW_TESTS=1, which `npm run test:all` (and so CI) sets.
// The real build's compile steps are read from its compilation database and `ninja -t commands` (no
// compiling needed to count them); CONTINUITY_SLOW_TUS changes the size.
describe.runIf(process.env['CONTINUITY_SLOW_TESTS'] === '1')('confession at -j 32, large', () => {
  it('a generated project of 10,000 translation units: as many compiles as the real build', async () => {
    const tus = Number(process.env['CONTINUITY_SLOW_TUS'] ?? '10000');
    const libs = Math.max(1, Math.round(Math.sqrt(tus)));
    const syn = await writeSynthetic(path.join(work, 'big'), libs, Math.ceil(tus / libs));
    const realBuild = path.join(work, 'big-real');
    await execa('cmake', ['-S', syn.dir, '-B', realBuild, '-G', 'Ninja', '-DCMAKE_EXPORT_COMPILE_COMMANDS=ON'], { stdin: 'ignore' });
    const db = JSON.parse(await fs.readFile(path.join(realBuild, 'compile_commands.json'), 'utf8')) as unknown[];
    const commands = (await execa('ninja', ['-C', realBuild, '-t', 'commands'])).stdout.split('\n').filter((l) => / -c \S+\.c$/.test(l));
    expect(db.length).toBe(syn.compiles);
    expect(commands.length).toBe(syn.compiles);
    const c = await confessAt32(syn.dir, path.join(work, 'big-out'));
    expect(c.compiles).toHaveLength(syn.compiles);
    expect(c.categories['archive']).toBe(syn.archives);
    expect(c.categories['link']).toBe(syn.links);
    await checkOutputs(c.compiles);
  }, 2_700_000);
});
