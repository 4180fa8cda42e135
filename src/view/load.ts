// graph.json on disk → a checked SerializedGraph, or one reason it cannot be shown.
// Checked by the one graph validator (src/graph/load.ts): schema, edges, no cycle.
import type { SerializedGraph } from '../model/graph.js';
import { type Result, ok, err } from '../model/result.js';
import { validateGraph } from '../graph/load.js';
import { readJsonFile } from '../util/json-read.js';

export type LoadError =
  | { reason: 'missing'; path: string }
  | { reason: 'unreadable'; path: string; detail: string }
  | { reason: 'not-json'; path: string; detail: string }
  | { reason: 'invalid'; path: string; detail: string };

export function describeLoadError(e: LoadError): string {
  switch (e.reason) {
    case 'missing':
      return `${e.path}: no such file`;
    case 'unreadable':
      return `${e.path}: cannot read: ${e.detail}`;
    case 'not-json':
      return `${e.path}: not JSON: ${e.detail}`;
    case 'invalid':
      return `${e.path}: not a graph.json: ${e.detail}`;
  }
}

export async function loadGraphFile(path: string): Promise<Result<SerializedGraph, LoadError>> {
  let data: unknown;
  try {
    data = await readJsonFile(path);
  } catch (e: unknown) {
    if (e instanceof SyntaxError) return err({ reason: 'not-json', path, detail: e.message });
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT') return err({ reason: 'missing', path });
    return err({ reason: 'unreadable', path, detail: e instanceof Error ? e.message : String(e) });
  }
  const checked = await validateGraph(data);
  if (!checked.ok) return err({ reason: 'invalid', path, detail: checked.error });
  return ok(checked.value);
}
