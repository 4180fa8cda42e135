// graph.json on disk → a checked SerializedGraph, or one reason it cannot be shown.
// The checks are structural (what the page relies on), not the full schema.
import { readFile } from 'node:fs/promises';
import type { SerializedGraph } from '../model/graph.js';
import { type Result, ok, err } from '../model/result.js';

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
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e: unknown) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT') return err({ reason: 'missing', path });
    return err({ reason: 'unreadable', path, detail: e instanceof Error ? e.message : String(e) });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e: unknown) {
    return err({ reason: 'not-json', path, detail: e instanceof Error ? e.message : String(e) });
  }
  const problem = checkGraph(data);
  if (problem !== null) return err({ reason: 'invalid', path, detail: problem });
  return ok(data as SerializedGraph);
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isStringArray = (x: unknown): boolean => Array.isArray(x) && x.every((s) => typeof s === 'string');
const CATEGORIES = new Set(['compile', 'archive', 'link', 'custom']);

/** null when `data` has the shape of graph.json; otherwise the first problem found, in a few words. */
export function checkGraph(data: unknown): string | null {
  if (!isObject(data)) return 'the top level is not an object';
  const attrs = data['attributes'];
  if (!isObject(attrs)) return 'no graph attributes';
  if (attrs['version'] !== 1) return `unsupported version ${JSON.stringify(attrs['version'])}`;
  const nodes = data['nodes'];
  const edges = data['edges'];
  if (!Array.isArray(nodes)) return 'no nodes array';
  if (!Array.isArray(edges)) return 'no edges array';
  const keys = new Set<string>();
  for (const [i, n] of nodes.entries()) {
    if (!isObject(n) || typeof n['key'] !== 'string') return `node ${i} has no key`;
    const key = n['key'];
    if (keys.has(key)) return `node ${key} appears twice`;
    keys.add(key);
    const a = n['attributes'];
    if (!isObject(a)) return `node ${key} has no attributes`;
    if (a['type'] === 'file') {
      if (typeof a['path'] !== 'string') return `file node ${key} has no path`;
    } else if (a['type'] === 'action') {
      if (typeof a['category'] !== 'string' || !CATEGORIES.has(a['category'])) {
        return `action node ${key} has an unknown category ${JSON.stringify(a['category'])}`;
      }
      for (const field of ['args', 'inputs', 'outputs']) {
        if (!isStringArray(a[field])) return `action node ${key} has no ${field} list`;
      }
    } else {
      return `node ${key} has an unknown type ${JSON.stringify(a['type'])}`;
    }
  }
  for (const [i, e] of edges.entries()) {
    if (!isObject(e) || typeof e['source'] !== 'string' || typeof e['target'] !== 'string') {
      return `edge ${i} has no source or target`;
    }
    if (!keys.has(e['source'])) return `edge ${i} starts at unknown node ${e['source']}`;
    if (!keys.has(e['target'])) return `edge ${i} ends at unknown node ${e['target']}`;
  }
  return null;
}
