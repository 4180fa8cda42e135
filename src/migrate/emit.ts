// Targets → Dhall files: one BUILD.dhall per source directory with targets, plus the package of types
// (continuity/package.dhall) and the project (continuity/project.dhall: source root, requirements,
// coeffects). Text comes from the handlebars templates in templates/dhall/; output is deterministic.
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import type { CoeffectsFile } from '../model/coeffects.js';
import type { Coeffect, Triple } from '../model/seed.js';
import { ABIS, ARCHES, CPUS, GPUS, OSES, VENDORS } from '../model/seed.js';
import { type Doc, app, atom, concat, label, layout, list, record, text } from './dhall-text.js';
import type { Arg, Compile, DPath, Step, Target, Tool } from './model.js';
import { gpuNumber, renderTriple } from './model.js';

const TEMPLATES = fileURLToPath(new URL('../../templates/dhall/', import.meta.url));
const template = (name: string): HandlebarsTemplateDelegate =>
  Handlebars.compile(readFileSync(`${TEMPLATES}${name}`, 'utf8'), { noEscape: true, strict: true });

export const PACKAGE_FILE = 'continuity/package.dhall';
export const PROJECT_FILE = 'continuity/project.dhall';
export const BUILD_FILE = 'BUILD.dhall';
/** the build tree's files that configuring made (config.h); the loaded graph's build tree is this directory */
export const CONFIGURED_DIR = 'continuity/configured';

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function packageText(): string {
  return template('package.dhall.hbs')({
    arches: ARCHES, vendors: VENDORS, oses: OSES, abis: ABIS, cpus: CPUS, gpus: GPUS,
    gpuNumbers: GPUS.map((g) => ({ gpu: g, number: gpuNumber(g) })),
  });
}

// ── values ────────────────────────────────────────────────────────────────────────────────────────
export function dPath(p: DPath): Doc {
  switch (p.kind) {
    case 'Src':
      return atom(`C.Path.Src ${text(p.rel)}`);
    case 'Out':
      return atom(`C.Path.Out ${text(p.rel)}`);
    case 'Abs':
      return atom(`C.Path.Abs ${text(p.path)}`);
    case 'Pkg':
      return app('C.Path.Pkg', record([['package', atom(text(p.pkg))], ['path', atom(text(p.rel))]]));
  }
}

const paren = (d: Doc): Doc => (d.t === 'atom' && d.s.includes(' ') ? atom(`(${d.s})`) : d);

export function dTriple(t: Triple): Doc {
  return record([
    ['arch', atom(`C.Arch.${t.arch}`)], ['vendor', atom(`C.Vendor.${t.vendor}`)], ['os', atom(`C.OS.${t.os}`)],
    ['abi', atom(`C.ABI.${t.abi}`)], ['cpu', atom(`C.Cpu.${t.cpu}`)], ['gpu', atom(`C.Gpu.${t.gpu}`)],
  ]);
}

export function dArg(a: Arg, triples: Map<string, string>): Doc {
  switch (a.kind) {
    case 'Lit':
      return atom(`C.Arg.Lit ${text(a.text)}`);
    case 'Path':
      return app('C.Arg.Path', paren(dPath(a.path)));
    case 'Parts':
      return app('C.Arg.Parts', list(a.parts.map((p) => (p.kind === 'Lit' ? atom(`C.Part.Lit ${text(p.text)}`) : app('C.Part.Path', paren(dPath(p.path))))), 'C.Part'));
    case 'Flag': {
      const f = a.flag;
      const v =
        f.kind === 'optLevel' ? `C.Flag.optLevel C.OptLevel.${f.level}`
        : f.kind === 'lto' ? `C.Flag.lto C.LTOMode.${f.mode}`
        : f.kind === 'targetCpu' ? `C.Flag.targetCpu ${text(f.cpu)}`
        : f.kind === 'debug' ? `C.Flag.debug ${f.on ? 'True' : 'False'}`
        : `C.Flag.pic ${f.on ? 'True' : 'False'}`;
      return atom(`C.Arg.Flag (${v})`);
    }
    case 'Define':
      return app('C.Arg.Define', record([['name', atom(text(a.name))], ['value', atom(a.value === null ? 'None Text' : `Some ${text(a.value)}`)]]));
    case 'Include':
      return app('C.Arg.Include', paren(dPath(a.path)));
    case 'Std':
      return atom(`C.Arg.Std ${text(a.std)}`);
    case 'Target':
      return atom(`C.Arg.Target ${triples.get(renderTriple(a.triple)) ?? 'host'}`);
    case 'CudaArch':
      return atom(`C.Arg.CudaArch C.Gpu.${a.gpu}`);
    case 'CudaGencode':
      return atom(`C.Arg.CudaGencode C.Gpu.${a.gpu}`);
    case 'Source':
    case 'Object':
    case 'Objects':
      return atom(`C.Arg.${a.kind}`);
    case 'ObjectWith':
      return atom(`C.Arg.ObjectWith ${text(a.suffix)}`);
  }
}

// ── one BUILD.dhall ───────────────────────────────────────────────────────────────────────────────
interface Binding {
  name: string;
  text: string;
}

class Names {
  private used = new Set<string>(['C']);
  take(want: string): string {
    let base = want.replace(/[^A-Za-z0-9_]/g, '_');
    if (!/^[A-Za-z_]/.test(base)) base = `_${base}`;
    if (label(base) !== base) base = `${base}_`;
    let n = base;
    for (let i = 2; this.used.has(n); i++) n = `${base}_${i}`;
    this.used.add(n);
    return n;
  }
}

const commonPrefix = (xs: string[][]): number => {
  if (xs.length === 0) return 0;
  let n = Math.min(...xs.map((x) => x.length));
  for (let i = 0; i < n; i++) if (!xs.every((x) => x[i] === (xs[0] as string[])[i])) n = i;
  return n;
};

export function buildFileText(dir: string, targets: Target[]): string {
  const names = new Names();
  const bindings: Binding[] = [];
  const bind = (want: string, d: Doc): string => {
    const name = names.take(want);
    bindings.push({ name, text: layout(d, 6) });
    return name;
  };
  const shared = new Map<string, string>(); // flat text → binding name, so equal values are bound once
  const bindShared = (want: string, d: Doc): string => {
    const key = layout(d, 0);
    const have = shared.get(key);
    if (have) return have;
    const name = bind(want, d);
    shared.set(key, name);
    return name;
  };

  // triples and tools
  const allTools = new Map<string, Tool>();
  for (const t of targets) for (const x of [...t.sources.map((s) => s.tool), ...t.steps.map((s) => s.tool)]) allTools.set(`${x.name}\0${x.compiler}`, x);
  const triples = new Map<string, string>();
  const tripleRefs = [...allTools.values()].flatMap((t) => [t.host, t.target]);
  for (const t of targets) for (const s of t.sources) for (const a of s.args) if (a.kind === 'Target') tripleRefs.push(a.triple);
  for (const tr of tripleRefs.sort((a, b) => byText(renderTriple(a), renderTriple(b)))) {
    const k = renderTriple(tr);
    if (!triples.has(k)) triples.set(k, bindShared(k.replace(/-/g, '_'), dTriple(tr)));
  }
  const toolNames = new Map<string, string>();
  for (const [k, t] of [...allTools].sort((a, b) => byText(a[0], b[0]))) {
    const tc = record([
      ['compiler', atom(text(t.compiler))], ['host', atom(triples.get(renderTriple(t.host)) as string)],
      ['target', atom(triples.get(renderTriple(t.target)) as string)], ['flags', list([], 'C.Flag')], ['sysroot', atom('None Text')],
    ]);
    toolNames.set(k, bind(t.name.replace(/\+/g, 'x'), record([['name', atom(text(t.name))], ['toolchain', tc]])));
  }
  const toolRef = (t: Tool): Doc => atom(toolNames.get(`${t.name}\0${t.compiler}`) as string);
  const envRef = (env: [string, string][]): Doc =>
    atom(bindShared('env', env.length === 0 ? atom('[] : C.Env') : app('toMap', record(env.map(([k, v]) => [k, atom(text(v))])))));
  const args = (as: Arg[]): Doc[] => as.map((a) => dArg(a, triples));
  const argKey = (a: Arg): string => layout(dArg(a, triples), 0);

  // the argument tail every compile in this file shares (depfile, -o, -c)
  const allCompiles = targets.flatMap((t) => t.sources);
  const keys = allCompiles.map((c) => c.args.map(argKey));
  const minLen = Math.min(...keys.map((k) => k.length));
  const tailLen = allCompiles.length > 1 ? Math.min(commonPrefix(keys.map((k) => [...k].reverse())), minLen - commonPrefix(keys)) : 0;
  const tailName = tailLen > 1 ? bindShared('compile_tail', list(args((allCompiles[0] as Compile).args.slice(-tailLen)), 'C.Arg')) : null;
  const tail = tailName ? tailLen : 0;

  const targetNames: string[] = [];
  for (const t of targets) {
    // the flags every source of the target shares, bound once
    const heads = t.sources.map((c) => c.args.slice(0, c.args.length - tail));
    const pre = t.sources.length > 0 ? commonPrefix(heads.map((h) => h.map(argKey))) : 0;
    const flagsName = pre > 0 ? bindShared(`${t.name}_flags`, list(args((heads[0] as Arg[]).slice(0, pre)), 'C.Arg')) : null;
    const compileDoc = (c: Compile, i: number): Doc => {
      const own = (heads[i] as Arg[]).slice(pre);
      const parts: Doc[] = [];
      if (flagsName) parts.push(atom(flagsName));
      if (own.length) parts.push(list(args(own), 'C.Arg'));
      if (tailName) parts.push(atom(tailName));
      return record([
        ['source', dPath(c.source)],
        ['object', atom(text(c.object))],
        ['language', atom(`C.Language.${c.language}`)],
        ['tool', toolRef(c.tool)],
        ['cwd', dPath(c.cwd)],
        ['env', envRef(c.env)],
        ['headers', list(c.headers.map(dPath), 'C.Path')],
        ['args', parts.length ? concat(parts) : list([], 'C.Arg')],
      ]);
    };
    const stepDoc = (s: Step): Doc =>
      record([
        ['kind', atom(`C.StepKind.${s.kind}`)],
        ['tool', toolRef(s.tool)],
        ['cwd', dPath(s.cwd)],
        ['env', envRef(s.env)],
        ['args', list(args(s.args), 'C.Arg')],
        ['inputs', list(s.inputs.map(dPath), 'C.Path')],
        ['outputs', list(s.outputs.map(dPath), 'C.Path')],
        ['post', list(s.post.map((p) => list(args(p), 'C.Arg')), 'List C.Arg')],
        ['rule', atom(s.rule === null ? 'None Text' : `Some ${text(s.rule)}`)],
      ]);
    const sources = t.sources.map(compileDoc);
    const steps = t.steps.map(stepDoc);
    targetNames.push(
      bind(
        t.name,
        record([
          ['name', atom(text(t.name))],
          ['kind', atom(`C.TargetKind.${t.kind}`)],
          ['sources', list(sources, 'C.Compile')],
          ['steps', list(steps, 'C.Step')],
        ]),
      ),
    );
  }
  const depth = dir === '' ? 0 : dir.split('/').length;
  const pkgImport = depth === 0 ? `./${PACKAGE_FILE}` : `${'../'.repeat(depth)}${PACKAGE_FILE}`;
  return template('BUILD.dhall.hbs')({
    where: dir === '' ? 'the source root' : dir,
    targets: targets.map((t) => `${t.name} (${t.kind})`).join(', '),
    packageImport: pkgImport,
    bindings,
    result: layout(list(targetNames.map(atom), 'C.Target'), 4),
  });
}

// ── continuity/project.dhall ──────────────────────────────────────────────────────────────────────
function flattenCoeffects(cs: Coeffect[]): Exclude<Coeffect, { kind: 'combined' }>[] {
  return cs.flatMap((c) => (c.kind === 'combined' ? flattenCoeffects(c.coeffects) : [c]));
}

/** Where actions write: a build tree of their own (it starts with CONFIGURED_DIR), or the source root. */
export type BuildTree = 'Separate' | 'InSource';

/** `toProjectPath` writes a path relative to the project root when it lies in the sources or a package. */
export function projectFileText(sourceRoot: string, buildTree: BuildTree, coeffects: CoeffectsFile | null, toProjectPath: (p: string) => string): string {
  const reqs = (coeffects?.packages ?? []).map((p) =>
    record([
      ['package', atom(text(p.name))],
      ['version', atom(p.version === null ? 'None Text' : `Some ${text(p.version)}`)],
      ['components', list(p.components.map((c) => atom(text(c))), 'Text')],
      ['required', atom(p.required ? 'True' : 'False')],
      ['resolution', atom(`C.Resolution.${p.resolution === 'not-found' ? 'notFound' : p.resolution}`)],
      ['root', atom(p.fakeRoot === null ? 'None Text' : `Some ${text(toProjectPath(p.fakeRoot))}`)],
    ]),
  );
  const cos = flattenCoeffects(coeffects?.coeffects ?? []).map((c): Doc => {
    switch (c.kind) {
      case 'pure':
      case 'network':
        return atom(`C.Coeffect.${c.kind}`);
      case 'auth':
        return atom(`C.Coeffect.auth ${text(c.provider)}`);
      case 'sandbox':
        return atom(`C.Coeffect.sandbox ${text(c.name)}`);
      case 'filesystem':
        return atom(`C.Coeffect.filesystem ${text(toProjectPath(c.path))}`);
    }
  });
  return template('project.dhall.hbs')({
    project: layout(
      record([
        ['sourceRoot', atom(text(sourceRoot))],
        ['buildTree', atom(`C.BuildTree.${buildTree}`)],
        ['requirements', list(reqs, 'C.Requirement')],
        ['coeffects', list(cos, 'C.Coeffect')],
      ]),
      6,
    ),
  });
}
