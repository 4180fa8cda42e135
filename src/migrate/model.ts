// The BUILD.dhall values as TypeScript (templates/dhall/package.dhall.hbs defines them in Dhall).
// `renderArg` here must agree with the package's `renderArg`: the emitter uses it to check that a typed
// argument reproduces the confessed text before choosing it over a literal.
import type { Flag, Gpu, Triple } from '../model/seed.js';

export type DPath =
  | { kind: 'Src'; rel: string }
  | { kind: 'Out'; rel: string }
  | { kind: 'Pkg'; pkg: string; rel: string }
  | { kind: 'Abs'; path: string };

export type Part = { kind: 'Lit'; text: string } | { kind: 'Path'; path: DPath };

export type Arg =
  | { kind: 'Lit'; text: string }
  | { kind: 'Path'; path: DPath }
  | { kind: 'Parts'; parts: Part[] }
  | { kind: 'Flag'; flag: Flag }
  | { kind: 'Define'; name: string; value: string | null }
  | { kind: 'Include'; path: DPath }
  | { kind: 'Std'; std: string }
  | { kind: 'Target'; triple: Triple }
  | { kind: 'CudaArch'; gpu: Gpu }
  | { kind: 'CudaGencode'; gpu: Gpu }
  | { kind: 'Source' }
  | { kind: 'Object' }
  | { kind: 'ObjectWith'; suffix: string }
  | { kind: 'Objects' };

export type DLanguage = 'c' | 'cxx' | 'cuda' | 'asm';

export interface Tool {
  name: string;
  compiler: string;
  host: Triple;
  target: Triple;
}

export interface Compile {
  tool: Tool;
  cwd: DPath;
  env: [string, string][];
  language: DLanguage;
  source: DPath;
  /** relative to the build tree */
  object: string;
  headers: DPath[];
  args: Arg[];
}

export type StepKind = 'archive' | 'link' | 'custom';

export interface Step {
  kind: StepKind;
  tool: Tool;
  cwd: DPath;
  env: [string, string][];
  args: Arg[];
  /** inputs besides the target's own objects */
  inputs: DPath[];
  outputs: DPath[];
  post: Arg[][];
  rule: string | null;
}

export type TargetKind = 'StaticLibrary' | 'SharedLibrary' | 'Executable' | 'ObjectSet' | 'CustomCommand';

export interface Target {
  name: string;
  kind: TargetKind;
  /** source directory the target belongs to, relative to the source root ('' for the root) */
  dir: string;
  sources: Compile[];
  steps: Step[];
}

/** A piece of one rendered argument: literal text, or a path under a root the loader resolves. */
export interface Piece {
  root: string;
  text: string;
}

export interface RenderContext {
  source: Piece[];
  object: string;
  objects: string[];
}

export function pieceOf(p: DPath): Piece {
  switch (p.kind) {
    case 'Src':
      return { root: 'src', text: p.rel };
    case 'Out':
      return { root: 'out', text: p.rel };
    case 'Pkg':
      return { root: `pkg:${p.pkg}`, text: p.rel };
    case 'Abs':
      return { root: 'abs', text: p.path };
  }
}

const lit = (text: string): Piece => ({ root: '', text });

export function renderFlag(f: Flag): string {
  switch (f.kind) {
    case 'optLevel':
      return `-${f.level}`;
    case 'lto':
      return f.mode === 'off' ? '-fno-lto' : f.mode === 'thin' ? '-flto=thin' : '-flto';
    case 'targetCpu':
      return `-march=${f.cpu}`;
    case 'debug':
      return f.on ? '-g' : '-g0';
    case 'pic':
      return f.on ? '-fPIC' : '-fno-PIC';
  }
}

export const renderTriple = (t: Triple): string => `${t.arch}-${t.vendor}-${t.os}-${t.abi}`;
export const gpuNumber = (g: Gpu): string => (g === 'none' ? '' : g.slice(3));

/** One Arg → the argv elements it stands for (usually one), as pieces. */
export function renderArg(ctx: RenderContext, a: Arg): Piece[][] {
  switch (a.kind) {
    case 'Lit':
      return [[lit(a.text)]];
    case 'Path':
      return [[pieceOf(a.path)]];
    case 'Parts':
      return [a.parts.map((p) => (p.kind === 'Lit' ? lit(p.text) : pieceOf(p.path)))];
    case 'Flag':
      return [[lit(renderFlag(a.flag))]];
    case 'Define':
      return [[lit(a.value === null ? `-D${a.name}` : `-D${a.name}=${a.value}`)]];
    case 'Include':
      return [[lit('-I'), pieceOf(a.path)]];
    case 'Std':
      return [[lit(`-std=${a.std}`)]];
    case 'Target':
      return [[lit(`--target=${renderTriple(a.triple)}`)]];
    case 'CudaArch':
      return [[lit(`-arch=sm_${gpuNumber(a.gpu)}`)]];
    case 'CudaGencode': {
      const n = gpuNumber(a.gpu);
      return [[lit(`--generate-code=arch=compute_${n},code=[compute_${n},sm_${n}]`)]];
    }
    case 'Source':
      return [ctx.source];
    case 'Object':
      return [[lit(ctx.object)]];
    case 'ObjectWith':
      return [[lit(`${ctx.object}${a.suffix}`)]];
    case 'Objects':
      return ctx.objects.map((o) => [lit(o)]);
  }
}
