// Shared by the wrap, autotools and check end-to-end tests: real project sources, pristine copies,
// Debian's `bear` as the baseline, and compile steps normalised so that bear's and ours compare.
import { execa } from 'execa';
import { readFile, realpath } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { REPO, CLI, isToken } from '../helpers/real-cmake.js';
import { shellWords } from '../helpers/shell-words.js';
import type { SerializedGraph } from '../../src/model/graph.js';

export { REPO, CLI, isToken };

export async function fetchSource(name: string): Promise<string> {
  const r = await execa('bash', [join(REPO, 'scripts', 'fetch-sources.sh'), name], { stdin: 'ignore' });
  return r.stdout.trim().split('\n').pop() as string;
}

/** A copy with timestamps kept (make must see the tree as it was). */
export async function copyTree(from: string, to: string): Promise<void> {
  await execa('cp', ['-a', from, to]);
}

export async function continuity(args: string[], cwd: string) {
  return execa('node', [CLI, ...args], { cwd, reject: false, all: true, stdin: 'ignore' });
}

interface Entry {
  directory: string;
  file: string;
  arguments?: string[];
  command?: string;
  output?: string;
}

const resolved = new Map<string, string>();
async function compilerPath(a0: string): Promise<string> {
  const hit = resolved.get(a0);
  if (hit) return hit;
  let p = a0;
  if (!a0.includes('/')) {
    const w = await execa('bash', ['-c', `command -v -- "$1"`, 'sh', a0], { reject: false });
    p = w.stdout.trim() || a0;
  }
  const r = await realpath(p).catch(() => p);
  resolved.set(a0, r);
  return r;
}

/**
 * Compile steps, normalised: file, directory, output (absolute), the compiler resolved to its real path,
 * and the flags without -c, -o and the source (bear moves those to the end). `roots` are replaced by
 * their names, so that two trees at different places compare.
 */
export async function normalizedSteps(compdb: string, roots: Record<string, string>): Promise<string[]> {
  const entries = JSON.parse(await readFile(compdb, 'utf8')) as Entry[];
  const fix = (s: string): string => {
    let t = s;
    for (const [name, root] of Object.entries(roots).sort((a, b) => b[1].length - a[1].length)) t = t.split(root).join(name);
    return t;
  };
  const out: string[] = [];
  for (const e of entries) {
    const argv = e.arguments ?? shellWords(e.command ?? '');
    const file = resolve(e.directory, e.file);
    const flags: string[] = [];
    let output = e.output ?? null;
    for (let i = 1; i < argv.length; i++) {
      const a = argv[i] as string;
      if (a === '-c') continue;
      if (a === '-o') {
        output = argv[++i] ?? null;
        continue;
      }
      if (a.startsWith('-o') && a.length > 2) {
        output = a.slice(2);
        continue;
      }
      // bear leaves out the dependency-file flags; so does the comparison
      if (a === '-MF' || a === '-MT' || a === '-MQ') {
        i++;
        continue;
      }
      if (/^-M(D|MD|P|G)$/.test(a) || /^-M[FTQ]./.test(a)) continue;
      // bear leaves out the link mode of a call that compiles and links (cc -shared x.c -o libx.so)
      if (a === '-shared') continue;
      if (resolve(e.directory, a) === file) continue;
      flags.push(fix(a));
    }
    out.push(JSON.stringify({
      file: fix(file), directory: fix(e.directory), output: output ? fix(resolve(e.directory, output)) : null,
      compiler: await compilerPath(argv[0] as string), flags,
    }));
  }
  return out.sort();
}

/** `bear -- <command>` in `cwd`: its compilation database. */
export async function bear(cwd: string, command: string[], output: string): Promise<void> {
  const r = await execa('bear', ['--output', output, '--', ...command], { cwd, reject: false, all: true, stdin: 'ignore' });
  if (r.exitCode !== 0) throw new Error(`bear -- ${command.join(' ')} failed in ${cwd}:\n${r.all}`);
}

export async function readGraph(file: string): Promise<SerializedGraph> {
  return JSON.parse(await readFile(file, 'utf8')) as SerializedGraph;
}

/** Outputs of compile, archive and link actions that are not tokens (confess mode must compile nothing). */
export async function nonTokenOutputs(g: SerializedGraph): Promise<string[]> {
  const bad: string[] = [];
  for (const n of g.nodes) {
    const a = n.attributes;
    if (a.type !== 'action' || a.category === 'custom') continue;
    for (const o of a.outputs) {
      const tok = await isToken(o).catch(() => true); // deleted by the build itself: not ours to judge
      if (!tok) bad.push(o);
    }
  }
  return bad;
}

/** The steps only one side has (a few of each, shortened), for a failure message that can be read. */
export function stepDiff(expected: string[], actual: string[]): { missing: string[]; extra: string[]; counts: [number, number] } {
  const e = new Set(expected);
  const a = new Set(actual);
  const short = (x: string): string => (x.length > 400 ? `${x.slice(0, 150)} … ${x.slice(-250)}` : x);
  return {
    missing: expected.filter((x) => !a.has(x)).slice(0, 3).map(short),
    extra: actual.filter((x) => !e.has(x)).slice(0, 3).map(short),
    counts: [expected.length, actual.length],
  };
}
