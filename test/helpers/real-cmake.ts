// Baselines from a real CMake + Ninja build, and comparisons of a confession against them.
import { execa } from 'execa';
import { readFile, readdir, lstat, open } from 'node:fs/promises';
import { join, resolve, normalize, relative } from 'node:path';
import { shellWords } from './shell-words.js';
import type { SerializedGraph, ActionNode } from '../../src/model/graph.js';

export const REPO = resolve(import.meta.dirname, '..', '..');
export const CLI = join(REPO, 'bin', 'continuity.js');

export async function realCmakeBuild(src: string, build: string, args: string[] = []): Promise<void> {
  await execa('cmake', ['-S', src, '-B', build, '-G', 'Ninja', '-DCMAKE_EXPORT_COMPILE_COMMANDS=ON', ...args], { stdin: 'ignore' });
  await execa('ninja', ['-C', build], { stdin: 'ignore' });
}

export async function confess(src: string, out: string, cmakeArgs: string[] = [], extra: string[] = []) {
  return execa('node', [CLI, 'confess', 'cmake', src, '--out', out, '--quiet', ...extra, ...(cmakeArgs.length ? ['--', ...cmakeArgs] : [])], {
    reject: false, stdin: 'ignore', all: true,
  });
}

export interface NormalizedCompile {
  file: string;
  args: string[];
}

/** compile_commands.json entries with argv[0] dropped and build dirs replaced by <BUILD>. */
export async function normalizedCompdb(path: string, builddir: string): Promise<NormalizedCompile[]> {
  const entries = JSON.parse(await readFile(path, 'utf8')) as { directory: string; command?: string; arguments?: string[]; file: string }[];
  const fix = (s: string): string => s.split(builddir).join('<BUILD>');
  return entries
    .map((e) => {
      const argv = e.arguments ?? shellWords(e.command ?? '');
      return { file: fix(resolve(e.directory, e.file)), args: argv.slice(1).map(fix) };
    })
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.args.join(' ') < b.args.join(' ') ? -1 : 1));
}

/** Archive and link outputs of a real ninja build → their explicit and implicit inputs (relative to the build dir). */
export async function realLinkInputs(builddir: string): Promise<Map<string, string[]>> {
  const targets = await execa('ninja', ['-C', builddir, '-t', 'targets', 'all']);
  const outs = targets.stdout
    .split('\n')
    .map((l) => l.split(': '))
    .filter(([, rule]) => rule !== undefined && /_(STATIC_LIBRARY|SHARED_LIBRARY|EXECUTABLE|MODULE_LIBRARY)_LINKER__/.test(rule))
    .map(([out]) => out as string);
  const result = new Map<string, string[]>();
  if (outs.length === 0) return result;
  const q = await execa('ninja', ['-C', builddir, '-t', 'query', ...outs]);
  let cur: string | null = null;
  let inInputs = false;
  for (const line of q.stdout.split('\n')) {
    if (line && !line.startsWith(' ')) {
      cur = line.replace(/:$/, '');
      result.set(cur, []);
      inInputs = false;
    } else if (line.trim().startsWith('input:')) inInputs = true;
    else if (line.trim() === 'outputs:') inInputs = false;
    else if (inInputs && cur && !line.trim().startsWith('||')) {
      const p = line.trim().replace(/^\| /, '');
      result.get(cur)!.push(rel(builddir, p));
    }
  }
  for (const [k, v] of result) result.set(k, [...new Set(v)].sort());
  return result;
}

function rel(builddir: string, p: string): string {
  const abs = normalize(resolve(builddir, p));
  const r = relative(builddir, abs);
  return r.startsWith('..') ? abs : r;
}

/** The confessed graph's archive and link outputs → their inputs, relative to the confession's build dir. */
/** Archive and link inputs as ninja lists them: files of the project's trees and files named on the command
 *  line. Libraries a `-l` found in a -L directory outside the trees (`-lcudart_static` in the toolkit) are
 *  inputs of the graph too, but ninja does not know them. */
export function confessedLinkInputs(graph: SerializedGraph): Map<string, string[]> {
  const { builddir, srcdir } = graph.attributes;
  const inTrees = (p: string): boolean => [builddir, srcdir].some((t) => p === t || p.startsWith(`${t}/`));
  const result = new Map<string, string[]>();
  for (const n of graph.nodes) {
    const a = n.attributes;
    if (a.type !== 'action' || (a.category !== 'archive' && a.category !== 'link')) continue;
    const ins = a.inputs.filter((i) => inTrees(i) || a.args.includes(i)).map((i) => rel(builddir, i));
    for (const o of (a as ActionNode).outputs) result.set(rel(builddir, o), [...new Set(ins)].sort());
  }
  return result;
}

/** A path as the header comparison sees it: absolute, normalized, the build dir written <BUILD>. */
function depKey(builddir: string, p: string): string {
  const abs = normalize(resolve(builddir, p));
  return abs === builddir || abs.startsWith(`${builddir}/`) ? `<BUILD>${abs.slice(builddir.length)}` : abs;
}

/** Object files of a real ninja build → the files the compiler said it read (`ninja -t deps`: the source and
 *  every header, from the compiler's own -MD output), keys relative to the build dir. */
export async function realHeaderDeps(builddir: string): Promise<Map<string, string[]>> {
  const q = await execa('ninja', ['-C', builddir, '-t', 'deps']);
  const result = new Map<string, string[]>();
  let cur: string[] | null = null;
  for (const line of q.stdout.split('\n')) {
    const m = /^(\S.*): #deps \d+/.exec(line);
    if (m) {
      cur = [];
      result.set(rel(builddir, m[1] as string), cur);
    } else if (cur && line.startsWith('    ')) cur.push(depKey(builddir, line.trim()));
    else if (line.trim() === '') cur = null;
  }
  for (const [k, v] of result) result.set(k, [...new Set(v)].sort());
  return result;
}

/** The confessed graph's compile outputs → the source and headers of the compile, in the same form. */
export function confessedHeaderDeps(graph: SerializedGraph): Map<string, string[]> {
  const { builddir } = graph.attributes;
  const result = new Map<string, string[]>();
  for (const n of graph.nodes) {
    const a = n.attributes;
    if (a.type !== 'action' || a.category !== 'compile') continue;
    const files = [...new Set([...a.inputs, ...a.deps].map((p) => depKey(builddir, p)))].sort();
    for (const o of (a as ActionNode).outputs) result.set(rel(builddir, o), files);
  }
  return result;
}

export const TOKEN_MAGIC = '# continuity-token v1 ';

export async function isToken(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(256);
    const { bytesRead } = await fh.read(buf, 0, 256, 0);
    return buf.subarray(0, bytesRead).toString('latin1').includes(TOKEN_MAGIC);
  } finally {
    await fh.close();
  }
}

/** Every regular file in a tree (symlinks not followed). */
export async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else if (e.isFile()) out.push(p);
    else if (e.isSymbolicLink() && (await lstat(p)).isSymbolicLink()) continue;
  }
  return out;
}
