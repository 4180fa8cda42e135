// Shared steps of the migrate tests: a project copied to a temporary tree, confessed, migrated into its
// own source tree (where BUILD.dhall files live), and graphs compared modulo where the trees are.
import { execa } from 'execa';
import { cp, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BASE_CLOSURE, inClosure } from '../../src/lower/closure.js';
import type { ActionNode, SerializedGraph } from '../../src/model/graph.js';
import { CLI, REPO, confess } from '../helpers/real-cmake.js';

export const FIXTURES = ['c-static-exe', 'c-shared-pic', 'cxx-subdirs', 'find-packages', 'custom-header', 'cuda', 'flags-and-spaces'];

export interface Prepared {
  name: string;
  root: string;
  src: string;
  confessDir: string;
  graph: SerializedGraph;
}

/** Fixtures built by make (autotools-tiny after its ./configure) rather than CMake. */
export const MAKE_FIXTURES = ['make-codegen', 'make-recursive', 'autotools-tiny'];

export async function sourceOf(name: string): Promise<string> {
  if (FIXTURES.includes(name) || MAKE_FIXTURES.includes(name)) return join(REPO, 'fixtures', name);
  const r = await execa('bash', [join(REPO, 'scripts', 'fetch-sources.sh'), name], { stdin: 'ignore' });
  return r.stdout.trim().split('\n').pop() as string;
}

/** Projects built by `make` in their own source tree, and whether `./configure` runs first. */
export const MAKE_PROJECTS: Readonly<Record<string, { configure: boolean }>> = {
  zlib: { configure: true },
  bzip2: { configure: false },
  'make-codegen': { configure: false },
  'make-recursive': { configure: false },
  'autotools-tiny': { configure: true },
};

/** `continuity wrap --out <confessDir> -- make -j2` in the tree (after `./configure` when the project has one). */
async function wrapMake(name: string, src: string, confessDir: string): Promise<void> {
  if (MAKE_PROJECTS[name]?.configure) await execa('./configure', [], { cwd: src, stdin: 'ignore' });
  const r = await execa('node', [CLI, 'wrap', '--out', confessDir, '--quiet', '--', 'make', '-j2'], { cwd: src, reject: false, stdin: 'ignore', all: true });
  if (r.exitCode !== 0) throw new Error(`wrap make (${name}) failed: ${r.all}`);
}

/** `<tmp>/src` (a copy of the project) confessed into `<tmp>/confess`: CMake projects by `confess cmake`,
 *  make projects (MAKE_PROJECTS) by wrapping `make` in the copy, which is then both source and build tree. */
export async function prepare(name: string, cmakeArgs: string[] = []): Promise<Prepared> {
  const root = await mkdtemp(join(tmpdir(), `continuity-migrate-${name}-`));
  const src = join(root, 'src');
  await cp(await sourceOf(name), src, { recursive: true });
  const confessDir = join(root, 'confess');
  if (name in MAKE_PROJECTS) await wrapMake(name, src, confessDir);
  else {
    const r = await confess(src, confessDir, cmakeArgs);
    if (r.exitCode !== 0) throw new Error(`confess ${name} failed: ${r.all}`);
  }
  const graph = JSON.parse(await readFile(join(confessDir, 'graph.json'), 'utf8')) as SerializedGraph;
  return { name, root, src, confessDir, graph };
}

export interface ComparableAction {
  category: string;
  real: string;
  cwd: string;
  args: string[];
  env: Record<string, string>;
  inputs: string[];
  deps: string[];
  outputs: string[];
  post: string[][];
}

/** Actions keyed by their outputs, with the trees replaced by <SRC> and <BUILD> and toolchain headers left out. */
export function comparable(g: SerializedGraph): Map<string, ComparableAction> {
  const { srcdir, builddir } = g.attributes;
  const pairs: [string, string][] = ([[builddir, '<BUILD>'], [srcdir, '<SRC>']] as [string, string][]).sort((a, b) => b[0].length - a[0].length);
  const rel = (s: string): string => pairs.reduce((acc, [from, to]) => acc.split(from).join(to), s);
  const inTree = (p: string): boolean => pairs.some(([r]) => p === r || p.startsWith(`${r}/`));
  const keep = (p: string): boolean => inTree(p) || !inClosure(p, BASE_CLOSURE);
  const out = new Map<string, ComparableAction>();
  for (const n of g.nodes) {
    if (n.attributes.type !== 'action') continue;
    const a = n.attributes as ActionNode;
    const deps = [...new Set(a.deps.filter(keep))];
    const inputs = a.category === 'compile' ? a.inputs : [...new Set([...a.inputs, ...deps])];
    const c: ComparableAction = {
      category: a.category,
      real: a.real,
      cwd: rel(a.cwd),
      args: a.args.slice(1).map(rel),
      env: a.env,
      inputs: inputs.map(rel).sort(),
      deps: a.category === 'compile' ? deps.filter((d) => !a.inputs.includes(d)).map(rel).sort() : [],
      outputs: a.outputs.map(rel).sort(),
      post: (a.post ?? []).map((cmd) => [(cmd[0] ?? '').split('/').pop() as string, ...cmd.slice(1).map(rel)]),
    };
    out.set(c.outputs.join('\n'), c);
  }
  return out;
}
