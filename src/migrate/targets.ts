// graph.json → targets: objects archived into a library or linked into a program become that target's
// sources, objects used by several products (or none) become object sets, custom steps become custom
// command targets. Every argument is typed where a type reproduces it (src/migrate/args.ts).
import { posix } from 'node:path';
import type { ActionNode, SerializedGraph } from '../model/graph.js';
import { type Result, ok, err } from '../model/result.js';
import { BASE_CLOSURE, inClosure } from '../lower/closure.js';
import { hostMachine, probeTool } from '../lower/tool-probe.js';
import { parseTripleString } from '../lower/triple.js';
import { type ArgContext, typeArg, withObjectsPlaceholder } from './args.js';
import type { Compile, DLanguage, DPath, Step, StepKind, Target, TargetKind, Tool } from './model.js';
import { type Roots, inSource, typePath } from './paths.js';

interface Act {
  key: string;
  n: ActionNode;
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const inside = (p: string, root: string): boolean => p === root || p.startsWith(`${root}/`);

function languageOf(n: ActionNode): DLanguage {
  const l = n.language ?? null;
  if (l === 'c++') return 'cxx';
  if (l === 'cuda' || l === 'asm' || l === 'c') return l;
  const e = posix.extname(n.inputs[0] ?? '');
  if (e === '.cu') return 'cuda';
  if (['.cc', '.cpp', '.cxx', '.c++', '.C'].includes(e)) return 'cxx';
  if (['.s', '.S', '.sx'].includes(e)) return 'asm';
  return 'c';
}

function productKind(n: ActionNode): TargetKind {
  if (n.category === 'archive') return 'StaticLibrary';
  const shared = n.args.includes('-shared') || n.args.includes('--shared') || n.outputs.some((o) => /\.so(\.[0-9.]+)?$|\.dylib$/.test(o));
  return shared ? 'SharedLibrary' : 'Executable';
}

/** `libgreet.a` → greet, `libshape.so.1.2.3` → shape, `hello` → hello. */
function productName(output: string): string {
  const base = posix.basename(output);
  const m = /^lib(.+?)\.(?:a|so(?:\.[0-9.]+)?|dylib)$/.exec(base);
  return (m?.[1] ?? base).replace(/\.(exe|out)$/, '');
}

async function toolOf(cache: Map<string, Promise<Tool>>, name: string, real: string): Promise<Tool> {
  const k = `${name}\0${real}`;
  let t = cache.get(k);
  if (!t) {
    t = probeTool(real).then((id) => {
      const machine = (id.ok ? id.value.machine : null) ?? hostMachine();
      const triple = parseTripleString(machine).triple;
      return { name, compiler: real, host: triple, target: triple };
    });
    cache.set(k, t);
  }
  return t;
}

/** The deepest directory (relative to srcdir) holding every source path given; '' for the root. */
function commonDir(paths: string[], srcdir: string, isSource: (p: string) => boolean): string {
  const dirs = paths.filter(isSource).map((p) => posix.relative(srcdir, posix.dirname(p)));
  if (dirs.length === 0) return '';
  let common = (dirs[0] as string).split('/').filter(Boolean);
  for (const d of dirs.slice(1)) {
    const parts = d.split('/').filter(Boolean);
    let i = 0;
    while (i < common.length && i < parts.length && common[i] === parts[i]) i++;
    common = common.slice(0, i);
  }
  return common.join('/');
}

export async function recoverTargets(graph: SerializedGraph, roots: Roots): Promise<Result<Target[], string>> {
  const { srcdir, builddir } = roots;
  // a file of the source tree no action makes (in one tree for both, the graph is what tells them apart)
  const isSource = (p: string): boolean =>
    inside(p, srcdir) && (inSource(roots) ? !(roots.made?.has(p) ?? false) : !inside(p, builddir));
  const acts: Act[] = graph.nodes.filter((n) => n.attributes.type === 'action').map((n) => ({ key: n.key, n: n.attributes as ActionNode }));
  const tools = new Map<string, Promise<Tool>>();
  const compiles = acts.filter((a) => a.n.category === 'compile' && a.n.outputs.length === 1 && a.n.inputs.length === 1);
  const products = acts.filter((a) => a.n.category === 'archive' || a.n.category === 'link');
  const others = acts.filter((a) => !compiles.includes(a) && !products.includes(a));

  // each compile belongs to the one product that consumes its object; the rest form object sets
  const owner = new Map<string, Act>();
  const orphans: Act[] = [];
  for (const c of compiles) {
    const obj = c.n.outputs[0] as string;
    const users = products.filter((p) => p.n.inputs.includes(obj));
    if (users.length === 1) owner.set(c.key, users[0] as Act);
    else orphans.push(c);
  }

  const groups: { kind: TargetKind; name: string; compiles: Act[]; steps: Act[] }[] = [];
  for (const p of products) {
    const mine = compiles.filter((c) => owner.get(c.key) === p);
    // in the order the product names its objects
    const pos = (c: Act): number => p.n.inputs.indexOf(c.n.outputs[0] as string);
    mine.sort((x, y) => pos(x) - pos(y));
    groups.push({ kind: productKind(p.n), name: productName(p.n.outputs[0] ?? p.key), compiles: mine, steps: [p] });
  }
  const sets = new Map<string, Act[]>();
  orphans.sort((a, b) => byText(a.n.outputs[0] as string, b.n.outputs[0] as string));
  for (const c of orphans) {
    const obj = posix.relative(builddir, c.n.outputs[0] as string);
    const m = /(?:^|\/)CMakeFiles\/([^/]+)\.dir\//.exec(obj);
    const name = m ? (m[1] as string) : 'objects';
    sets.set(name, [...(sets.get(name) ?? []), c]);
  }
  for (const [name, cs] of [...sets].sort((a, b) => byText(a[0], b[0]))) groups.push({ kind: 'ObjectSet', name, compiles: cs, steps: [] });
  for (const o of others) {
    const first = o.n.outputs[0] ?? o.key;
    groups.push({ kind: 'CustomCommand', name: posix.basename(first), compiles: [], steps: [o] });
  }

  // unique, Dhall-friendly names, in a stable order
  groups.sort((a, b) => byText(a.name, b.name) || byText(a.steps[0]?.n.outputs[0] ?? '', b.steps[0]?.n.outputs[0] ?? ''));
  const used = new Set<string>();
  const targets: Target[] = [];
  for (const g of groups) {
    let name = g.name.replace(/[^A-Za-z0-9_]/g, '_').replace(/^([0-9])/, '_$1') || 'target';
    for (let i = 2; used.has(name); i++) name = `${name.replace(/_[0-9]+$/, '')}_${i}`;
    used.add(name);
    const dir = commonDir(
      g.compiles.length ? g.compiles.map((c) => c.n.inputs[0] as string) : g.steps.flatMap((s) => s.n.inputs),
      srcdir,
      isSource,
    );
    const fileDir = dir ? posix.join(srcdir, dir) : srcdir;
    const typed = (p: string, what: string): Result<DPath, string> => {
      const t = typePath(p, roots, fileDir);
      return t ? ok(t) : err(`target ${name}: ${what} ${JSON.stringify(p)} is not a normalized absolute path`);
    };
    const cwdOf = (n: ActionNode): Result<DPath, string> => typed(n.cwd, 'working directory');
    const envOf = (n: ActionNode): [string, string][] => Object.entries(n.env ?? {}).sort((a, b) => byText(a[0], b[0]));

    const sources: Compile[] = [];
    for (const c of g.compiles) {
      const src = c.n.inputs[0] as string;
      const objAbs = c.n.outputs[0] as string;
      if (!inside(objAbs, builddir)) return err(`target ${name}: object ${objAbs} lies outside the build tree`);
      const object = posix.relative(builddir, objAbs);
      const source = typed(src, 'source');
      const cwd = cwdOf(c.n);
      if (!source.ok) return source;
      if (!cwd.ok) return cwd;
      const headers: DPath[] = [];
      for (const d of [...new Set(c.n.deps ?? [])]) {
        if (d === src || (!inside(d, srcdir) && !inside(d, builddir) && inClosure(d, BASE_CLOSURE))) continue;
        const h = typed(d, 'header');
        if (!h.ok) return h;
        headers.push(h.value);
      }
      const ctx: ArgContext = { roots, fileDir, source: src, object };
      sources.push({
        tool: await toolOf(tools, c.n.tool, c.n.real || (c.n.args[0] as string)),
        cwd: cwd.value,
        env: envOf(c.n),
        language: languageOf(c.n),
        source: source.value,
        object,
        headers,
        args: c.n.args.slice(1).map((a) => typeArg(a, ctx)),
      });
    }
    const objects = sources.map((s) => s.object);
    const objectPaths = new Set(g.compiles.map((c) => c.n.outputs[0] as string));
    const steps: Step[] = [];
    for (const s of g.steps) {
      const ctx: ArgContext = { roots, fileDir };
      const cwd = cwdOf(s.n);
      if (!cwd.ok) return cwd;
      const inputs: DPath[] = [];
      for (const i of [...s.n.inputs, ...(s.n.deps ?? [])]) {
        if (objectPaths.has(i) || (!inside(i, srcdir) && !inside(i, builddir) && inClosure(i, BASE_CLOSURE) && !s.n.inputs.includes(i))) continue;
        const t = typed(i, 'input');
        if (!t.ok) return t;
        inputs.push(t.value);
      }
      const outputs: DPath[] = [];
      for (const o of s.n.outputs) {
        const t = typed(o, 'output');
        if (!t.ok) return t;
        outputs.push(t.value);
      }
      const args = s.n.args.slice(1).map((a) => typeArg(a, ctx));
      const kind: StepKind = s.n.category === 'archive' ? 'archive' : s.n.category === 'link' ? 'link' : 'custom';
      steps.push({
        kind,
        tool: await toolOf(tools, s.n.tool, s.n.real || (s.n.args[0] as string)),
        cwd: cwd.value,
        env: envOf(s.n),
        args: s.n.cwd === builddir ? withObjectsPlaceholder(args, objects) : args,
        inputs: [...new Map(inputs.map((p) => [JSON.stringify(p), p])).values()],
        outputs,
        post: (s.n.post ?? []).map((cmd) => [{ kind: 'Lit' as const, text: posix.basename(cmd[0] ?? '') }, ...cmd.slice(1).map((a) => typeArg(a, ctx))]),
        rule: s.n.rule ?? null,
      });
    }
    targets.push({ name, kind: g.kind, dir, sources, steps });
  }
  return ok(targets);
}
