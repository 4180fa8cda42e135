#!/usr/bin/env node
// Confession speed on real CMake projects: for each project, in the same run and alternating,
//   A = a real CMake configure + Ninja build (scripts/real-build.sh), and
//   B = `continuity confess cmake` of the same source with the same options, and
//   F = the floor: the same configure and a build whose compilers and linkers only create their outputs
//       (scripts/bench-floor.mjs);
// prints B / A and B / F per repetition (median over REPS) and the median shim overhead (paired calls),
// as Markdown on stdout. `npm run bench:confess` pipes it into BENCHMARKS.md.
//
// Usage: node scripts/bench-confess.mjs [--reps N] [--no-projects] [PROJECT...]   (default: cjson brotli c-ares yaml-cpp)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'bin', 'continuity.js');
const PROJECT_ARGS = { 'yaml-cpp': ['-DYAML_CPP_BUILD_TESTS=OFF'] };

const argv = process.argv.slice(2);
let reps = 1;
let projects = true;
const names = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--reps') reps = Number(argv[++i]);
  else if (argv[i] === '--no-projects') projects = false;
  else names.push(argv[i]);
}
if (!Number.isInteger(reps) || reps < 1) {
  console.error('bench-confess: --reps takes a positive integer');
  process.exit(2);
}
if (names.length === 0 && projects) names.push('cjson', 'brotli', 'c-ares', 'yaml-cpp');
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
function timed(cmd, args, env = process.env) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28, env });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${(r.stderr || r.stdout).slice(-2000)}`);
  return s;
}

const { firstConfessionCache, buildShimsOnce } = await import(join(ROOT, 'scripts', 'bench-caches.mjs'));
const shimWork0 = mkdtempSync(join(tmpdir(), 'continuity-bench-shims-'));
const shimBuild = await buildShimsOnce(ROOT, shimWork0);
rmSync(shimWork0, { recursive: true, force: true });
const { noopLauncher } = await import(pathToFileURL(join(ROOT, 'scripts', 'bench-floor.mjs')).href);
const noopDir = mkdtempSync(join(tmpdir(), 'continuity-bench-noop-'));
const noop = noopLauncher(noopDir);
log(`building the shims with empty caches: ${shimBuild.toFixed(2)} s (once per machine; not counted below)`);

/** A confession's own account of its phases: "in T s (configure A s, build B s, graph C s)". */
function phases(stdout) {
  const m = /in ([\d.]+) s \(configure ([\d.]+) s, build ([\d.]+) s(?:, graph ([\d.]+) s)?\)/.exec(stdout);
  return m ? { total: Number(m[1]), configure: Number(m[2]), build: Number(m[3]), graph: Number(m[4] ?? 0) } : null;
}

const rows = [];
for (const name of names) {
  const src = execFileSync('bash', [join(ROOT, 'scripts', 'fetch-sources.sh'), name], { encoding: 'utf8' })
    .trim().split('\n').pop();
  const extra = PROJECT_ARGS[name] ?? [];
  const real = [];
  const realConf = [];
  const conf = [];
  const confConf = [];
  const ratios = [];
  const properRatios = [];
  const floors = [];
  const floorRatios = [];
  let floorFailed = false;
  for (let r = 0; r < reps; r++) {
    const work = mkdtempSync(join(tmpdir(), `continuity-bench-${name}-`));
    try {
      // Alternate which goes first, so a warming cache does not favour one side.
      const runReal = () => {
        const configure = timed('cmake', ['-S', src, '-B', join(work, 'real'), '-G', 'Ninja', ...extra]);
        const build = timed('cmake', ['--build', join(work, 'real')]);
        return { configure, build };
      };
      // the floor: a step that runs a program the build made fails (the program is an empty file), and
      // Ninja goes on with the rest (-k 0), so the floor is, if anything, too low
      const runFloor = () => {
        const configure = timed('cmake', ['-S', src, '-B', join(work, 'floor'), '-G', 'Ninja', ...noop.cmakeArgs, ...extra]);
        const t0 = process.hrtime.bigint();
        const b = spawnSync('ninja', ['-C', join(work, 'floor'), '-k', '0'], { stdio: 'ignore', env: noop.buildEnv });
        if (b.status !== 0) floorFailed = true;
        return configure + Number(process.hrtime.bigint() - t0) / 1e9;
      };
      // a first confession of the project: empty header-scan and probe caches, the shims already built
      const runConfess = () => {
        const t0 = process.hrtime.bigint();
        const out = spawnSync(process.execPath, [CLI, 'confess', 'cmake', src, '--out', join(work, 'confess'), '--', ...extra],
          { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, XDG_CACHE_HOME: firstConfessionCache(work) } });
        const s = Number(process.hrtime.bigint() - t0) / 1e9;
        if (out.status !== 0) throw new Error(`confess ${name} failed:\n${out.stderr.slice(-2000)}`);
        return { total: s, phases: phases(out.stdout + out.stderr) };
      };
      let a, b, f;
      if (r % 2 === 0) { a = runReal(); f = runFloor(); b = runConfess(); } else { b = runConfess(); f = runFloor(); a = runReal(); }
      floors.push(f);
      floorRatios.push(b.total / f);
      const realTotal = a.configure + a.build;
      real.push(realTotal);
      realConf.push(a.configure);
      conf.push(b.total);
      confConf.push(b.phases?.configure ?? NaN);
      ratios.push(b.total / realTotal);
      // the confession proper (everything but its configure) against the build it stands for
      if (b.phases) properRatios.push((b.total - b.phases.configure) / a.build);
      log(`${name} #${r + 1}: real ${realTotal.toFixed(2)} s (configure ${a.configure.toFixed(2)} s), floor ${f.toFixed(2)} s, confess ${b.total.toFixed(2)} s (configure ${b.phases?.configure ?? '?'} s), ratio ${(b.total / realTotal).toFixed(3)}`);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  rows.push({ name, real: median(real), realConfigure: median(realConf), confess: median(conf), confessConfigure: median(confConf),
    ratio: median(ratios), proper: properRatios.length ? median(properRatios) : NaN,
    floor: median(floors), vsFloor: median(floorRatios), floorFailed });
}

// Shim overhead, measured in pairs: each shim call is timed right after its baseline, alternating, so
// that load on a shared machine hits both sides alike; the figure is the median of the paired differences.
//   - archive: the shim in confess mode (`ar qc`, which writes a token and runs nothing) vs `/bin/true`:
//     what the shim costs beyond starting a process at all;
//   - compile: the shim in confess mode (`gcc -c`, its native header scan included) vs `/bin/true`: what a
//     confessed compile costs in all; and the shim made to scan with the real preprocessor
//     (CONTINUITY_SCANNER=real) vs that scan alone (`gcc -M`): what the shim costs beyond a scan.
log('shim overhead (paired calls)');
const shimWork = mkdtempSync(join(tmpdir(), 'continuity-bench-shim-'));
let arPair, ccPair, ccRealPair;
try {
  const { generateShims } = await import(join(ROOT, 'dist', 'shim', 'generate.js'));
  const set = await generateShims({ dir: join(shimWork, 'shims') });
  writeFileSync(join(shimWork, 'a.c'), '#include "h.h"\n#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\nint f(void){return H;}\n');
  mkdirSync(join(shimWork, 'inc'));
  writeFileSync(join(shimWork, 'inc', 'h.h'), '#define H 1\n');
  writeFileSync(join(shimWork, 'real.o'), 'not an object: the confessing ar does not read it\n');
  const env = { ...process.env, CONTINUITY_MODE: 'confess', CONTINUITY_SPOOL: join(shimWork, 'spool.jsonl'),
    CONTINUITY_PROBE_CACHE: join(shimWork, 'probes') };
  delete env.CONTINUITY_ENDPOINT;
  delete env.CONTINUITY_SECRET;
  const call = (cmd, args, e) => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { cwd: shimWork, env: e, stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status})`);
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  const pairs = (n, base, shim) => {
    const d = [];
    const s = [];
    const b0 = [];
    for (let i = 0; i < n; i++) {
      const a = base();
      const b = shim();
      d.push(b - a);
      s.push(b);
      b0.push(a);
    }
    d.sort((x, y) => x - y);
    s.sort((x, y) => x - y);
    return { median: median(d), p99: d[Math.min(d.length - 1, Math.floor(d.length * 0.99))], shimMedian: median(s), base: b0 };
  };
  arPair = pairs(300, () => call('/bin/true', [], process.env), () => call(join(set.dir, 'ar'), ['qc', 'lib.a', 'real.o'], env));
  const real = set.tools.find((t) => t.name === 'gcc')?.real ?? '/usr/bin/gcc';
  call(join(set.dir, 'gcc'), ['-c', 'a.c', '-Iinc', '-o', 'a.o'], env); // the compiler probe, made once
  ccPair = pairs(150, () => call('/bin/true', [], process.env), () => call(join(set.dir, 'gcc'), ['-c', 'a.c', '-Iinc', '-o', 'a.o'], env));
  ccRealPair = pairs(150, () => call(real, ['a.c', '-Iinc', '-M', '-MF', 'scan.d', '-MQ', 'a.o'], process.env),
    () => call(join(set.dir, 'gcc'), ['-c', 'a.c', '-Iinc', '-o', 'a.o'], { ...env, CONTINUITY_SCANNER: 'real' }));
} finally {
  rmSync(shimWork, { recursive: true, force: true });
  rmSync(noopDir, { recursive: true, force: true });
}

const ok = (v, target) => (v <= target ? 'met' : '**missed**');
const both = (p) => `median ${ok(p.median, 5)}, p99 ${ok(p.p99, 20)}`;
const out = [];
out.push('## Confession (`scripts/bench-confess.mjs`)', '');
out.push(`Machine: ${cpus().length} cores. Each row: a real CMake configure + Ninja build and \`continuity confess cmake\``);
out.push(`of the same source, run alternately in one run (${reps} repetition${reps > 1 ? 's' : ''}, median).`);
out.push(`Load average when the table was written: ${loadavg().map((l) => l.toFixed(1)).join(', ')} (1, 5, 15 min): other work on the machine skews both sides.`);
out.push('Target: confess / (configure + build) ≤ 0.25 for builds over 5 s. A confession configures exactly as the');
out.push('real build does (its compilers pass through), so the configure share of the real build is a floor under the');
out.push('ratio; the last column sets the rest of the confession against the build it stands for. Each confession is a');
out.push(`first one of its project (empty header-scan and compiler-probe caches); the shims were built once before, in ${shimBuild.toFixed(2)} s.`);
out.push('*floor* = the same configure and a build whose compilers and linkers only create their outputs (a do-nothing');
out.push('launcher, `scripts/bench-floor.mjs`); target: confess ≤ 1.5 × floor.', '');
if (rows.length === 0) out.push('(No project measured in this run: `--no-projects`.)', '');
else out.push('| project | real configure + build (s) | of which configure | confess (s) | of which configure | confess / real | target ≤ 0.25 | configure share of real | confess without its configure / real build | floor (s) | confess / floor | target ≤ 1.5 |');
if (rows.length > 0) out.push('|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---|');
for (const r of rows) {
  const target = r.real > 5 ? ok(r.ratio, 0.25) : 'n/a (build ≤ 5 s)';
  out.push(`| ${r.name} | ${r.real.toFixed(2)} | ${r.realConfigure.toFixed(2)} | ${r.confess.toFixed(2)} | ${r.confessConfigure.toFixed(2)} | ${r.ratio.toFixed(3)} | ${target} | ${(r.realConfigure / r.real).toFixed(2)} | ${r.proper.toFixed(3)} | ${r.floor.toFixed(2)}${r.floorFailed ? ' (some steps failed: they run programs the build made)' : ''} | ${r.vsFloor.toFixed(2)} | ${ok(r.vsFloor, 1.5)} |`);
}
out.push('', '### Shim overhead per call (paired, interleaved calls)', '');
out.push('Target: median ≤ 5 ms and p99 ≤ 20 ms per shim call, not counting the header-dependency scan. Each figure is the median');
out.push('(and 99th percentile) of the differences between a shim call and the baseline call made just before it.', '');
out.push('| measure | median (ms) | p99 (ms) | target |');
out.push('|---|---:|---:|---|');
out.push(`| confess \`ar qc\` (token written, report spooled) minus starting \`/bin/true\` (300 pairs) | ${arPair.median.toFixed(3)} | ${arPair.p99.toFixed(3)} | ${both(arPair)} |`);
out.push(`| confess \`gcc -c\` of a file including stdio.h, stdlib.h, string.h, its native header scan included, minus starting \`/bin/true\` (150 pairs) | ${ccPair.median.toFixed(3)} | ${ccPair.p99.toFixed(3)} | ${both(ccPair)} (scan included) |`);
out.push(`| the same call scanning with the real preprocessor (\`CONTINUITY_SCANNER=real\`) minus that scan alone, \`gcc -M\` (150 pairs) | ${ccRealPair.median.toFixed(3)} | ${ccRealPair.p99.toFixed(3)} | ${both(ccRealPair)} |`);
out.push(`| (for scale) \`gcc -M\` of the same file | ${median(ccRealPair.base).toFixed(3)} | | |`);
process.stdout.write(`${out.join('\n')}\n`);
