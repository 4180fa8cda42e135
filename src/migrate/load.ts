// BUILD.dhall files → a graph of the same shape as a confessed graph.json, so the lowering and the
// hermetic executor run it unchanged. Each file is evaluated by dhall-to-json through the package's
// `render`; errors name the file and the problem (Dhall error, missing source, cycle between targets).
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { dirname, join, posix, relative, resolve } from 'node:path';
import type { ActionCategory, ActionNode, FileNode, FileRole, Language, SerializedGraph } from '../model/graph.js';
import { type Result, UserError, ok, err } from '../model/result.js';
import { type DhallFailure, dhallToJson, importOf } from './dhall.js';
import { BUILD_FILE, CONFIGURED_DIR, PACKAGE_FILE, PROJECT_FILE } from './emit.js';
import type { Piece } from './model.js';
import { type Roots, UnknownPackageError, resolvePiece } from './paths.js';


interface RenderedAction {
  category: string;
  language: string | null;
  tool: string;
  real: string;
  cwd: Piece;
  args: Piece[][];
  env: { mapKey: string; mapValue: string }[];
  inputs: Piece[];
  deps: Piece[];
  outputs: Piece[];
  post: Piece[][][];
  rule: string | null;
}
interface RenderedTarget {
  name: string;
  kind: string;
  actions: RenderedAction[];
}
interface ProjectJson {
  sourceRoot: string;
  buildTree: string;
  requirements: { package: string; root?: string | null }[];
}

interface LoadedAction {
  file: string;
  target: string;
  node: ActionNode;
  kind: string;
}

const describe = (file: string, f: DhallFailure): string => {
  const what = f.kind === 'syntax' ? 'Dhall syntax error' : f.kind === 'type' ? 'Dhall type error' : f.kind === 'import' ? 'Dhall import error' : 'cannot evaluate';
  return `${file}: ${what}: ${f.message}${f.location ? ` (${f.location})` : ''}`;
};

async function findRoot(start: string): Promise<string | null> {
  for (let d = start; ; d = dirname(d)) {
    if (existsSync(join(d, PROJECT_FILE))) return d;
    if (dirname(d) === d) return null;
  }
}

async function buildFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    const entries = await readdir(d, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.isDirectory()) {
        if (e.name.startsWith('.') || e.name === 'node_modules' || (d === dir && e.name === 'continuity')) continue;
        await walk(join(d, e.name));
      } else if (e.name === BUILD_FILE) out.push(join(d, e.name));
    }
  };
  await walk(dir);
  return out;
}

const LANGS: readonly string[] = ['c', 'c++', 'cuda', 'asm'];
const CATEGORIES: readonly string[] = ['compile', 'archive', 'link', 'custom'];

/** BUILD.dhall (a file, or a directory searched recursively) → a graph. Targets of other files of the
 * project are included when the selected ones need their outputs. */
export async function loadDhallBuild(path: string): Promise<Result<SerializedGraph, string>> {
  const abs = resolve(path);
  let isDir: boolean;
  try {
    isDir = (await stat(abs)).isDirectory();
  } catch {
    return err(`${path}: no such file or directory`);
  }
  const root = await findRoot(isDir ? abs : dirname(abs));
  if (!root) return err(`${path}: no ${PROJECT_FILE} in this directory or above it (continuity migrate writes one)`);

  const projectPath = join(root, PROJECT_FILE);
  const proj = await dhallToJson(importOf(projectPath), root);
  if (!proj.ok) return err(describe(projectPath, proj.error));
  const project = proj.value as ProjectJson;
  if (typeof project?.sourceRoot !== 'string' || !['Separate', 'InSource'].includes(project.buildTree)) return err(`${projectPath}: not a C.Project`);
  const srcdir = resolve(root, project.sourceRoot);
  // a separate build tree starts with what configuring made; an in-source build's tree is the sources'.
  // Either way actions' outputs land under `continuity build --out`.
  const builddir = project.buildTree === 'InSource' ? srcdir : join(root, CONFIGURED_DIR);
  const packages = new Map<string, string>();
  for (const r of project.requirements ?? []) if (typeof r.root === 'string') packages.set(r.package, resolve(root, r.root));
  const roots: Roots = { srcdir, builddir, packages };

  const files = await buildFiles(root);
  const selected = new Set(isDir ? files.filter((f) => f === abs || f.startsWith(`${abs}/`)) : [abs]);
  if (!isDir && !files.includes(abs)) files.push(abs);
  if (selected.size === 0) return err(`${path}: no ${BUILD_FILE} here`);

  const pkg = importOf(join(root, PACKAGE_FILE));
  const evaluated = await Promise.all(
    files.map(async (f) => ({ f, r: await dhallToJson(`(${pkg}).render (${importOf(f)})`, dirname(f)) })),
  );
  const actions: LoadedAction[] = [];
  for (const { f, r } of evaluated) {
    if (!r.ok) return err(describe(f, r.error));
    const fileDir = resolve(srcdir, relative(root, dirname(f)));
    const at = (p: Piece): string => resolvePiece(p, roots, fileDir);
    try {
      for (const t of r.value as RenderedTarget[]) {
        for (const a of t.actions) {
          if (!CATEGORIES.includes(a.category)) return err(`${f}: target ${t.name}: unknown step category ${a.category}`);
          const node: ActionNode = {
            type: 'action',
            category: a.category as ActionCategory,
            language: a.language !== null && LANGS.includes(a.language) ? (a.language as Language) : null,
            tool: a.tool,
            real: a.real,
            cwd: at(a.cwd),
            args: [a.real, ...a.args.map((pieces) => pieces.map(at).join(''))],
            env: Object.fromEntries(a.env.map((e) => [e.mapKey, e.mapValue])),
            inputs: a.inputs.map(at),
            deps: a.deps.map(at),
            outputs: a.outputs.map(at),
            rid: null,
            exit: 0,
          };
          if (a.post.length) node.post = a.post.map((cmd) => cmd.map((pieces) => pieces.map(at).join('')));
          if (a.rule !== null && a.rule !== undefined) node.rule = a.rule;
          actions.push({ file: f, target: t.name, node, kind: t.kind });
        }
      }
    } catch (e: unknown) {
      if (e instanceof UnknownPackageError) return err(`${f}: ${e.message}`);
      throw e;
    }
  }

  // every output made once; targets identified by file and name
  const tid = (a: { file: string; target: string }): string => `${a.file}\0${a.target}`;
  const show = (id: string): string => {
    const [f, name] = id.split('\0') as [string, string];
    return `${name} (${relative(root, f)})`;
  };
  const producer = new Map<string, LoadedAction>();
  for (const a of actions) {
    for (const o of a.node.outputs) {
      const other = producer.get(o);
      if (other && other !== a && tid(other) !== tid(a)) return err(`${a.file}: target ${a.target}: output ${o} is also made by target ${show(tid(other))}`);
      producer.set(o, a);
    }
  }
  for (const a of actions) {
    for (const p of [...a.node.inputs, ...a.node.deps]) {
      if (producer.has(p) || existsSync(p)) continue;
      const shown = p.startsWith(`${srcdir}/`) ? posix.relative(srcdir, p) : p;
      return err(`${a.file}: target ${a.target}: source ${shown} does not exist and no target makes it`);
    }
  }

  // the target graph must be acyclic
  const edges = new Map<string, Set<string>>();
  for (const a of actions) {
    const me = tid(a);
    if (!edges.has(me)) edges.set(me, new Set());
    for (const p of [...a.node.inputs, ...a.node.deps]) {
      const from = producer.get(p);
      if (from && tid(from) !== me) (edges.get(me) as Set<string>).add(tid(from));
    }
  }
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const visit = (n: string): string[] | null => {
    state.set(n, 1);
    stack.push(n);
    for (const m of [...(edges.get(n) ?? [])].sort()) {
      if (state.get(m) === 1) return [...stack.slice(stack.indexOf(m)), m];
      if (!state.has(m)) {
        const c = visit(m);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(n, 2);
    return null;
  };
  for (const n of [...edges.keys()].sort()) {
    if (state.has(n)) continue;
    const cycle = visit(n);
    if (cycle) {
      const file = (cycle[0] as string).split('\0')[0] as string;
      return err(`${file}: dependency cycle between targets: ${cycle.map(show).join(' → ')}`);
    }
  }

  // the selected files' targets and every target they need
  const keep = new Set<string>();
  const want = [...new Set(actions.filter((a) => selected.has(a.file)).map(tid))];
  while (want.length) {
    const n = want.pop() as string;
    if (keep.has(n)) continue;
    keep.add(n);
    want.push(...(edges.get(n) ?? []));
  }
  return ok(toGraph(actions.filter((a) => keep.has(tid(a))), srcdir, builddir));
}

function toGraph(actions: LoadedAction[], srcdir: string, builddir: string): SerializedGraph {
  const files = new Map<string, FileNode>();
  const role = (p: string, r: FileRole): void => {
    if (!files.has(p)) files.set(p, { type: 'file', path: p, role: r });
  };
  const outRole = (a: LoadedAction): FileRole => {
    switch (a.node.category) {
      case 'compile':
        return 'object';
      case 'archive':
        return 'archive';
      case 'link':
        return a.kind === 'SharedLibrary' ? 'shared' : 'executable';
      case 'custom':
        return 'generated';
    }
  };
  for (const a of actions) for (const o of a.node.outputs) role(o, outRole(a));
  for (const a of actions) {
    for (const i of a.node.inputs) role(i, a.node.category === 'compile' ? 'source' : 'other');
    for (const d of a.node.deps) role(d, 'header');
  }
  const nodes: SerializedGraph['nodes'] = [...files.values()].map((f) => ({ key: `file:${f.path}`, attributes: f }));
  const edges: SerializedGraph['edges'] = [];
  actions.forEach((a, i) => {
    const key = `action:${i}`;
    nodes.push({ key, attributes: a.node });
    for (const p of new Set([...a.node.inputs, ...a.node.deps])) edges.push({ source: `file:${p}`, target: key });
    for (const o of a.node.outputs) edges.push({ source: key, target: `file:${o}` });
  });
  return {
    attributes: { version: 1, complete: true, system: 'wrap', mode: 'confess', srcdir, builddir, created: new Date(0).toISOString(), errors: [] },
    options: { type: 'directed', multi: false, allowSelfLoops: false },
    nodes,
    edges,
  };
}

/** `loadDhallBuild` for callers that report failures as UserErrors (the `build` command). */
export async function loadBuildDhall(path: string): Promise<SerializedGraph> {
  const r = await loadDhallBuild(path);
  if (!r.ok) throw new UserError(r.error);
  return r.value;
}
