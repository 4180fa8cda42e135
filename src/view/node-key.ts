// The key shown for a node in the side panel. The lowered action key (actions.json) wins, then a key the
// graph carries; otherwise the sha256 of the node's canonical JSON (keys sorted, no spaces), labelled as
// such so nobody takes it for a cache key.
import { sha256Hex } from '../model/hash.js';
import type { NodeAttributes } from '../model/graph.js';

export interface NodeKeyInfo {
  value: string;
  source: 'lowered' | 'graph' | 'canonical-json';
  label: string;
}

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const fields = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`);
  return `{${fields.join(',')}}`;
}

export function nodeKeyInfo(attributes: NodeAttributes, lowered?: string): NodeKeyInfo {
  if (lowered !== undefined) return { value: lowered, source: 'lowered', label: 'action key' };
  const carried = attributes as unknown as Record<string, unknown>;
  for (const field of ['actionKey', 'key']) {
    const v = carried[field];
    if (typeof v === 'string' && v.length > 0) return { value: v, source: 'graph', label: 'action key' };
  }
  return {
    value: sha256Hex(canonicalJson(attributes)),
    source: 'canonical-json',
    label: 'sha256 of canonical JSON (the graph carries no action key)',
  };
}
