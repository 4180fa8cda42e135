// A compact JSON form for large, repetitive values (lowered actions): every string is kept once, in a
// table, and every object as an array tagged with its key list. In: any JSON value; out: text that
// parses several times faster than plain JSON of the same value, and decodes back to an equal value.
// Encoded: a string is its index in `strings`; an array is [0, ...items], or [-1, ...numbers] when it holds
// numbers only; an object is [shape + 1, ...values] with its keys in `shapes[shape]`; any other number is
// {"n": value}; true, false and null are themselves.
import type { StorePath } from '../model/seed.js';
import type { ActionsFile, LoweredInput } from './actions.js';

type Encoded = number | boolean | null | { n: number } | Encoded[];

interface CompactDoc {
  compact: 1;
  strings: string[];
  shapes: string[][];
  value: Encoded;
}

export function encodeCompact(root: unknown): string {
  const strings = new Map<string, number>();
  const shapes = new Map<string, number>();
  const shapeList: string[][] = [];
  const enc = (v: unknown): Encoded => {
    if (typeof v === 'string') {
      let i = strings.get(v);
      if (i === undefined) {
        i = strings.size;
        strings.set(v, i);
      }
      return i;
    }
    if (v === null || v === undefined) return null;
    if (typeof v === 'boolean') return v;
    if (typeof v === 'number') return { n: v };
    if (Array.isArray(v)) {
      if (v.length > 0 && v.every((x) => typeof x === 'number')) return [-1, ...(v as number[])];
      const out: Encoded[] = [0];
      for (const x of v) out.push(enc(x));
      return out;
    }
    if (typeof v !== 'object') throw new Error(`cannot encode a ${typeof v}`);
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).filter((k) => o[k] !== undefined);
    const sig = JSON.stringify(keys); // unambiguous: [] and [''] differ
    let s = shapes.get(sig);
    if (s === undefined) {
      s = shapeList.length;
      shapes.set(sig, s);
      shapeList.push(keys);
    }
    const out: Encoded[] = [s + 1];
    for (const k of keys) out.push(enc(o[k]));
    return out;
  };
  const value = enc(root);
  const doc: CompactDoc = { compact: 1, strings: [...strings.keys()], shapes: shapeList, value };
  return JSON.stringify(doc);
}

/** Decodes encodeCompact's text; throws on text it did not make. */
export function decodeCompact(text: string): unknown {
  const doc = JSON.parse(text) as Partial<CompactDoc>;
  if (doc.compact !== 1 || !Array.isArray(doc.strings) || !Array.isArray(doc.shapes)) throw new Error('not a compact document');
  const { strings, shapes } = doc as CompactDoc;
  const dec = (e: Encoded): unknown => {
    if (typeof e === 'number') {
      const s = strings[e];
      if (s === undefined) throw new Error(`string ${e} out of range`);
      return s;
    }
    if (e === null || typeof e === 'boolean') return e;
    if (!Array.isArray(e)) return e.n;
    const tag = e[0];
    if (tag === -1) return e.slice(1);
    if (tag === 0) {
      const out = new Array<unknown>(e.length - 1);
      for (let i = 1; i < e.length; i++) out[i - 1] = dec(e[i] as Encoded);
      return out;
    }
    const keys = typeof tag === 'number' ? shapes[tag - 1] : undefined;
    if (!keys || keys.length !== e.length - 1) throw new Error('malformed object');
    const o: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as string;
      const v = dec(e[i + 1] as Encoded);
      if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
      else o[k] = v;
    }
    return o;
  };
  return dec(doc.value as Encoded);
}

/**
 * Lowered actions in compact form, with each distinct input (and store path) kept once and actions naming
 * theirs by index: at 10,000 compiles, 1.9 million inputs are 22 thousand distinct ones. Decoded actions
 * share those input objects, which nothing changes in place.
 */
export function encodeActions(file: ActionsFile): string {
  // Each input and store path goes into its table once: the objects lowering shares among actions are
  // found by identity, equal copies by their fields.
  const tableOf = <T extends object>(table: T[], keyOf: (x: T) => string) => {
    const byObject = new Map<T, number>();
    const byKey = new Map<string, number>();
    return (x: T): number => {
      let n = byObject.get(x);
      if (n !== undefined) return n;
      const k = keyOf(x);
      n = byKey.get(k);
      if (n === undefined) {
        n = table.length;
        table.push(x);
        byKey.set(k, n);
      }
      byObject.set(x, n);
      return n;
    };
  };
  const inputs: LoweredInput[] = [];
  const storePaths: StorePath[] = [];
  const inputAt = tableOf(inputs, (i) => (i.kind === 'source' ? `s\0${i.path}\0${i.host}\0${i.sha256}\0${i.fake === true ? 1 : 0}` : `g\0${i.path}\0${i.producer}\0${i.output}`));
  const pathAt = tableOf(storePaths, (p) => `${p.hash}\0${p.name}`);
  const actions = file.actions.map((a) => ({ ...a, inputs: a.inputs.map(inputAt), action: { ...a.action, inputs: a.action.inputs.map(pathAt) } }));
  return encodeCompact({ ...file, actions, tables: { inputs, storePaths } });
}

/** Decodes encodeActions' text (the result is to be checked like any actions file read from disk). */
export function decodeActions(text: string): unknown {
  const doc = decodeCompact(text) as { actions?: unknown; tables?: { inputs?: unknown; storePaths?: unknown } };
  const inputs = doc.tables?.inputs;
  const storePaths = doc.tables?.storePaths;
  if (!Array.isArray(doc.actions) || !Array.isArray(inputs) || !Array.isArray(storePaths)) throw new Error('not compact actions');
  const at = <T>(table: readonly T[], n: unknown): T => {
    const v = typeof n === 'number' ? table[n] : undefined;
    if (v === undefined) throw new Error(`index ${String(n)} out of range`);
    return v;
  };
  const { tables: _tables, ...file } = doc;
  return {
    ...file,
    actions: (doc.actions as { inputs: unknown[]; action: { inputs: unknown[] } }[]).map((a) => ({
      ...a,
      inputs: a.inputs.map((n) => at(inputs, n)),
      action: { ...a.action, inputs: a.action.inputs.map((n) => at(storePaths, n)) },
    })),
  };
}
