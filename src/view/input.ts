// What `continuity view` is pointed at → the graph to show and, when the graph has been lowered, each
// action's key. A directory is a confession's output (its graph.json; actions.json beside it if any).
import { readFile, stat } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import type { SerializedGraph } from '../model/graph.js';
import { UserError } from '../model/result.js';
import { checkActionsFile } from '../lower/lower.js';
import { describeLoadError, loadGraphFile } from './load.js';

export interface ViewInput {
  graphPath: string;
  graph: SerializedGraph;
}

/** `<graph.json | confession dir>` → the checked graph; a UserError naming the cause otherwise. */
export async function loadViewInput(target: string): Promise<ViewInput> {
  let graphPath = target;
  try {
    if ((await stat(target)).isDirectory()) graphPath = join(target, 'graph.json');
  } catch {
    throw new UserError(`${target}: no such file or directory`);
  }
  const r = await loadGraphFile(graphPath);
  if (!r.ok) throw new UserError(describeLoadError(r.error));
  return { graphPath, graph: r.value };
}

/**
 * Action keys from an actions.json made from this graph (same build tree): node key → action key.
 * null when there is none or it belongs to another graph; a file that is there but broken is an error.
 */
export async function loadActionKeys(actionsPath: string, graph: SerializedGraph): Promise<Map<string, string> | null> {
  let text: string;
  try {
    text = await readFile(actionsPath, 'utf8');
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new UserError(`${actionsPath}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e: unknown) {
    throw new UserError(`${actionsPath}: not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const checked = checkActionsFile(data);
  if (!checked.ok) throw new UserError(`${actionsPath}: ${checked.error}`);
  if (checked.value.builddir !== graph.attributes.builddir) return null;
  return new Map(checked.value.actions.map((a) => [a.id, a.key as string]));
}

/** The actions.json that `continuity lower` would put beside graph.json, by convention. */
export const actionsBeside = (graphPath: string): string => join(dirname(graphPath), 'actions.json');
