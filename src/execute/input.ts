// What `continuity build` was pointed at → its actions. A confession's output directory (graph.json
// inside), graph.json, actions.json, or a BUILD.dhall (file, or a directory holding one).
// Input detection stays in `inputKind` alone: one line per kind of input. A JSON input is lowered
// through the lowered-actions cache when the build gives one (src/lower/cache.ts).
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Result, ok, err, UserError } from '../model/result.js';
import type { ActionsFile } from '../lower/actions.js';
import type { LoadedActions } from '../lower/cache.js';

export type InputKind = { kind: 'json'; path: string } | { kind: 'dhall'; path: string };

const isDir = (p: string): boolean => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

/** Decides what `path` is, without reading it. */
export function inputKind(path: string): Result<InputKind, string> {
  if (!existsSync(path)) return err(`${path}: no such file or directory`);
  if (!isDir(path)) return ok(path.endsWith('.dhall') ? { kind: 'dhall', path } : { kind: 'json', path });
  try {
    accessSync(path, constants.R_OK | constants.X_OK);
  } catch {
    return err(`${path}: cannot read this directory (permission denied)`);
  }
  if (existsSync(join(path, 'graph.json'))) return ok({ kind: 'json', path: join(path, 'graph.json') });
  if (existsSync(join(path, 'continuity', 'project.dhall'))) return ok({ kind: 'dhall', path }); // every BUILD.dhall under it
  if (existsSync(join(path, 'BUILD.dhall'))) return ok({ kind: 'dhall', path: join(path, 'BUILD.dhall') });
  return err(`${path}: a directory without graph.json or BUILD.dhall`);
}

/** Loads any input `continuity build` accepts; bad input is a one-line UserError. */
export async function loadBuildInput(path: string): Promise<ActionsFile> {
  const k = inputKind(path);
  if (!k.ok) throw new UserError(k.error);
  // lowering and Dhall evaluation are loaded only when needed: an up-to-date build uses neither
  const { loadJsonInput, lowerOrThrow } = await import('../lower/load.js');
  switch (k.value.kind) {
    case 'json':
      return loadJsonInput(k.value.path);
    case 'dhall': {
      const { loadDhallBuild } = await import('../migrate/load.js');
      const g = await loadDhallBuild(k.value.path);
      if (!g.ok) throw new UserError(g.error); // its errors name the file
      return lowerOrThrow(g.value, k.value.path, k.value.path);
    }
  }
}

/** The same, through the lowered-actions cache in `cacheDir` for JSON inputs (a Dhall build is evaluated
 *  afresh each time: its witnesses are null). */
export async function loadBuildInputCached(path: string, cacheDir: string): Promise<LoadedActions> {
  const k = inputKind(path);
  if (!k.ok) throw new UserError(k.error);
  if (k.value.kind === 'json') {
    const { loadActionsCached } = await import('../lower/cache.js');
    return loadActionsCached(k.value.path, cacheDir);
  }
  return { actions: await loadBuildInput(path), witnesses: null, cached: false };
}
