// Continuity's own code as one hash, so that what was cached by one version is not taken for another's.
// In: the modules that decide what an action is and how it runs (graph/, lower/, execute/, model/, util/)
// and the graph schema; out: the sha256 of their names and bytes, computed once per process.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256Hex } from '../model/hash.js';

const self = fileURLToPath(import.meta.url);
const ROOT = resolve(dirname(self), '..'); // dist/ (or src/ when run from source)
const PARTS = ['graph', 'lower', 'execute', 'model', 'util'];
const SCHEMA = resolve(ROOT, '..', 'schema', 'graph.schema.json');

let cached: string | undefined;

function walk(dir: string, ext: string, out: string[]): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, ext, out);
    else if (e.isFile() && p.endsWith(ext)) out.push(p);
  }
}

export function codeIdentity(): string {
  if (cached !== undefined) return cached;
  const files: string[] = [];
  for (const part of PARTS) walk(join(ROOT, part), extname(self), files);
  files.sort();
  const lines = files.map((f) => `${relative(ROOT, f)}\0${sha256Hex(readFileSync(f))}`);
  lines.push(`schema\0${sha256Hex(readFileSync(SCHEMA))}`);
  cached = sha256Hex(lines.join('\n'));
  return cached;
}
