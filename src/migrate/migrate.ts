// graph.json (+ coeffects.json beside it) → BUILD.dhall files under a directory. Everything is written
// to a staging directory first and moved into place only when every file is ready.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, posix, resolve } from 'node:path';
import type { CoeffectsFile } from '../model/coeffects.js';
import type { SerializedGraph } from '../model/graph.js';
import { type Result, ok, err } from '../model/result.js';
import { checkGraph } from '../lower/lower.js';
import { validateGraph } from '../graph/load.js';
import { readJsonFile } from '../util/json-read.js';
import { BUILD_FILE, CONFIGURED_DIR, PACKAGE_FILE, PROJECT_FILE, buildFileText, packageText, projectFileText } from './emit.js';
import { type Roots, inSource } from './paths.js';
import { recoverTargets } from './targets.js';
import type { Target } from './model.js';

export interface MigrateResult {
  /** written files, relative to the output directory, sorted */
  files: string[];
  targets: number;
}

async function readJson(path: string): Promise<Result<unknown, string>> {
  try {
    return ok(await readJsonFile(path));
  } catch (e: unknown) {
    const code = (e as NodeJS.ErrnoException).code;
    return err(code === 'ENOENT' ? `${path}: no such file` : `${path}: ${e instanceof SyntaxError ? `not valid JSON (${e.message})` : `cannot read (${code ?? String(e)})`}`);
  }
}

/** A graph.json path, or a confession's output directory holding one. */
export async function locateGraph(input: string): Promise<Result<string, string>> {
  try {
    const s = await stat(input);
    return ok(s.isDirectory() ? join(input, 'graph.json') : input);
  } catch {
    return err(`${input}: no such file or directory`);
  }
}

/** The files a migration writes, by path relative to the output directory. */
export async function migrationFiles(graph: SerializedGraph, coeffects: CoeffectsFile | null, outDir: string): Promise<Result<{ files: Map<string, string | Buffer>; targets: Target[] }, string>> {
  const { srcdir, builddir } = graph.attributes;
  // one tree for both (a Makefile run where its sources are) is fine; sources inside a build tree of their own are not
  if (srcdir.startsWith(`${builddir}/`)) return err(`the build tree ${builddir} holds the source tree ${srcdir}: such builds cannot be migrated`);
  const made = new Set<string>();
  const read = new Set<string>();
  for (const n of graph.nodes) {
    if (n.attributes.type !== 'action') continue;
    n.attributes.outputs.forEach((o) => made.add(o));
    [...n.attributes.inputs, ...(n.attributes.deps ?? [])].forEach((i) => read.add(i));
  }
  const packages = new Map<string, string>();
  for (const p of coeffects?.packages ?? []) if (p.fakeRoot) packages.set(p.name, p.fakeRoot);
  const single = inSource({ srcdir, builddir });
  const roots: Roots = single ? { srcdir, builddir, packages, made } : { srcdir, builddir, packages };
  const targets = await recoverTargets(graph, roots);
  if (!targets.ok) return targets;
  const files = new Map<string, string | Buffer>();
  files.set(PACKAGE_FILE, packageText());
  // files the configure step wrote into a separate build tree (config.h): the build tree starts with them.
  // In one tree, what configuring wrote there is read like any other source.
  for (const p of [...read].sort()) {
    if (single || made.has(p) || !p.startsWith(`${builddir}/`)) continue;
    try {
      files.set(`${CONFIGURED_DIR}/${posix.relative(builddir, p)}`, await readFile(p));
    } catch {
      return err(`the build reads ${p}, which no action makes and which is gone from the build tree`);
    }
  }
  const inside = (p: string, r: string): boolean => p === r || p.startsWith(`${r}/`);
  const toProjectPath = (p: string): string =>
    inside(p, srcdir) || [...packages.values()].some((r) => inside(p, r)) ? posix.relative(outDir, p) || '.' : p;
  files.set(PROJECT_FILE, projectFileText(posix.relative(outDir, srcdir) || '.', single ? 'InSource' : 'Separate', coeffects, toProjectPath));
  const byDir = new Map<string, Target[]>();
  for (const t of targets.value) byDir.set(t.dir, [...(byDir.get(t.dir) ?? []), t]);
  for (const [dir, ts] of [...byDir].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    files.set(dir ? `${dir}/${BUILD_FILE}` : BUILD_FILE, buildFileText(dir, ts));
  }
  return ok({ files, targets: targets.value });
}

export async function migrate(input: string, to: string): Promise<Result<MigrateResult, string>> {
  const graphPath = await locateGraph(resolve(input));
  if (!graphPath.ok) return graphPath;
  const raw = await readJson(graphPath.value);
  if (!raw.ok) return raw;
  const valid = await validateGraph(raw.value);
  if (!valid.ok) return err(`${graphPath.value}: ${valid.error}`);
  const graph = checkGraph(valid.value);
  if (!graph.ok) return err(`${graphPath.value}: ${graph.error}`);
  let coeffects: CoeffectsFile | null = null;
  const cpath = join(dirname(graphPath.value), 'coeffects.json');
  if (existsSync(cpath)) {
    const c = await readJson(cpath);
    if (!c.ok) return c;
    coeffects = c.value as CoeffectsFile;
  }
  const outDir = resolve(to);
  const made = await migrationFiles(graph.value, coeffects, outDir);
  if (!made.ok) return err(`${graphPath.value}: ${made.error}`);
  const files = made.value.files;

  // stage, then move into place
  const fresh = !existsSync(outDir);
  const stage = fresh ? `${outDir}.migrate-${randomBytes(4).toString('hex')}` : join(outDir, `.continuity-migrate-${randomBytes(4).toString('hex')}`);
  try {
    for (const [rel, content] of files) {
      await mkdir(dirname(join(stage, rel)), { recursive: true });
      await writeFile(join(stage, rel), content);
    }
    if (fresh) {
      await mkdir(dirname(outDir), { recursive: true });
      await rename(stage, outDir);
    } else {
      for (const rel of files.keys()) {
        await mkdir(dirname(join(outDir, rel)), { recursive: true });
        await rename(join(stage, rel), join(outDir, rel));
      }
      await rm(stage, { recursive: true, force: true });
    }
  } catch (e: unknown) {
    await rm(stage, { recursive: true, force: true });
    return err(`${outDir}: cannot write (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return ok({ files: [...files.keys()].sort(), targets: made.value.targets.length });
}
