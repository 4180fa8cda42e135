// Arguments of one tool call → classified arguments, by table lookup only.
// Every argument lands in exactly one entry, so the command can be rebuilt from the entries.
import type { Flag, OptLevel, LTOMode } from '../../model/seed.js';
import { type FlagClass, type FlagSpec, type FlagTable, COSET_NOISE } from './table.js';

export type ClassifiedArg =
  | { cls: FlagClass; spelling: string; value: string | null; raw: string[] }
  | { cls: 'operand'; spelling: null; value: string; raw: string[] }
  | { cls: 'other'; spelling: null; value: string; raw: string[] };

function matchOne(s: FlagSpec, arg: string, next: string | undefined): { value: string | null; used: number } | null {
  switch (s.form) {
    case 'exact':
      return arg === s.spelling ? { value: null, used: 1 } : null;
    case 'joined':
      return arg.startsWith(s.spelling) ? { value: arg.slice(s.spelling.length), used: 1 } : null;
    case 'separate':
      return arg === s.spelling && next !== undefined ? { value: next, used: 2 } : null;
    case 'joined-or-separate':
      if (arg === s.spelling) return next !== undefined ? { value: next, used: 2 } : null;
      return arg.startsWith(s.spelling) ? { value: arg.slice(s.spelling.length), used: 1 } : null;
    case 'equals-or-separate':
      if (arg === s.spelling) return next !== undefined ? { value: next, used: 2 } : null;
      return arg.startsWith(`${s.spelling}=`) ? { value: arg.slice(s.spelling.length + 1), used: 1 } : null;
  }
}

/** Classifies `args` (without argv[0]) against `table`. */
export function classifyArgs(table: FlagTable, args: readonly string[]): ClassifiedArg[] {
  const out: ClassifiedArg[] = [];
  for (let i = 0; i < args.length; ) {
    const arg = args[i] as string;
    const next = args[i + 1];
    if (!arg.startsWith('-') || arg === '-') {
      out.push({ cls: 'operand', spelling: null, value: arg, raw: [arg] });
      i += 1;
      continue;
    }
    let hit: ClassifiedArg | null = null;
    let used = 1;
    for (const s of table.flags) {
      const m = matchOne(s, arg, next);
      if (m) {
        hit = { cls: s.cls, spelling: s.spelling, value: m.value, raw: args.slice(i, i + m.used) as string[] };
        used = m.used;
        break;
      }
    }
    out.push(hit ?? { cls: 'other', spelling: null, value: arg, raw: [arg] });
    i += used;
  }
  return out;
}

/** The command with coset noise removed: what the cache key sees. */
export function cosetArgs(classified: readonly ClassifiedArg[]): string[] {
  return classified.filter((c) => !(c.cls !== 'operand' && c.cls !== 'other' && COSET_NOISE.has(c.cls))).flatMap((c) => c.raw);
}

/** The args a hermetic run executes: the build system's depfile flags are left out (the graph already holds
 *  the header dependencies, and the depfile's directory, e.g. automake's .deps/, is not an output). */
export function hermeticArgs(classified: readonly ClassifiedArg[]): string[] {
  return classified.filter((c) => c.cls !== 'depfile' && c.cls !== 'depfile-arg').flatMap((c) => c.raw);
}

const OPT: Record<string, OptLevel> = { '': 'O1', '0': 'O0', '1': 'O1', '2': 'O2', '3': 'O3', s: 'Os', z: 'Oz', fast: 'O3', g: 'O1' };

export interface TypedFlags {
  flags: Flag[];
  includeDirs: { dir: string; system: boolean }[];
  defines: { name: string; value: string | null }[];
  undefines: string[];
  other: { kind: 'other'; cls: string; args: string[] }[];
  /** arguments left out of the cache key */
  ignored: string[];
}

/** The typed view of a classified command (§3 Flag). The last opt level / debug / pic setting wins, as in gcc. */
export function typedFlags(classified: readonly ClassifiedArg[]): TypedFlags {
  const r: TypedFlags = { flags: [], includeDirs: [], defines: [], undefines: [], other: [], ignored: [] };
  let opt: OptLevel | null = null;
  let lto: LTOMode | null = null;
  let debug: boolean | null = null;
  let pic: boolean | null = null;
  let cpu: string | null = null;
  for (const c of classified) {
    switch (c.cls) {
      case 'opt':
        opt = OPT[c.value ?? ''] ?? null;
        if (opt === null) r.other.push({ kind: 'other', cls: c.cls, args: c.raw });
        break;
      case 'lto':
        if (c.spelling === '-flto-partition=') r.other.push({ kind: 'other', cls: c.cls, args: c.raw });
        else lto = c.raw[0] === '-flto=thin' ? 'thin' : 'fat';
        break;
      case 'no-lto':
        lto = 'off';
        break;
      case 'debug':
        debug = true;
        break;
      case 'no-debug':
        debug = false;
        break;
      case 'pic':
        pic = true;
        break;
      case 'no-pic':
        pic = false;
        break;
      case 'march':
      case 'mcpu':
        cpu = c.value;
        break;
      case 'include':
      case 'system-include':
        r.includeDirs.push({ dir: c.value ?? '', system: c.cls === 'system-include' });
        break;
      case 'define': {
        const v = c.value ?? '';
        const eq = v.indexOf('=');
        r.defines.push(eq < 0 ? { name: v, value: null } : { name: v.slice(0, eq), value: v.slice(eq + 1) });
        break;
      }
      case 'undefine':
        r.undefines.push(c.value ?? '');
        break;
      case 'warning':
      case 'diagnostics':
      case 'depfile':
      case 'depfile-arg':
        r.ignored.push(...c.raw);
        break;
      case 'operand':
      case 'output':
      case 'mode':
        break;
      default:
        r.other.push({ kind: 'other', cls: c.cls, args: c.raw });
    }
  }
  if (opt !== null) r.flags.push({ kind: 'optLevel', level: opt });
  if (lto !== null) r.flags.push({ kind: 'lto', mode: lto });
  if (debug !== null) r.flags.push({ kind: 'debug', on: debug });
  if (pic !== null) r.flags.push({ kind: 'pic', on: pic });
  if (cpu !== null) r.flags.push({ kind: 'targetCpu', cpu });
  return r;
}
