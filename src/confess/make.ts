// What a make build ran besides the compilers: the recording shell's log (make's SHELL pointed at
// `continuity-sh`) → custom steps. A line's outputs are the files it named that it created or changed,
// its inputs the files it named that it only read. Lines that ran a sub-make are containers: their
// own lines stand for them.
import { normalize } from 'node:path';
import type { CustomStep } from '../graph/build.js';
import { type Result, ok, err } from '../model/result.js';

/** [mtime in ns, size] */
export type FileState = [number, number] | null;

export interface ShellFile {
  path: string;
  dir: boolean;
  before: FileState;
  after: FileState;
}

/** One recipe line as the recording shell saw it (one line of shell.jsonl). */
export interface ShellRecord {
  v: 1;
  rid: string;
  parent: string | null;
  mode: string;
  shell: string;
  cwd: string;
  argv: string[];
  line: string;
  files: ShellFile[];
  exit: number;
  t0: number;
  t1: number;
}

const isState = (x: unknown): x is FileState =>
  x === null || (Array.isArray(x) && x.length === 2 && x.every((n) => typeof n === 'number'));

export function parseShellRecord(line: string): Result<ShellRecord, string> {
  let x: unknown;
  try {
    x = JSON.parse(line);
  } catch {
    return err('not valid JSON');
  }
  if (typeof x !== 'object' || x === null) return err('not a JSON object');
  const r = x as Record<string, unknown>;
  if (r['v'] !== 1) return err('unsupported shell record version');
  if (typeof r['rid'] !== 'string' || typeof r['line'] !== 'string' || typeof r['cwd'] !== 'string') return err('missing rid, line or cwd');
  if (!(r['parent'] === null || typeof r['parent'] === 'string')) return err('parent malformed');
  if (typeof r['exit'] !== 'number' || typeof r['t0'] !== 'number' || typeof r['t1'] !== 'number') return err('exit/t0/t1 missing');
  if (!Array.isArray(r['files'])) return err('files malformed');
  for (const f of r['files'] as unknown[]) {
    const ff = f as Record<string, unknown>;
    if (typeof ff['path'] !== 'string' || !isState(ff['before']) || !isState(ff['after'])) return err('file entry malformed');
  }
  return ok(r as unknown as ShellRecord);
}

/** Every record of a shell log; torn or malformed lines are returned apart, not fatal. */
export function parseShellLog(text: string): { records: ShellRecord[]; malformed: string[] } {
  const records: ShellRecord[] = [];
  const malformed: string[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const r = parseShellRecord(line);
    if (r.ok) records.push(r.value);
    else malformed.push(`${r.error}: ${line.slice(0, 200)}`);
  }
  records.sort((a, b) => a.t0 - b.t0 || (a.rid < b.rid ? -1 : 1));
  return { records, malformed };
}

/** Files of the machine, not of the project: never inputs of a step. */
const SYSTEM = /^\/(usr|bin|sbin|lib|lib32|lib64|libx32|etc|proc|sys|dev|run|var)(\/|$)/;

export interface LineEffect {
  inputs: string[];
  outputs: string[];
  deleted: string[];
}

/** What one line read, wrote and deleted, from the states of the files it named. */
export function lineEffect(r: ShellRecord): LineEffect {
  const inputs: string[] = [];
  const outputs: string[] = [];
  const deleted: string[] = [];
  for (const f of r.files) {
    if (f.dir) continue;
    const p = normalize(f.path);
    const { before, after } = f;
    if (after !== null && (before === null || before[0] !== after[0] || before[1] !== after[1])) outputs.push(p);
    else if (before !== null && after === null) deleted.push(p);
    else if (before !== null && !SYSTEM.test(p)) inputs.push(p);
  }
  return { inputs, outputs, deleted };
}

/** make's dependency tracking (automake's .deps/x.Po, depfiles): the build system's records, not products. */
export function isDependencyRecord(p: string): boolean {
  return /\/\.deps\//.test(p) || /\.(d|Po|Plo|Tpo|Tplo)$/.test(p);
}

/** Lines that ran other recorded lines (a recursive make): left out, their children stand for them. */
export function containers(records: readonly ShellRecord[]): Set<string> {
  return new Set(records.flatMap((r) => (r.parent ? [r.parent] : [])));
}

/**
 * Custom steps of a make build: every successful recipe line that wrote a file no shim call wrote
 * (`covered`), except sub-make lines. A line whose outputs are all covered was a compiler call.
 */
export function makeCustomSteps(records: readonly ShellRecord[], covered: ReadonlySet<string>): CustomStep[] {
  const skip = containers(records);
  const steps: CustomStep[] = [];
  for (const r of records) {
    if (skip.has(r.rid) || r.exit !== 0) continue;
    const e = lineEffect(r);
    const outputs = e.outputs.filter((o) => !covered.has(o));
    if (outputs.length === 0 || outputs.every(isDependencyRecord)) continue;
    // What a compiler call on the same line wrote is not taken as read by the rest of the line: the
    // order within a line is unknown, and `cc -c a.c` after `echo > a.c` would make a cycle.
    // A file the line consumed (`mv objs/a.o a.lo`) was read too: it is an input.
    const inputs = [...e.inputs, ...e.deleted.filter((d) => !isDependencyRecord(d))].filter((i) => !outputs.includes(i));
    steps.push({ command: r.line, cwd: r.cwd, inputs, outputs, rule: null });
  }
  return steps;
}

/** Recipe lines that failed (a failed build's cause, as make ran it). */
export function failedLines(records: readonly ShellRecord[]): ShellRecord[] {
  const skip = containers(records);
  return records.filter((r) => r.exit !== 0 && !skip.has(r.rid));
}
