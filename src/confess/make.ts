// What a make build ran besides the compilers: the recording shell's log (make's SHELL pointed at
// `continuity-sh`) → custom steps. A line's outputs are the files it named that it created or changed,
// its inputs the files it named that it only read. Lines that ran a sub-make are containers: their
// own lines stand for them. A libtool line is a container too: the compiler and linker calls it made
// are shim reports, and only the small files libtool writes itself (.lo, .la, wrapper scripts, .libs/
// symlinks) are left to a custom step, which writes them as they were.
import { shellWords } from '../util/shell-words.js';
import { lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { basename, dirname, normalize, resolve } from 'node:path';
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

/** A file as a step left it: its text (and whether it is executable), or a symlink's target. */
export type Snapshot = { kind: 'file'; text: string; executable: boolean } | { kind: 'symlink'; target: string };
export type SnapshotReader = (path: string) => Snapshot | null;

const TOKEN_HEAD = '#!/bin/sh\n# continuity-token ';

/** Reads a file as it is now: null when it is missing, not a regular file or symlink, not text, or a token. */
export function snapshotFile(path: string): Snapshot | null {
  try {
    const st = lstatSync(path);
    if (st.isSymbolicLink()) return { kind: 'symlink', target: readlinkSync(path) };
    if (!st.isFile() || st.size > 1 << 20) return null;
    const bytes = readFileSync(path);
    const text = bytes.toString('utf8');
    if (text.includes('\0') || !Buffer.from(text, 'utf8').equals(bytes) || text.startsWith(TOKEN_HEAD)) return null;
    return { kind: 'file', text, executable: (st.mode & 0o111) !== 0 };
  } catch {
    return null;
  }
}

export type LibtoolMode = 'compile' | 'link';

/** A libtool call on a recipe line: its mode and the file it was asked to make (absolute). */
export interface LibtoolCall {
  mode: LibtoolMode;
  output: string;
}

const SOURCE = /\.(c|cc|cpp|cxx|c\+\+|C|s|S|sx|m|mm|f|f90|F|F90|cu)$/;

/** The libtool call a recipe line makes (`/bin/bash ../libtool --tag=CC --mode=compile gcc ... -o a.lo`), if any. */
export function libtoolCall(line: string, cwd: string): LibtoolCall | null {
  let words: string[];
  try {
    words = shellWords(line);
  } catch {
    return null; // not a line a shell would run
  }
  const at = words.findIndex((w) => /(^|\/)g?libtool$/.test(w));
  if (at < 0) return null;
  let mode: string | null = null;
  let i = at + 1;
  for (; i < words.length; i++) {
    const w = words[i] as string;
    if (w.startsWith('--mode=')) mode = w.slice('--mode='.length);
    else if (w === '--mode' || w === '--tag') {
      if (w === '--mode') mode = words[i + 1] ?? null;
      i++;
    } else if (!w.startsWith('-')) {
      if (mode === null) {
        mode = w;
        i++;
      }
      break;
    }
  }
  if (mode !== 'compile' && mode !== 'link') return null;
  const rest = words.slice(i);
  const o = rest.lastIndexOf('-o');
  let output = o >= 0 ? rest[o + 1] : undefined;
  if (output === undefined && mode === 'compile') {
    const src = [...rest].reverse().find((w) => SOURCE.test(w));
    if (src) output = basename(src).replace(SOURCE, '') + '.lo';
  }
  if (output === undefined || /[$`*?]/.test(output)) return null;
  return { mode, output: resolve(cwd, output) };
}

/** `name='value'` lines of a libtool .lo or .la file. */
export function libtoolVars(text: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const m of text.matchAll(/^([A-Za-z_][A-Za-z0-9_]*)='([^']*)'$/gm)) vars.set(m[1] as string, m[2] as string);
  for (const m of text.matchAll(/^([A-Za-z_][A-Za-z0-9_]*)=([^'\s]*)$/gm)) if (!vars.has(m[1] as string)) vars.set(m[1] as string, m[2] as string);
  return vars;
}

const OBJDIRS = ['.libs', '_libs'];
const shq = (s: string): string => (/^[A-Za-z0-9_./=:,+@%-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
/** `sh -c` takes one argument, which the kernel caps at 128 KiB. */
const MAX_COMMAND = 96 * 1024;

/**
 * What a libtool line wrote itself, as a custom step that writes it again: the .lo of a compile (made
 * from the objects it names), the .la of a library with its .libs/ symlinks and .lai (made from the
 * libraries the linker made), or the wrapper script of a program (made from the program in .libs/).
 * The compiles and links libtool ran are shim reports (`covered`) and stand for the rest. Null when
 * what libtool wrote cannot be read back.
 */
export function libtoolStep(r: ShellRecord, call: LibtoolCall, covered: ReadonlySet<string>, read: SnapshotReader): CustomStep | null {
  const out = call.output;
  if (covered.has(out)) return null;
  const main = read(out);
  if (main?.kind !== 'file') return null;
  const dir = dirname(out);
  const written: [string, Snapshot][] = [[out, main]];
  const inputs: string[] = [];
  const symlinks: [string, string][] = [];
  const also = (p: string): void => {
    if (written.some(([w]) => w === p) || covered.has(p)) return;
    const s = read(p);
    if (!s) return;
    written.push([p, s]);
    if (s.kind === 'symlink') symlinks.push([p, resolve(dirname(p), s.target)]);
  };
  const made = (p: string): void => {
    if (!inputs.includes(p)) inputs.push(p);
  };
  if (out.endsWith('.lo')) {
    const v = libtoolVars(main.text);
    for (const k of ['pic_object', 'non_pic_object']) {
      const o = v.get(k);
      if (o && o !== 'none') made(resolve(dir, o));
    }
  } else if (out.endsWith('.la')) {
    const v = libtoolVars(main.text);
    const stem = basename(out, '.la');
    const names = (v.get('library_names') ?? '').split(/\s+/).filter((n) => n !== '');
    const old = v.get('old_library') ?? '';
    for (const od of OBJDIRS) {
      const objdir = resolve(dir, od);
      if (names[0]) {
        const lib = resolve(objdir, names[0]);
        if (covered.has(lib)) made(lib);
      }
      if (old) {
        const lib = resolve(objdir, old);
        if (covered.has(lib)) made(lib);
      }
      for (const n of names.slice(1)) also(resolve(objdir, n));
      also(resolve(objdir, `${stem}.la`));
      also(resolve(objdir, `${stem}.lai`));
    }
  } else {
    for (const od of OBJDIRS) {
      for (const p of [resolve(dir, od, basename(out)), resolve(dir, od, `lt-${basename(out)}`)]) if (covered.has(p)) made(p);
    }
  }
  const command = written
    .map(([p, s]) =>
      s.kind === 'symlink'
        ? `ln -sf ${shq(s.target)} ${shq(p)}`
        : `printf '%s' ${shq(s.text)} > ${shq(p)}${s.executable ? ` && chmod +x ${shq(p)}` : ''}`,
    )
    .join(' && ');
  if (command.length > MAX_COMMAND) return null;
  const step: CustomStep = { command, cwd: r.cwd, inputs, outputs: written.map(([p]) => p), rule: `libtool --mode=${call.mode}` };
  if (symlinks.length) step.symlinks = symlinks;
  return step;
}

/**
 * Custom steps of a make build: every successful recipe line that wrote a file no shim call wrote
 * (`covered`), except sub-make lines. A line whose outputs are all covered was a compiler call.
 * A libtool line whose other outputs are libtool's own becomes the step that writes them (`libtoolStep`).
 */
export function makeCustomSteps(records: readonly ShellRecord[], covered: ReadonlySet<string>, read: SnapshotReader = snapshotFile): CustomStep[] {
  const skip = containers(records);
  const steps: CustomStep[] = [];
  for (const r of records) {
    if (skip.has(r.rid) || r.exit !== 0) continue;
    const e = lineEffect(r);
    const outputs = e.outputs.filter((o) => !covered.has(o));
    if (outputs.length === 0 || outputs.every(isDependencyRecord)) continue;
    const call = libtoolCall(r.line, r.cwd);
    const lt = call ? libtoolStep(r, call, covered, read) : null;
    if (lt && outputs.every((o) => isDependencyRecord(o) || lt.outputs.includes(o))) {
      steps.push(lt);
      continue;
    }
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
