#!/usr/bin/env node
// Confession speed on real CMake projects: for each project, in the same run and alternating,
//   A = a real CMake configure + Ninja build (scripts/real-build.sh), and
//   B = `continuity confess cmake` of the same source with the same options;
// prints B / A per repetition (median over REPS) and the median shim overhead (scripts/bench-shim.sh),
// as Markdown on stdout. `npm run bench:confess` pipes it into BENCHMARKS.md.
//
// Usage: node scripts/bench-confess.mjs [--reps N] [PROJECT...]   (default: cjson brotli c-ares yaml-cpp)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'bin', 'continuity.js');
const PROJECT_ARGS = { 'yaml-cpp': ['-DYAML_CPP_BUILD_TESTS=OFF'] };

const argv = process.argv.slice(2);
let reps = 1;
const names = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--reps') reps = Number(argv[++i]);
  else names.push(argv[i]);
}
if (!Number.isInteger(reps) || reps < 1) {
  console.error('bench-confess: --reps takes a positive integer');
  process.exit(2);
}
if (names.length === 0) names.push('cjson', 'brotli', 'c-ares', 'yaml-cpp');
if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) {
  console.error('bench-confess: dist/ is missing; run `npm run build` first');
  process.exit(1);
}

const log = (m) => process.stderr.write(`bench-confess: ${m}\n`);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Runs a command, returns wall seconds; throws with its output on failure. */
function timed(cmd, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${(r.stderr || r.stdout).slice(-2000)}`);
  return s;
}

const rows = [];
for (const name of names) {
  const src = execFileSync('bash', [join(ROOT, 'scripts', 'fetch-sources.sh'), name], { encoding: 'utf8' })
    .trim().split('\n').pop();
  const extra = PROJECT_ARGS[name] ?? [];
  const real = [];
  const conf = [];
  const ratios = [];
  for (let r = 0; r < reps; r++) {
    const work = mkdtempSync(join(tmpdir(), `continuity-bench-${name}-`));
    try {
      // Alternate which goes first, so a warming cache does not favour one side.
      const runReal = () => timed('bash', [join(ROOT, 'scripts', 'real-build.sh'), src, join(work, 'real'), ...extra]);
      const runConfess = () => timed(process.execPath, [CLI, 'confess', 'cmake', src, '--out', join(work, 'confess'), '--quiet', '--', ...extra]);
      let a, b;
      if (r % 2 === 0) { a = runReal(); b = runConfess(); } else { b = runConfess(); a = runReal(); }
      real.push(a);
      conf.push(b);
      ratios.push(b / a);
      log(`${name} #${r + 1}: real ${a.toFixed(2)} s, confess ${b.toFixed(2)} s, ratio ${(b / a).toFixed(3)}`);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  rows.push({ name, real: median(real), confess: median(conf), ratio: median(ratios) });
}

// Shim overhead: the harness prints "label n=N median X ms p99 Y ms" lines.
log('shim overhead (scripts/bench-shim.sh)');
const shimOut = execFileSync('bash', [join(ROOT, 'scripts', 'bench-shim.sh'), '300', '100'], { encoding: 'utf8' });
const shim = {};
for (const line of shimOut.split('\n')) {
  const m = /^(.*?)\s+n=\d+\s+median\s+([\d.]+) ms\s+p99\s+([\d.]+) ms/.exec(line);
  if (m) shim[m[1].trim()] = { median: Number(m[2]), p99: Number(m[3]) };
}
const need = (k) => {
  if (!shim[k]) throw new Error(`bench-shim.sh printed no "${k}" line:\n${shimOut}`);
  return shim[k];
};
const arShim = need('shim confess ar (no scan)');
const arReal = need('real ar');
const ccConfess = need('shim confess gcc -c (scan + rest)');
const ccScan = need('real scan alone (gcc -M -MF)');
const ccReal = need('real gcc -c');

const ok = (v, target) => (v <= target ? 'met' : '**missed**');
const out = [];
out.push('## Confession (`scripts/bench-confess.mjs`)', '');
out.push(`Machine: ${cpus().length} cores. Each row: a real CMake configure + Ninja build and \`continuity confess cmake\``);
out.push(`of the same source, run alternately in one run (${reps} repetition${reps > 1 ? 's' : ''}, median).`);
out.push('Target: confess / (configure + build) ≤ 0.25 for builds over 5 s.', '');
out.push('| project | real configure + build (s) | confess (s) | confess / real | target |');
out.push('|---|---:|---:|---:|---|');
for (const r of rows) {
  const target = r.real > 5 ? ok(r.ratio, 0.25) : 'n/a (build ≤ 5 s)';
  out.push(`| ${r.name} | ${r.real.toFixed(2)} | ${r.confess.toFixed(2)} | ${r.ratio.toFixed(3)} | ${target} |`);
}
out.push('', '### Shim overhead per call (`scripts/bench-shim.sh 300 100`)', '');
out.push('Target: median ≤ 5 ms per shim call, not counting the header-dependency scan.', '');
out.push('| measure | median (ms) | p99 (ms) | target |');
out.push('|---|---:|---:|---|');
out.push(`| shim in confess mode, \`ar qc\` (whole shim, no scan) | ${arShim.median.toFixed(3)} | ${arShim.p99.toFixed(3)} | ${ok(arShim.median, 5)} |`);
out.push(`| real \`ar qc\`, beside it | ${arReal.median.toFixed(3)} | ${arReal.p99.toFixed(3)} | |`);
out.push(`| shim in confess mode, \`gcc -c\` (scan + rest) | ${ccConfess.median.toFixed(3)} | ${ccConfess.p99.toFixed(3)} | |`);
out.push(`| real scan alone, \`gcc -M\` | ${ccScan.median.toFixed(3)} | ${ccScan.p99.toFixed(3)} | |`);
out.push(`| shim without the scan (difference of the two medians above) | ${(ccConfess.median - ccScan.median).toFixed(3)} | | ${ok(ccConfess.median - ccScan.median, 5)} |`);
out.push(`| real \`gcc -c\`, beside it | ${ccReal.median.toFixed(3)} | ${ccReal.p99.toFixed(3)} | |`);
process.stdout.write(`${out.join('\n')}\n`);
