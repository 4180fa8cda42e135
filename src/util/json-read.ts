// JSON files of any size. JSON.parse takes one string, and a V8 string stops at 2^29 - 24 characters
// (about 512 MiB): a 10,000-TU graph.json is past that. A text under `split` bytes is parsed whole; a
// larger one is cut at the members of its outer objects and arrays (as deep as it takes), and the pieces
// are parsed by JSON.parse, an array's elements a batch of up to `split` bytes at a time.
// Must stay true: the value is the one JSON.parse would give for the whole text (an own "__proto__" key
// included), and any text JSON.parse rejects is rejected with a SyntaxError.
import { readFile } from 'node:fs/promises';

/** Texts up to this many bytes go to JSON.parse whole. */
export const SPLIT_BYTES = 64 << 20;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

const isSpace = (c: number | undefined): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

function fail(what: string, at: number): never {
  throw new SyntaxError(`${what} in JSON at position ${at}`);
}

/** The index just past the string whose opening quote is at `q`. */
function skipString(buf: Buffer, q: number, end: number): number {
  let i = q + 1;
  for (;;) {
    const close = buf.indexOf(QUOTE, i);
    if (close < 0 || close >= end) fail('Unterminated string', q);
    let slashes = 0;
    for (let k = close - 1; k > q && buf[k] === BACKSLASH; k--) slashes++;
    if (slashes % 2 === 0) return close + 1;
    i = close + 1;
  }
}

/**
 * The members of the container spanning [start, end) (its brackets included): for each, the range of the
 * whole member and, in an object, where its colon is.
 */
function members(buf: Buffer, start: number, end: number, isObject: boolean): { from: number; to: number; colon: number }[] {
  const out: { from: number; to: number; colon: number }[] = [];
  let depth = 0;
  let from = start + 1;
  let colon = -1;
  const inner = end - 1;
  for (let i = start + 1; i < inner; ) {
    const c = buf[i] as number;
    if (c === QUOTE) {
      i = skipString(buf, i, inner);
      continue;
    }
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) depth++;
    else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (--depth < 0) fail(`Unexpected token ${String.fromCharCode(c)}`, i);
    } else if (depth === 0) {
      if (c === COMMA) {
        out.push({ from, to: i, colon });
        from = i + 1;
        colon = -1;
      } else if (c === COLON && isObject && colon < 0) colon = i;
    }
    i++;
  }
  if (depth !== 0) fail('Unexpected end', end);
  let blank = true;
  for (let i = from; i < inner && blank; i++) blank = isSpace(buf[i]);
  if (!blank || out.length > 0) out.push({ from, to: inner, colon });
  return out;
}

function trimmed(buf: Buffer, start: number, end: number): [number, number] {
  while (start < end && isSpace(buf[start])) start++;
  while (end > start && isSpace(buf[end - 1])) end--;
  return [start, end];
}

function parseRange(buf: Buffer, from: number, to: number, split: number): unknown {
  const [start, end] = trimmed(buf, from, to);
  if (start === end) fail('Unexpected end', from);
  const open = buf[start];
  if (end - start <= split || (open !== OPEN_OBJECT && open !== OPEN_ARRAY)) return JSON.parse(buf.toString('utf8', start, end));
  const isObject = open === OPEN_OBJECT;
  if (buf[end - 1] !== (isObject ? CLOSE_OBJECT : CLOSE_ARRAY)) fail('Unexpected end', end);
  const parts = members(buf, start, end, isObject);
  if (isObject) {
    const o: Record<string, unknown> = {};
    for (const m of parts) {
      if (m.colon < 0) fail("Expected ':' after property name", m.from);
      const [ks, ke] = trimmed(buf, m.from, m.colon);
      if (buf[ks] !== QUOTE) fail('Expected property name', ks);
      const key = JSON.parse(buf.toString('utf8', ks, ke)) as unknown;
      if (typeof key !== 'string') fail('Expected property name', ks);
      const value = parseRange(buf, m.colon + 1, m.to, split);
      // an own property even for "__proto__", as JSON.parse makes it
      Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true });
    }
    return o;
  }
  const a: unknown[] = [];
  // consecutive small elements are parsed together, one JSON.parse per batch of up to `split` bytes
  let i = 0;
  while (i < parts.length) {
    const first = parts[i] as { from: number; to: number };
    if (first.to - first.from > split) {
      a.push(parseRange(buf, first.from, first.to, split));
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < parts.length && (parts[j + 1] as { to: number }).to - first.from <= split) j++;
    const last = parts[j] as { to: number };
    const batch = JSON.parse(`[${buf.toString('utf8', first.from, last.to)}]`) as unknown[];
    if (batch.length !== j - i + 1) fail('Unexpected token', first.from);
    for (const x of batch) a.push(x);
    i = j + 1;
  }
  return a;
}

/** The value of a JSON text held in a buffer, whatever its size. */
export function parseJsonBuffer(buf: Buffer, split: number = SPLIT_BYTES): unknown {
  if (buf.length <= split) return JSON.parse(buf.toString('utf8'));
  // a byte order mark is not JSON (JSON.parse rejects it too)
  return parseRange(buf, 0, buf.length, split);
}

/** A JSON file's value. Read errors are thrown as they come (code ENOENT and so on); bad JSON as a SyntaxError. */
export async function readJsonFile(path: string): Promise<unknown> {
  return parseJsonBuffer(await readFile(path));
}
