// What is executed is what the graph says, and the graph is what the shims reported: every lowered
// action is a graph action (same id, same tool, same arguments up to the relocation of the source and
// build trees), every graph action comes from a report in events.jsonl, and nothing is added on the way.
import { describe, it, expect, beforeAll } from 'vitest';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { execa } from 'execa';
import { CLI, REPO, confess } from '../helpers/real-cmake.js';
import type { SerializedGraph, ActionNode } from '../../src/model/graph.js';
import { parseReport } from '../../src/model/report.js';

interface Lowered {
  actions: { id: string; cwd: string; action: { command: string[] } }[];
}

let out: string;
let graph: SerializedGraph;
let lowered: Lowered;

beforeAll(async () => {
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'continuity-graph-actions-'));
  out = path.join(work, 'conf');
  const r = await confess(path.join(REPO, 'fixtures', 'cxx-subdirs'), out);
  if (r.exitCode !== 0) throw new Error(r.all);
  const l = await execa('node', [CLI, 'lower', path.join(out, 'graph.json'), '-o', path.join(work, 'actions.json')], { stdin: 'ignore' });
  expect(l.exitCode).toBe(0);
  graph = JSON.parse(await fs.readFile(path.join(out, 'graph.json'), 'utf8')) as SerializedGraph;
  lowered = JSON.parse(await fs.readFile(path.join(work, 'actions.json'), 'utf8')) as Lowered;
  return async () => fs.rm(work, { recursive: true, force: true });
});

describe('from reports to executed commands', () => {
  it('every graph action comes from exactly one reported call', async () => {
    const rids = new Map<string, string[]>();
    for (const line of (await fs.readFile(path.join(out, 'events.jsonl'), 'utf8')).split('\n')) {
      if (line === '') continue;
      const r = parseReport(line);
      if (!r.ok) throw new Error(r.error);
      rids.set(r.value.rid, r.value.args);
    }
    const actions = graph.nodes.map((n) => n.attributes).filter((a): a is ActionNode => a.type === 'action');
    expect(actions.length).toBeGreaterThan(3);
    const seen = new Set<string>();
    for (const a of actions) {
      if (a.category === 'custom') continue;
      expect(a.rid, JSON.stringify(a.args)).not.toBeNull();
      expect(rids.has(a.rid!)).toBe(true);
      expect(seen.has(a.rid!)).toBe(false);
      seen.add(a.rid!);
      expect(a.args.slice(1)).toEqual(rids.get(a.rid!)!.slice(1));
    }
  });

/** The call without the build system's depfile flags, which hermetic runs leave out. */
function withoutDepfileFlags(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '-MD' || a === '-MMD' || a === '-MP') continue;
    if (a === '-MF' || a === '-MT' || a === '-MQ') { i++; continue; }
    if (/^-M[FTQ]./.test(a)) continue;
    out.push(a);
  }
  return out;
}

  it('every lowered command is its graph action\'s call, relocated, less its depfile flags, and nothing else', () => {
    const { srcdir, builddir } = graph.attributes;
    const reloc = (s: string): string => s.split(builddir).join('/continuity/build').split(srcdir).join('/continuity/src');
    const byKey = new Map(graph.nodes.map((n) => [n.key, n.attributes]));
    const graphActions = graph.nodes.filter((n) => n.attributes.type === 'action').map((n) => n.key);
    expect(lowered.actions.map((a) => a.id).sort()).toEqual([...graphActions].sort());
    for (const x of lowered.actions) {
      const node = byKey.get(x.id) as ActionNode;
      const args = node.category === 'compile' ? withoutDepfileFlags(node.args.slice(1)) : node.args.slice(1);
      const expected = [node.real, ...args.map(reloc)];
      const cmd = x.action.command;
      if (cmd[0] === '/bin/sh' && node.category === 'archive') {
        // An archive and its ranlib run as one shell line: the recorded call comes first.
        expect(cmd[1]).toBe('-c');
        expect(cmd[2]!.startsWith(expected.join(' '))).toBe(true);
        expect(cmd[2]!.slice(expected.join(' ').length)).toMatch(/^( && \S*ranlib \S+)?$/);
      } else {
        expect(cmd).toEqual(expected);
      }
      expect(x.cwd).toBe(reloc(node.cwd));
    }
  });
});
