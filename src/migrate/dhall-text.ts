// Dhall source text: literals, labels, and a small layout printer (flat when it fits, one item per line
// otherwise, in the style of `dhall format`). Same value in, same text out.
export type Doc =
  | { t: 'atom'; s: string }
  | { t: 'list'; items: Doc[]; empty: string }
  | { t: 'record'; fields: [string, Doc][] }
  | { t: 'concat'; parts: Doc[] }
  | { t: 'app'; fn: string; arg: Doc };

export const atom = (s: string): Doc => ({ t: 'atom', s });
export const list = (items: Doc[], elementType: string): Doc => ({
  t: 'list',
  items,
  empty: `[] : List ${elementType.includes(' ') ? `(${elementType})` : elementType}`,
});
export const record = (fields: [string, Doc][]): Doc => ({ t: 'record', fields });
export const app = (fn: string, arg: Doc): Doc => ({ t: 'app', fn, arg });
export const concat = (parts: Doc[]): Doc => (parts.length === 1 ? (parts[0] as Doc) : { t: 'concat', parts });

const KEYWORDS = new Set([
  'if', 'then', 'else', 'let', 'in', 'as', 'using', 'merge', 'missing', 'Infinity', 'NaN', 'Some', 'None', 'toMap', 'with',
  'forall', 'assert', 'showConstructor', 'Type', 'Kind', 'Sort', 'Bool', 'True', 'False', 'Natural', 'Integer', 'Double',
  'Text', 'List', 'Optional', 'Location',
]);

/** A label, quoted with backticks when it is not a plain identifier. */
export function label(s: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(s) && !KEYWORDS.has(s) && !s.includes('/') ? s : `\`${s.replace(/`/g, '')}\``;
}

export function text(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '$') out += '\\$';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\u${c.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

const WIDTH = 80;

function flat(d: Doc): string {
  switch (d.t) {
    case 'atom':
      return d.s;
    case 'list':
      return d.items.length === 0 ? d.empty : `[ ${d.items.map(flat).join(', ')} ]`;
    case 'record':
      return d.fields.length === 0 ? '{=}' : `{ ${d.fields.map(([k, v]) => `${label(k)} = ${flat(v)}`).join(', ')} }`;
    case 'concat':
      return d.parts.map(flat).join(' # ');
    case 'app': {
      const a = flat(d.arg);
      return `${d.fn} ${d.arg.t === 'concat' || d.arg.t === 'app' ? `(${a})` : a}`;
    }
  }
}

const pad = (n: number): string => ' '.repeat(n);

/** `d` laid out for a line that starts at column `col`. */
export function layout(d: Doc, col: number): string {
  const f = flat(d);
  if (!f.includes('\n') && col + f.length <= WIDTH) return f;
  switch (d.t) {
    case 'atom':
      return d.s;
    case 'list':
      if (d.items.length === 0) return d.empty;
      return `${d.items.map((it, i) => `${i === 0 ? '[ ' : `${pad(col)}, `}${layout(it, col + 2)}`).join('\n')}\n${pad(col)}]`;
    case 'record':
      return `${d.fields
        .map(([k, v], i) => {
          const head = `${i === 0 ? '{ ' : `${pad(col)}, `}${label(k)} =`;
          const vf = flat(v);
          if (col + head.length + 1 + vf.length <= WIDTH && !vf.includes('\n')) return `${head} ${vf}`;
          return `${head}\n${pad(col + 4)}${layout(v, col + 4)}`;
        })
        .join('\n')}\n${pad(col)}}`;
    case 'concat':
      return d.parts.map((p, i) => `${i === 0 ? '  ' : `${pad(col)}# `}${layout(p, col + 2)}`).join('\n');
    case 'app':
      return `${d.fn}\n${pad(col + 2)}${d.arg.t === 'concat' || d.arg.t === 'app' ? `( ${layout(d.arg, col + 4)}\n${pad(col + 2)})` : layout(d.arg, col + 2)}`;
  }
}
