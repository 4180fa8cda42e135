// What `continuity build` was pointed at → its actions. A confession's output directory (graph.json
// inside), graph.json, actions.json, or a BUILD.dhall (file, or a directory holding one).
// Input detection stays in `inputKind` alone: one line per kind of input.
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadDhallBuild } from '../migrate/load.js';
import { type Result, ok, err, UserError } from '../model/result.js';
import type { ActionsFile } from '../lower/actions.js';
import { loadJsonInput, lowerOrThrow } from '../lower/load.js';

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
  switch (k.value.kind) {
    case 'json':
      return loadJsonInput(k.value.path);
    case 'dhall': {
      const g = await loadDhallBuild(k.value.path);
      if (!g.ok) throw new UserError(g.error); // its errors name the file
      return lowerOrThrow(g.value, k.value.path, k.value.path);
    }
  }
}
