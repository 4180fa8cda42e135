#!/usr/bin/env node
// Replaces one named section of BENCHMARKS.md with the Markdown read from stdin, keeping every other section.
// Sections are delimited by <!-- begin:NAME --> and <!-- end:NAME -->; a new section is appended.
// Usage: some-benchmark | node scripts/bench-section.mjs NAME [BENCHMARKS.md]
import { readFileSync, writeFileSync, renameSync, existsSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const [name, fileArg] = process.argv.slice(2);
if (!name || !/^[a-z0-9-]+$/.test(name)) {
  console.error('bench-section: usage: bench-section.mjs NAME [FILE] (NAME: lowercase letters, digits, dashes)');
  process.exit(2);
}
const file = resolve(fileArg ?? resolve(dirname(fileURLToPath(import.meta.url)), '..', 'BENCHMARKS.md'));
const body = readFileSync(0, 'utf8').trimEnd();
if (body === '') {
  console.error(`bench-section: no Markdown on stdin for section ${name}; ${file} left as it was`);
  process.exit(1);
}
const begin = `<!-- begin:${name} -->`;
const end = `<!-- end:${name} -->`;
const block = `${begin}\n${body}\n${end}`;
let text = existsSync(file)
  ? readFileSync(file, 'utf8')
  : '# Benchmarks\n\nEvery figure is a ratio of two things measured side by side in the same run; each section names the\nscript that wrote it and the machine it ran on.\n';
const i = text.indexOf(begin);
const j = text.indexOf(end);
if (i >= 0 && j > i) text = text.slice(0, i) + block + text.slice(j + end.length);
else text = `${text.trimEnd()}\n\n${block}\n`;
const tmp = `${file}.tmp-${process.pid}`;
writeFileSync(tmp, text.endsWith('\n') ? text : `${text}\n`);
renameSync(tmp, file);
