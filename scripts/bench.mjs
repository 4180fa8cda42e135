#!/usr/bin/env node
// `npm run bench`: compiles the tree, runs every benchmark script present (confess, scale, build, observe),
// prints each table, and rewrites BENCHMARKS.md: one section per script (through bench-section.mjs) and a
// `run` section at the top naming the machine, the date and what ran, was skipped or failed.
// A script that writes its own section (it calls bench-section.mjs itself) is run as is; the others'
// Markdown on stdout is piped into their section here.
//
// Usage: node scripts/bench.mjs [--only NAME,NAME] [--quick] [--large] [--no-build]
//   --quick: the smallest useful run (confess: cjson only; scale: N=100 only, fewer reports; build: fixtures).
//   --large: the scale and build benchmarks add the 10,000-file project (confession and cold builds take many minutes).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const FILE = join(ROOT, 'BENCHMARKS.md');
const SECTION = join(ROOT, 'scripts', 'bench-section.mjs');
const log = (m) => process.stderr.write(`bench: ${m}\n`);

const argv = process.argv.slice(2);
let only = null;
let quick = false;
let large = false;
let build = true;
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--only') only = String(argv[++i] ?? '').split(',').filter(Boolean);
  else if (a === '--quick') quick = true;
  else if (a === '--large') large = true;
  else if (a === '--no-build') build = false;
  else {
    console.error(`bench: unknown argument ${JSON.stringify(a)} (usage: bench.mjs [--only NAME,NAME] [--quick] [--large] [--no-build])`);
    process.exit(2);
  }
}

/** The benchmark scripts, in the order they run, with arguments fit for a 2-core machine. */
const BENCHES = [
  { name: 'scale', file: 'bench-scale.mjs', args: quick ? ['--tus', '100', '--reports', '5000'] : large ? ['--tus', '100,1000', '--large'] : ['--tus', '100,1000'] },
  { name: 'build', file: 'bench-build.sh', args: quick ? ['c-static-exe', 'cxx-subdirs', 'flags-and-spaces'] : large ? ['--large'] : [] },
  { name: 'observe', file: 'bench-observe.sh', args: [] },
  { name: 'confess', file: 'bench-confess.mjs', args: quick ? ['cjson'] : [] },
];
const known = ['confess', 'scale', 'build', 'observe'];
if (only) {
  const bad = only.filter((n) => !known.includes(n));
  if (bad.length) {
    console.error(`bench: unknown benchmark ${bad.join(', ')} (known: ${known.join(', ')})`);
    process.exit(2);
  }
}

/** Replaces a section through bench-section.mjs. */
function writeSection(name, markdown) {
  const r = spawnSync(process.execPath, [SECTION, name, FILE], { input: markdown, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bench-section ${name}: ${r.stderr.trim()}`);
}

/** The `run` section goes first: inserted before the first section when it is new. */
function writeRunSection(markdown) {
  const begin = '<!-- begin:run -->';
  const text = existsSync(FILE) ? readFileSync(FILE, 'utf8') : '';
  if (text.includes(begin) || !text.includes('<!-- begin:')) {
    writeSection('run', markdown);
    return;
  }
  const i = text.indexOf('<!-- begin:');
  const next = `${text.slice(0, i)}${begin}\n${markdown.trimEnd()}\n<!-- end:run -->\n\n${text.slice(i)}`;
  const tmp = `${FILE}.tmp-${process.pid}`;
  writeFileSync(tmp, next);
  renameSync(tmp, FILE);
}

const started = new Date();
const notes = [];
if (build) {
  log('compiling (tsc -p tsconfig.json)');
  const t = spawnSync('npx', ['--no-install', 'tsc', '-p', 'tsconfig.json'], { cwd: ROOT, encoding: 'utf8' });
  if (t.status !== 0) {
    const first = (t.stdout + t.stderr).split('\n').find((l) => l.trim() !== '') ?? '';
    notes.push(`- The TypeScript compile reported errors (first: \`${first.trim()}\`); the benchmarks ran on what it emitted.`);
  }
}
if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) {
  console.error('bench: dist/cli/main.js is missing and could not be built');
  process.exit(1);
}

const results = [];
const runSection = (pending) => {
  const run = [
    '## This run (`npm run bench`)',
    '',
    `Date: ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC. Machine: \`nproc\` = ${cpus().length}.`,
    'Every figure below is a ratio of two things measured side by side in one run, on a machine that may be',
    'shared with other work: absolute seconds are only context. Each section was rewritten by its script in this run',
    'unless the table here says otherwise.',
    '',
    '| section | script | outcome | wall s |',
    '|---|---|---|---:|',
    ...results,
    ...pending.map((b) => `| ${b.name} | \`scripts/${b.file}\` | not run yet (run in progress or interrupted); its section is from an earlier run | |`),
    ...(notes.length ? ['', ...notes] : []),
  ];
  return `${run.join('\n')}\n`;
};
const selected = BENCHES.filter((b) => !only || only.includes(b.name));
for (const [k, b] of selected.entries()) {
  writeRunSection(runSection(selected.slice(k)));
  const path = join(ROOT, 'scripts', b.file);
  if (!existsSync(path)) {
    log(`${b.name}: scripts/${b.file} is not present, skipped`);
    results.push(`| ${b.name} | \`scripts/${b.file}\` | skipped: script not present | |`);
    continue;
  }
  // calls it, that is: a comment that names it (bench-observe.sh's usage line) does not count
  const code = readFileSync(path, 'utf8').split('\n').filter((l) => !/^\s*(#|\/\/)/.test(l));
  const selfWriting = code.some((l) => l.includes('bench-section.mjs'));
  const cmd = b.file.endsWith('.sh') ? 'bash' : process.execPath;
  log(`${b.name}: ${[`scripts/${b.file}`, ...b.args].join(' ')}`);
  const t0 = Date.now();
  const r = spawnSync(cmd, [path, ...b.args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    stdio: ['ignore', selfWriting ? 'inherit' : 'pipe', 'inherit'],
  });
  const secs = ((Date.now() - t0) / 1000).toFixed(0);
  if (r.status !== 0) {
    const why = r.signal ? `killed by ${r.signal}` : `exit ${r.status}`;
    log(`${b.name}: failed (${why})`);
    results.push(`| ${b.name} | \`${[`scripts/${b.file}`, ...b.args].join(' ')}\` | **failed** (${why}); section not measured in this run | ${secs} |`);
    writeSection(b.name, `## ${b.name}\n\nNot measured in the run of ${started.toISOString()}: \`scripts/${b.file}\` failed (${why}).`);
    continue;
  }
  if (!selfWriting) {
    process.stdout.write(`${r.stdout.trimEnd()}\n\n`);
    if (r.stdout.trim() === '') {
      results.push(`| ${b.name} | \`scripts/${b.file}\` | **failed**: printed no Markdown | ${secs} |`);
      continue;
    }
    writeSection(b.name, r.stdout);
  }
  results.push(`| ${b.name} | \`${[`scripts/${b.file}`, ...b.args].join(' ')}\` | ran | ${secs} |`);
}

const runMd = runSection([]);
process.stdout.write(runMd);
writeRunSection(runMd);
log(`BENCHMARKS.md rewritten (${FILE})`);
