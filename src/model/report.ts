// A report is what one shim says about one tool call (docs/architecture.md, "Report format").
// parseReport is the only way in: everything that crosses the shim boundary is checked here.
import { type Result, ok, err } from './result.js';

export type ShimKind = 'cc' | 'cxx' | 'nvcc' | 'ar' | 'ranlib' | 'ld';
export type ShimMode = 'confess' | 'observe';
export type CallRole = 'compile' | 'link' | 'archive' | 'ranlib' | 'query';

export interface FileRef {
  path: string;
  token: string | null;
}

export interface Report {
  v: 1;
  rid: string;
  tool: string;
  kind: ShimKind;
  real: string;
  mode: ShimMode;
  role: CallRole;
  cwd: string;
  argv: string[];
  args: string[];
  env: Record<string, string>;
  inputs: FileRef[];
  outputs: FileRef[];
  deps: string[];
  depfile: string | null;
  exit: number;
  t0: number;
  t1: number;
}

const KINDS: readonly ShimKind[] = ['cc', 'cxx', 'nvcc', 'ar', 'ranlib', 'ld'];
const MODES: readonly ShimMode[] = ['confess', 'observe'];
const ROLES: readonly CallRole[] = ['compile', 'link', 'archive', 'ranlib', 'query'];

const isStr = (x: unknown): x is string => typeof x === 'string';
const isStrArr = (x: unknown): x is string[] => Array.isArray(x) && x.every(isStr);
const isFileRefArr = (x: unknown): x is FileRef[] =>
  Array.isArray(x) &&
  x.every(
    (f) =>
      typeof f === 'object' && f !== null && isStr((f as FileRef).path) &&
      ((f as FileRef).token === null || isStr((f as FileRef).token)),
  );

/** Checks one report (already JSON-parsed or a JSON line). Returns the cause on failure. */
export function parseReport(input: unknown): Result<Report, string> {
  let x: unknown = input;
  if (typeof input === 'string') {
    try {
      x = JSON.parse(input);
    } catch {
      return err('not valid JSON');
    }
  }
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return err('not a JSON object');
  const r = x as Record<string, unknown>;
  if (r['v'] !== 1) return err(`unsupported report version ${JSON.stringify(r['v'])}`);
  if (!isStr(r['rid']) || r['rid'].length === 0) return err('missing rid');
  if (!isStr(r['tool'])) return err('missing tool');
  if (!KINDS.includes(r['kind'] as ShimKind)) return err(`unknown kind ${JSON.stringify(r['kind'])}`);
  if (!isStr(r['real'])) return err('missing real');
  if (!MODES.includes(r['mode'] as ShimMode)) return err(`unknown mode ${JSON.stringify(r['mode'])}`);
  if (!ROLES.includes(r['role'] as CallRole)) return err(`unknown role ${JSON.stringify(r['role'])}`);
  if (!isStr(r['cwd']) || !r['cwd'].startsWith('/')) return err('cwd is not an absolute path');
  if (!isStrArr(r['argv']) || r['argv'].length === 0) return err('argv is not a list of strings');
  if (!isStrArr(r['args']) || r['args'].length === 0) return err('args is not a list of strings');
  const env = r['env'];
  if (typeof env !== 'object' || env === null || !Object.values(env).every(isStr)) return err('env is not a string map');
  if (!isFileRefArr(r['inputs'])) return err('inputs malformed');
  if (!isFileRefArr(r['outputs'])) return err('outputs malformed');
  if (!isStrArr(r['deps'])) return err('deps malformed');
  if (!(r['depfile'] === null || isStr(r['depfile']))) return err('depfile malformed');
  if (typeof r['exit'] !== 'number' || !Number.isInteger(r['exit'])) return err('exit is not an integer');
  if (typeof r['t0'] !== 'number' || typeof r['t1'] !== 'number') return err('t0/t1 missing');
  return ok(r as unknown as Report);
}
