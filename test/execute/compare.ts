// Helpers for end-to-end build tests: drive the CLI, compare a hermetic build with a real one
// (program behaviour, exported symbols, bytes), and read a confessed graph's dependency structure.
import { execa } from 'execa';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import type { BuildRecord } from '../../src/model/build-record.js';
import type { ActionNode, SerializedGraph } from '../../src/model/graph.js';
import { CLI } from './harness.js';

export interface CliBuild {
  code: number;
  stderr: string;
  record: BuildRecord | null;
  executed: number;
  cached: number;
}

/** `continuity build <input> --out <out> --store <store> -j 2`, with the summary line parsed. */
export async function cliBuild(input: string, out: string, store: string, extra: string[] = []): Promise<CliBuild> {
  const r = await execa('node', [CLI, 'build', input, '--out', out, '--store', store, '-j', '2', ...extra], { reject: false, stdin: 'ignore' });
  const m = /(\d+) executed, (\d+) cached, (\d+) failed/.exec(r.stderr);
  let record: BuildRecord | null = null;
  try {
    record = JSON.parse(await readFile(join(out, '.continuity', 'build-record.json'), 'utf8')) as BuildRecord;
  } catch {
    record = null;
  }
  return { code: r.exitCode ?? -1, stderr: r.stderr, record, executed: Number(m?.[1] ?? -1), cached: Number(m?.[2] ?? -1) };
}

/** Regular files (and symlinks) under `dir`, relative to it, skipping `skip` directory names. */
export async function files(dir: string, skip: readonly string[] = []): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (!skip.includes(e.name)) await walk(p);
      } else out.push(relative(dir, p));
    }
  };
  await walk(dir);
  return out.sort();
}

const isLibrary = (p: string): boolean => /\.a$|\.so(\.[0-9]+)*$/.test(p);

/** Libraries a build produced (regular files only: version symlinks point at them). */
export async function libraries(builddir: string, outputs: readonly string[]): Promise<string[]> {
  const libs: string[] = [];
  for (const o of outputs) {
    if (!isLibrary(o)) continue;
    const st = await lstat(join(builddir, o)).catch(() => null);
    if (st?.isFile()) libs.push(o);
  }
  return libs.sort();
}

/** Defined symbols as `type name` lines: `nm -D` for shared objects, `nm` per member for archives. */
export async function definedSymbols(path: string): Promise<string[]> {
  const shared = !path.endsWith('.a');
  const r = await execa('nm', [...(shared ? ['-D'] : []), '--defined-only', path]);
  return r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map((l) => (l.endsWith(':') ? l : l.split(/\s+/).slice(-2).join(' ')))
    .sort();
}

export interface ProgramRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program; `libDirs` are searched for shared libraries first (the hermetic build's rpath is the fixed build path). */
export async function runProgram(path: string, args: string[], cwd: string, libDirs: string[] = []): Promise<ProgramRun> {
  const env: Record<string, string> = { PATH: '/usr/bin:/bin', LANG: 'C' };
  if (libDirs.length) env['LD_LIBRARY_PATH'] = libDirs.join(':');
  const r = await execa(path, args, { cwd, env, extendEnv: false, reject: false, stdin: 'ignore', timeout: 60_000 });
  return { code: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Directories under `dir` holding a shared library. */
export async function sharedLibDirs(dir: string): Promise<string[]> {
  const all = await files(dir, ['.continuity']);
  return [...new Set(all.filter((p) => /\.so(\.[0-9]+)*$/.test(p)).map((p) => join(dir, dirname(p))))];
}

const actionNodes = (g: SerializedGraph): { key: string; a: ActionNode }[] =>
  g.nodes.filter((n) => n.attributes.type === 'action').map((n) => ({ key: n.key, a: n.attributes as ActionNode }));

/** Executables the confessed graph links, relative to its build tree. */
export function linkedExecutables(g: SerializedGraph): string[] {
  const roles = new Map(g.nodes.filter((n) => n.attributes.type === 'file').map((n) => [n.key, (n.attributes as { role: string }).role]));
  const out: string[] = [];
  for (const { a } of actionNodes(g)) {
    if (a.category !== 'link') continue;
    for (const o of a.outputs) if (roles.get(`file:${o}`) === 'executable') out.push(relative(g.attributes.builddir, o));
  }
  return out.sort();
}

/** Identifiers (first output, relative to the build tree) of every action that reads `path`, directly or through other actions. */
export function dependentsOf(g: SerializedGraph, path: string): string[] {
  const acts = actionNodes(g);
  const dirty = new Set<string>([path]);
  const hit = new Set<string>();
  for (let changed = true; changed; ) {
    changed = false;
    for (const { key, a } of acts) {
      if (hit.has(key)) continue;
      if ([...a.inputs, ...a.deps].some((p) => dirty.has(p))) {
        hit.add(key);
        a.outputs.forEach((o) => dirty.add(o));
        changed = true;
      }
    }
  }
  const rel = (p: string): string => (p.startsWith(`${g.attributes.builddir}/`) ? relative(g.attributes.builddir, p) : p);
  return acts.filter(({ key }) => hit.has(key)).map(({ a }) => rel(a.outputs[0] as string)).sort();
}

export interface CtestCommand {
  name: string;
  command: string[];
  cwd: string;
}

/** The tests CTest would run in a configured build tree (`ctest --show-only=json-v1`). */
export async function ctestCommands(builddir: string): Promise<CtestCommand[]> {
  const r = await execa('ctest', ['--show-only=json-v1'], { cwd: builddir });
  const j = JSON.parse(r.stdout) as { tests: { name: string; command?: string[]; properties?: { name: string; value: unknown }[] }[] };
  return j.tests
    .filter((t) => Array.isArray(t.command) && t.command.length > 0)
    .map((t) => ({
      name: t.name,
      command: t.command as string[],
      cwd: String(t.properties?.find((p) => p.name === 'WORKING_DIRECTORY')?.value ?? builddir),
    }));
}
