// One confessed argument → a typed Arg (an opt level, a define, an include directory, a path...) when
// rendering the typed value gives back exactly the confessed text; a literal otherwise.
import type { Flag, Gpu } from '../model/seed.js';
import { GPUS } from '../model/seed.js';
import { parseTripleString } from '../lower/triple.js';
import { type Arg, type Part, type RenderContext, renderArg } from './model.js';
import { type Roots, embeddedPathRe, resolvePiece, typePath } from './paths.js';

export interface ArgContext {
  roots: Roots;
  fileDir: string;
  /** the compile's source (absolute) and object (relative to the build tree), for placeholders */
  source?: string;
  object?: string;
}

const OBJECT_SUFFIXES = ['.d'];

function typedFlag(arg: string): Flag | null {
  let m = /^-O([0-3sz])$/.exec(arg);
  if (m) return { kind: 'optLevel', level: `O${m[1]}` as 'O0' };
  if (arg === '-flto') return { kind: 'lto', mode: 'fat' };
  if (arg === '-flto=thin') return { kind: 'lto', mode: 'thin' };
  if (arg === '-fno-lto') return { kind: 'lto', mode: 'off' };
  if (arg === '-g' || arg === '-g0') return { kind: 'debug', on: arg === '-g' };
  if (arg === '-fPIC' || arg === '-fno-PIC') return { kind: 'pic', on: arg === '-fPIC' };
  m = /^-march=(.+)$/.exec(arg);
  if (m) return { kind: 'targetCpu', cpu: m[1] as string };
  return null;
}

const gpuOf = (n: string): Gpu | null => {
  const g = `sm_${n}`;
  return g !== 'none' && (GPUS as readonly string[]).includes(g) ? (g as Gpu) : null;
};

function candidates(arg: string, ctx: ArgContext): Arg[] {
  const out: Arg[] = [];
  if (ctx.source !== undefined && arg === ctx.source) out.push({ kind: 'Source' });
  if (ctx.object !== undefined) {
    if (arg === ctx.object) out.push({ kind: 'Object' });
    for (const s of OBJECT_SUFFIXES) if (arg === ctx.object + s) out.push({ kind: 'ObjectWith', suffix: s });
  }
  const flag = typedFlag(arg);
  if (flag) out.push({ kind: 'Flag', flag });
  let m = /^-D([A-Za-z_][A-Za-z0-9_]*)(?:=([\s\S]*))?$/.exec(arg);
  if (m) out.push({ kind: 'Define', name: m[1] as string, value: m[2] ?? null });
  m = /^-std=(.+)$/.exec(arg);
  if (m) out.push({ kind: 'Std', std: m[1] as string });
  m = /^--target=(.+)$/.exec(arg);
  if (m) {
    const t = parseTripleString(m[1] as string);
    if (t.other.length === 0) out.push({ kind: 'Target', triple: t.triple });
  }
  m = /^-arch=sm_([0-9]+a?)$/.exec(arg);
  const g1 = m ? gpuOf(m[1] as string) : null;
  if (g1) out.push({ kind: 'CudaArch', gpu: g1 });
  m = /^--generate-code=arch=compute_([0-9]+a?),/.exec(arg);
  const g2 = m ? gpuOf(m[1] as string) : null;
  if (g2) out.push({ kind: 'CudaGencode', gpu: g2 });
  m = /^-I(\/.*)$/.exec(arg);
  if (m) {
    const p = typePath(m[1] as string, ctx.roots, ctx.fileDir);
    if (p) out.push({ kind: 'Include', path: p });
  }
  if (arg.startsWith('/')) {
    const p = typePath(arg, ctx.roots, ctx.fileDir);
    if (p) out.push({ kind: 'Path', path: p });
  }
  const parts = embeddedParts(arg, ctx);
  if (parts) out.push({ kind: 'Parts', parts });
  return out;
}

/** Splits an argument around the tree paths inside it; null when it holds none. */
function embeddedParts(arg: string, ctx: ArgContext): Part[] | null {
  const re = embeddedPathRe(ctx.roots);
  if (!re) return null;
  const parts: Part[] = [];
  let last = 0;
  for (const m of arg.matchAll(re)) {
    const p = typePath(m[0], ctx.roots, ctx.fileDir);
    if (!p) continue;
    if (m.index > last) parts.push({ kind: 'Lit', text: arg.slice(last, m.index) });
    parts.push({ kind: 'Path', path: p });
    last = m.index + m[0].length;
  }
  if (parts.length === 0) return null;
  if (last < arg.length) parts.push({ kind: 'Lit', text: arg.slice(last) });
  return parts;
}

/** The rendering of `a` on this machine, as argv elements. */
export function renderedText(a: Arg, ctx: ArgContext, objects: string[] = []): string[] {
  const rc: RenderContext = {
    source: ctx.source !== undefined ? [{ root: 'abs', text: ctx.source }] : [],
    object: ctx.object ?? '',
    objects,
  };
  return renderArg(rc, a).map((pieces) => pieces.map((p) => resolvePiece(p, ctx.roots, ctx.fileDir)).join(''));
}

/** The first typed form that renders back to `arg`, else a literal. */
export function typeArg(arg: string, ctx: ArgContext): Arg {
  for (const c of candidates(arg, ctx)) {
    const r = renderedText(c, ctx);
    if (r.length === 1 && r[0] === arg) return c;
  }
  return { kind: 'Lit', text: arg };
}

/** Replaces the run of `objects` (in order, as written) with one `Objects` placeholder. */
export function withObjectsPlaceholder(args: Arg[], objects: readonly string[]): Arg[] {
  if (objects.length === 0) return args;
  const texts = args.map((a) => (a.kind === 'Lit' ? a.text : null));
  for (let i = 0; i + objects.length <= args.length; i++) {
    if (objects.every((o, j) => texts[i + j] === o)) return [...args.slice(0, i), { kind: 'Objects' }, ...args.slice(i + objects.length)];
  }
  return args;
}
