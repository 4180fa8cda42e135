// Reading graph.json (lowered here) or actions.json (as is) from disk. One-line UserErrors on bad input.
// (src/execute/input.ts decides which kind of input `continuity build` was given.)
import { UserError } from '../model/result.js';
import type { SerializedGraph } from '../model/graph.js';
import type { ActionsFile } from './actions.js';
import { type LowerDeps, checkActionsFile, lowerGraph } from './lower.js';
import { validateGraph } from '../graph/load.js';
import { readJsonFile } from '../util/json-read.js';

async function readJson(path: string): Promise<unknown> {
  try {
    return await readJsonFile(path);
  } catch (e: unknown) {
    if (e instanceof SyntaxError) throw new UserError(`${path}: not valid JSON (${e.message})`);
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read (${code ?? String(e)})`);
  }
}

export async function lowerOrThrow(graph: SerializedGraph, graphPath: string | undefined, label: string, deps?: LowerDeps): Promise<ActionsFile> {
  const r = await lowerGraph(graph, { ...(graphPath ? { graphPath } : {}), ...(deps ? { deps } : {}) });
  if (!r.ok) throw new UserError(`${label}: ${r.error.message}`);
  return r.value;
}

/** graph.json or actions.json → actions (`deps`, when given, is filled in with what lowering consulted). */
export async function loadJsonInput(path: string, deps?: LowerDeps): Promise<ActionsFile> {
  const x = await readJson(path);
  if (typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'continuity-actions') {
    const r = checkActionsFile(x);
    if (!r.ok) throw new UserError(`${path}: ${r.error}`);
    return r.value;
  }
  const g = await validateGraph(x);
  if (!g.ok) throw new UserError(`${path}: ${g.error}`);
  return lowerOrThrow(g.value, path, path, deps);
}
