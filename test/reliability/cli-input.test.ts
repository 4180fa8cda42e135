// The CLI on wrong input: missing directories, a file where a directory is expected, graph.json that is
// not JSON, breaks the schema or has a cycle, an unusable store. Each must end with one line
// `continuity: <cause>`, a non-zero exit, and no output that looks complete.
// Runs the built CLI (bin/continuity.js → dist/): run `npx tsc -p tsconfig.json` first.
import { describe, it, expect, beforeAll } from 'vitest';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { execa } from 'execa';
import { CLI, REPO, confess } from '../helpers/real-cmake.js';
import type { SerializedGraph, ActionNode } from '../../src/model/graph.js';

let work: string;
const at = (p: string): string => path.join(work, p);

interface Case {
  name: string;
  args: string[];
  cause: RegExp;
  /** paths (relative to the work dir) that must not exist afterwards */
  absent?: string[];
  /** run as this uid/gid (through setpriv) */
  asUser?: number;
}

async function cli(args: string[], asUser?: number) {
  const cmd = asUser === undefined ? 'node' : 'setpriv';
  const full = asUser === undefined
    ? [CLI, ...args]
    : [`--reuid=${asUser}`, `--regid=${asUser}`, '--clear-groups', 'env', `HOME=${at('home')}`, 'node', CLI, ...args];
  return execa(cmd, full, { cwd: work, reject: false, stdin: 'ignore', timeout: args[0] === 'view' ? 15_000 : 60_000, env: { HOME: at('home'), XDG_CACHE_HOME: at('home/cache') } });
}

/** The contract for every bad input. */
async function expectCleanFailure(c: Case): Promise<void> {
  const r = await cli(c.args, c.asUser);
  const ctx = `continuity ${c.args.join(' ')}\nexit ${r.exitCode} ${r.timedOut ? '(timed out)' : ''}\nstderr: ${r.stderr}\nstdout: ${r.stdout.slice(0, 300)}`;
  expect(r.timedOut, ctx).toBe(false);
  expect(r.exitCode, ctx).not.toBe(0);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, ctx).toHaveLength(1);
  expect(lines[0], ctx).toMatch(/^continuity: /);
  expect(lines[0], ctx).not.toMatch(/internal error/);
  expect(lines[0], ctx).toMatch(c.cause);
  expect(r.stdout.trim(), ctx).toBe('');
  for (const p of c.absent ?? []) {
    const exists = await fs.stat(at(p)).then(() => true, () => false);
    expect(exists, `${ctx}\n${p} should not exist`).toBe(false);
  }
}

async function variant(name: string, edit: (g: SerializedGraph) => void): Promise<string> {
  const g = JSON.parse(await fs.readFile(at('conf/graph.json'), 'utf8')) as SerializedGraph;
  edit(g);
  await fs.mkdir(at(name), { recursive: true });
  await fs.writeFile(at(`${name}/graph.json`), JSON.stringify(g));
  return `${name}/graph.json`;
}

const actionsOf = (g: SerializedGraph) => g.nodes.filter((n) => n.attributes.type === 'action') as { key: string; attributes: ActionNode }[];

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'continuity-cli-input-'));
  // The unprivileged run below must reach the inputs.
  await fs.chmod(work, 0o755);
  await fs.mkdir(at('home/cache'), { recursive: true });
  const r = await confess(path.join(REPO, 'fixtures', 'c-static-exe'), at('conf'));
  if (r.exitCode !== 0) throw new Error(`confession of the fixture failed: ${r.all}`);
  await fs.writeFile(at('afile'), 'plain text, not a directory\n');
  await fs.writeFile(at('truncated.json'), (await fs.readFile(at('conf/graph.json'), 'utf8')).slice(0, 500));
  await fs.writeFile(at('version.json'), JSON.stringify({ attributes: { version: 99 }, nodes: [], edges: [] }));
  await variant('badargs', (g) => {
    (actionsOf(g)[0]!.attributes as unknown as Record<string, unknown>)['args'] = 42;
  });
  // A true cycle: the first compile also reads the program that the link makes from its object.
  await variant('cycle', (g) => {
    const acts = actionsOf(g);
    const link = acts.find((a) => a.attributes.category === 'link')!;
    const first = acts.find((a) => a.attributes.category === 'compile')!;
    const exe = link.attributes.outputs[0]!;
    first.attributes.inputs.push(exe);
    g.edges.push({ source: `file:${exe}`, target: first.key });
  });
  await fs.mkdir(at('input-locked'), { mode: 0o700 });
  await fs.copyFile(at('conf/graph.json'), at('input-locked/graph.json'));
  await fs.mkdir(at('outs'), { recursive: true, mode: 0o777 });
  await fs.chmod(at('outs'), 0o777);
  await fs.mkdir(at('store-locked'), { mode: 0o000 });
  await fs.chmod(at('store-locked'), 0o000);
  return async () => {
    await fs.chmod(at('store-locked'), 0o755).catch(() => undefined);
    await fs.rm(work, { recursive: true, force: true });
  };
});

describe('CLI on wrong input', () => {
  const cases: Case[] = [
    // missing directories / files
    { name: 'confess cmake: missing source dir', args: ['confess', 'cmake', 'no-such-dir', '--out', 'c1'], cause: /no-such-dir: no such directory/, absent: ['c1/graph.json'] },
    { name: 'confess cmake: a dir without CMakeLists.txt', args: ['confess', 'cmake', 'home', '--out', 'c2'], cause: /no CMakeLists\.txt/, absent: ['c2/graph.json'] },
    { name: 'confess autotools: missing source dir', args: ['confess', 'autotools', 'no-such-dir', '--out', 'c3'], cause: /no-such-dir: no such directory/, absent: ['c3/graph.json'] },
    { name: 'lower: missing graph', args: ['lower', 'no-such/graph.json', '-o', 'l1.json'], cause: /no-such\/graph\.json: no such file/, absent: ['l1.json'] },
    { name: 'build: missing input', args: ['build', 'no-such-dir', '--out', 'b1', '--store', 'st'], cause: /no-such-dir: no such file or directory/, absent: ['b1'] },
    { name: 'migrate: missing graph', args: ['migrate', 'no-such-dir', '--to', 'm1'], cause: /no-such-dir: no such file or directory/, absent: ['m1'] },
    { name: 'view: missing graph', args: ['view', 'no-such-dir', '--no-open'], cause: /no-such-dir: no such file or directory/ },
    { name: 'wrap: a build command that does not exist', args: ['wrap', '--out', 'w1', '--', './no-such-command'], cause: /no-such-command: command not found/, absent: ['w1/graph.json'] },
    // a file where a directory is expected
    { name: 'confess cmake: a file as the source dir', args: ['confess', 'cmake', 'afile', '--out', 'c4'], cause: /afile: /, absent: ['c4/graph.json'] },
    { name: 'view: a directory without graph.json', args: ['view', 'home', '--no-open'], cause: /graph\.json: no such file/ },
    { name: 'build: a file as the store', args: ['build', 'conf', '--out', 'b2', '--store', 'afile'], cause: /store .*afile is not usable \(ENOTDIR\)/, absent: ['b2'] },
    { name: 'build: a store below a file', args: ['build', 'conf', '--out', 'b3', '--store', 'afile/sub'], cause: /store .*afile\/sub is not usable/, absent: ['b3'] },
    // not JSON (a text file's message quotes its text: still one line)
    { name: 'lower: truncated graph.json', args: ['lower', 'truncated.json', '-o', 'l2.json'], cause: /truncated\.json: not valid JSON/, absent: ['l2.json'] },
    { name: 'build: truncated graph.json', args: ['build', 'truncated.json', '--out', 'b4', '--store', 'st'], cause: /truncated\.json: not valid JSON/, absent: ['b4'] },
    { name: 'migrate: truncated graph.json', args: ['migrate', 'truncated.json', '--to', 'm2'], cause: /truncated\.json: not valid JSON/, absent: ['m2'] },
    { name: 'view: truncated graph.json', args: ['view', 'truncated.json', '--no-open'], cause: /truncated\.json: not JSON/ },
    { name: 'lower: a text file as graph.json', args: ['lower', 'afile', '-o', 'g1.json'], cause: /afile: not valid JSON/, absent: ['g1.json'] },
    { name: 'view: a text file as graph.json', args: ['view', 'afile', '--no-open'], cause: /afile: not JSON/ },
    // wrong schema
    { name: 'lower: unknown graph version', args: ['lower', 'version.json', '-o', 'l3.json'], cause: /version/, absent: ['l3.json'] },
    { name: 'migrate: unknown graph version', args: ['migrate', 'version.json', '--to', 'm3'], cause: /version/, absent: ['m3'] },
    { name: 'lower: an action whose args are not a list', args: ['lower', 'badargs/graph.json', '-o', 'l4.json'], cause: /action:\d+.*args/, absent: ['l4.json'] },
    { name: 'build: an action whose args are not a list', args: ['build', 'badargs', '--out', 'b5', '--store', 'st'], cause: /action:\d+.*args/, absent: ['b5'] },
    { name: 'migrate: an action whose args are not a list', args: ['migrate', 'badargs', '--to', 'm4'], cause: /action:\d+.*args/, absent: ['m4'] },
    { name: 'view: an action whose args are not a list', args: ['view', 'badargs', '--no-open'], cause: /action:\d+.*args/ },
    // a cycle
    { name: 'lower: a cycle', args: ['lower', 'cycle/graph.json', '-o', 'l5.json'], cause: /cycle/, absent: ['l5.json'] },
    { name: 'build: a cycle', args: ['build', 'cycle', '--out', 'b6', '--store', 'st'], cause: /cycle/, absent: ['b6'] },
    // once known gaps, now handled
    { name: 'migrate: a cycle', args: ['migrate', 'cycle', '--to', 'g2'], cause: /cycle/, absent: ['g2'] },
    { name: 'view: a cycle', args: ['view', 'cycle', '--no-open'], cause: /cycle/ },
    { name: 'migrate: a file as --to', args: ['migrate', 'conf', '--to', 'afile'], cause: /afile.*not a directory/ },
    { name: 'build: a file as --out', args: ['build', 'conf', '--out', 'afile', '--store', 'st'], cause: /afile.*not a directory/ },
    { name: 'wrap: a file as --out', args: ['wrap', '--out', 'afile', '--', 'true'], cause: /afile.*not a directory/ },
    { name: 'build: an unreadable input directory', args: ['build', 'input-locked', '--out', 'outs/g3', '--store', 'outs/st'], cause: /input-locked.*(EACCES|permission)/i, asUser: process.getuid?.() === 0 ? 65534 : undefined },
  ];
  for (const c of cases) it(c.name, () => expectCleanFailure(c));

  it('build: an unreadable store directory (as an unprivileged user)', async () => {
    const uid = process.getuid?.() ?? 0;
    const asUser = uid === 0 ? 65534 : undefined;
    if (asUser !== undefined) {
      const setpriv = await execa('setpriv', ['--version'], { reject: false });
      expect(setpriv.exitCode, 'setpriv is needed to drop root for this test').toBe(0);
    }
    await expectCleanFailure({
      name: 'locked store', args: ['build', 'conf', '--out', 'outs/b7', '--store', 'store-locked'],
      cause: /store .*store-locked is not usable \(EACCES\)/, absent: ['outs/b7'], asUser,
    });
  });
});

