#!/usr/bin/env node
// Confession and collector at scale, on synthetic projects from scripts/synth.mjs (CMake flavour).
// For each N, side by side in one run (order alternating between repetitions):
//   real  = CMake configure + Ninja build with the real compilers;
//   floor = the same configure + a build whose compilers and linkers do nothing but create their -o
//           output (a launcher compiled here that runs the real tool during configure only);
//   confess = `continuity confess cmake` of the same source.
// Then the collector: many concurrent clients (a C program that speaks exactly as a shim does: one
// connection per report, with the secret) flood it with realistic compile reports, side by side on three
// paths: through the build's relay (what the shims do when the drivers run one: a Unix socket, no wait on
// the collector, batches on one WebSocket), directly over WebSocket to the collector (the fallback, and
// what every shim did before the relay), and directly to a bare WebSocket server that only counts
// messages. Each rate is reports over the time from the clients' start to the last report's arrival at the
// server. Prints Markdown.
//
// Usage: node scripts/bench-scale.mjs [--tus 100,1000] [--large] [--reps N] [--reports N] [--clients N]
//        [--no-confess] [--no-collector] [-j N]
import { spawnSync, fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync, readdirSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'bin', 'continuity.js');
const SELF = fileURLToPath(import.meta.url);
const log = (m) => process.stderr.write(`bench-scale: ${m}\n`);

// ---------------------------------------------------------------- collector child (forked by the parent)
if (process.argv[2] === '--child') {
  const kind = process.argv[3];
  const expected = Number(process.argv[4]);
  const relayBinary = process.argv[5];
  let count = 0;
  let malformed = 0;
  let lastAt = process.hrtime.bigint();
  let rejected = () => 0;
  let stored = () => count;
  let has = () => false;
  let endpoint;
  let relaySocket = null;
  let secret;
  let close;
  let relayStats = async () => null;
  if (kind === 'direct' || kind === 'relay') {
    const { Collector } = await import(pathToFileURL(join(ROOT, 'dist', 'collector', 'server.js')).href);
    const c = new Collector();
    await c.start();
    c.on('report', () => { count++; lastAt = process.hrtime.bigint(); });
    c.on('malformed', () => malformed++);
    rejected = () => c.rejectedClients;
    stored = () => c.reports.size;
    has = (rid) => c.reports.has(rid);
    endpoint = c.endpoint;
    secret = c.secret;
    close = () => c.close();
    if (kind === 'relay') {
      const { startRelay } = await import(pathToFileURL(join(ROOT, 'dist', 'collector', 'relay.js')).href);
      const r = await startRelay({ binary: relayBinary, endpoint: c.endpoint, secret: c.secret });
      if (!r.ok) { console.error(`bench-scale: ${r.error}`); process.exit(1); }
      relaySocket = r.value.socket;
      let stats;
      relayStats = async () => (stats ??= await r.value.stop());
    }
  } else {
    // The bare baseline: the same library, the same check of the secret, no parsing and no storing.
    const { WebSocketServer } = await import('ws');
    secret = 'bare-baseline-secret';
    const want = `Bearer ${secret}`;
    let bad = 0;
    const wss = new WebSocketServer({
      host: '127.0.0.1', port: 0,
      verifyClient: (info, cb) => { const ok = info.req.headers.authorization === want; if (!ok) bad++; cb(ok, 401); },
    });
    await new Promise((r) => wss.once('listening', r));
    wss.on('connection', (ws) => { ws.on('message', () => { count++; lastAt = process.hrtime.bigint(); }); ws.on('error', () => ws.terminate()); });
    endpoint = `127.0.0.1:${wss.address().port}`;
    rejected = () => bad;
    close = () => new Promise((r) => { for (const c of wss.clients) c.terminate(); wss.close(() => r()); });
  }
  const peakRss = () => {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : process.resourceUsage().maxRSS * 1024;
  };
  process.on('message', async (m) => {
    if (m === 'stats') {
      // The clients are done; the relay may still be flushing its last batch. Wait for every report (or
      // ten seconds without one), then drain the relay.
      for (let idle = 0; count < expected && idle < 1000; idle++) {
        const before = count;
        await new Promise((r) => setTimeout(r, 10));
        if (count !== before) idle = 0;
      }
      const cpu = process.cpuUsage(cpu0);
      const relay = await relayStats();
      process.send({
        count, stored: stored(), malformed, rejected: rejected(), rss: peakRss(), expected, cpu: (cpu.user + cpu.system) / 1e6,
        lastAt: String(lastAt), badStored: has('bad0-0'), relay: relay === null ? null : relay.ok ? relay.value : { error: relay.error },
      });
      await close();
      process.exit(0);
    }
  });
  const cpu0 = process.cpuUsage();
  process.send({ endpoint: relaySocket ?? endpoint, secret });
  await new Promise(() => {});
}

// ---------------------------------------------------------------- arguments
const argv = process.argv.slice(2);
let tusList = [100, 1000];
let reps = 1;
let reports = 20000;
let clients = 32;
let jobs = cpus().length;
let doConfess = true;
let doCollector = true;
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  const num = () => {
    const v = Number(argv[++i]);
    if (!Number.isInteger(v) || v < 1) { console.error(`bench-scale: ${a} takes a positive integer`); process.exit(2); }
    return v;
  };
  if (a === '--tus') {
    tusList = String(argv[++i] ?? '').split(',').map(Number);
    if (tusList.some((n) => !Number.isInteger(n) || n < 10)) { console.error('bench-scale: --tus takes a comma-separated list of integers ≥ 10'); process.exit(2); }
  } else if (a === '--large') tusList = [...new Set([...tusList, 10000])];
  else if (a === '--reps') reps = num();
  else if (a === '--reports') reports = num();
  else if (a === '--clients') clients = num();
  else if (a === '-j') jobs = num();
  else if (a === '--no-confess') doConfess = false;
  else if (a === '--no-collector') doCollector = false;
  else { console.error(`bench-scale: unknown argument ${JSON.stringify(a)}`); process.exit(2); }
}
if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) {
  console.error('bench-scale: dist/ is missing; run `npm run build` first');
  process.exit(1);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Runs a command, returns wall seconds; throws with the tail of its output on failure. */
function timed(cmd, args, opts = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28, ...opts });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${(r.stderr || r.stdout || '').slice(-2000)}`);
  return s;
}

const work = mkdtempSync(join(tmpdir(), 'continuity-bench-scale-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

function cc(name, source) {
  writeFileSync(join(work, `${name}.c`), source);
  timed('cc', ['-O2', '-pthread', '-o', join(work, name), join(work, `${name}.c`)]);
  return join(work, name);
}


// Load for the collector: T threads, each sending its share of reports the way a shim does (connect,
// upgrade with the bearer secret, one text frame, a close frame, wait for the server's close).
const CLIENT_C = String.raw`
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
static const char *host, *secret, *pre, *post, *tag;
static int port, total, threads;
static long failures;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int put(int fd, const char *p, size_t n) {
  while (n) { ssize_t w = write(fd, p, n); if (w <= 0) return -1; p += w; n -= (size_t)w; }
  return 0;
}
static int frame(int fd, int op, const char *d, size_t n) {
  unsigned char h[14]; size_t k = 0;
  h[k++] = (unsigned char)(0x80 | op);
  if (n < 126) h[k++] = (unsigned char)(0x80 | n);
  else if (n < 65536) { h[k++] = 0x80 | 126; h[k++] = (unsigned char)(n >> 8); h[k++] = (unsigned char)n; }
  else { h[k++] = 0x80 | 127; for (int i = 7; i >= 0; i--) h[k++] = (unsigned char)((unsigned long long)n >> (8 * i)); }
  unsigned char m[4] = {1, 2, 3, 4}; memcpy(h + k, m, 4); k += 4;
  char *b = malloc(k + n); memcpy(b, h, k);
  for (size_t i = 0; i < n; i++) b[k + i] = (char)(d[i] ^ m[i & 3]);
  int rc = put(fd, b, k + n); free(b); return rc;
}
/* What a shim does with a relay (relay_send in shims/relay.c): connect, the secret and the report on one
 * line each, close; no answer is awaited. */
static int one_relay(int t, int i) {
  int fd = socket(AF_UNIX, SOCK_STREAM, 0); if (fd < 0) return -1;
  struct sockaddr_un su = {0}; su.sun_family = AF_UNIX; strncpy(su.sun_path, host, sizeof su.sun_path - 1);
  if (connect(fd, (struct sockaddr *)&su, sizeof su) != 0) { close(fd); return -1; }
  size_t ls = strlen(secret), lp = strlen(pre), lq = strlen(post);
  char *msg = malloc(ls + 1 + lp + lq + 40);
  memcpy(msg, secret, ls); msg[ls] = '\n';
  memcpy(msg + ls + 1, pre, lp); int lr = sprintf(msg + ls + 1 + lp, "%s%d-%d", tag, t, i); memcpy(msg + ls + 1 + lp + lr, post, lq);
  msg[ls + 1 + lp + (size_t)lr + lq] = '\n';
  int rc = put(fd, msg, ls + 1 + lp + (size_t)lr + lq + 1);
  free(msg);
  close(fd); return rc;
}
static int one(int t, int i) {
  if (host[0] == '/') return one_relay(t, i);
  int fd = socket(AF_INET, SOCK_STREAM, 0); if (fd < 0) return -1;
  int on = 1; setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  struct sockaddr_in sa = {0}; sa.sin_family = AF_INET; sa.sin_port = htons((unsigned short)port);
  inet_pton(AF_INET, host, &sa.sin_addr);
  if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) { close(fd); return -1; }
  char req[1024];
  int n = snprintf(req, sizeof req, "GET /report HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer %s\r\n\r\n", host, port, secret);
  if (put(fd, req, (size_t)n)) { close(fd); return -1; }
  char resp[2048]; size_t got = 0;
  while (got < sizeof resp - 1) { ssize_t r = read(fd, resp + got, sizeof resp - 1 - got); if (r <= 0) break; got += (size_t)r; resp[got] = 0; if (strstr(resp, "\r\n\r\n")) break; }
  resp[got] = 0;
  if (strncmp(resp, "HTTP/1.1 101", 12) != 0) { close(fd); return -1; }
  size_t lp = strlen(pre), lq = strlen(post);
  char *msg = malloc(lp + lq + 40);
  memcpy(msg, pre, lp); int lr = sprintf(msg + lp, "%s%d-%d", tag, t, i); memcpy(msg + lp + lr, post, lq);
  static const char bye[2] = {0x03, (char)0xE8};
  int rc = frame(fd, 1, msg, lp + (size_t)lr + lq) || frame(fd, 8, bye, 2) ? -1 : 0;
  free(msg);
  shutdown(fd, SHUT_WR);
  char sink[512]; while (read(fd, sink, sizeof sink) > 0) {}
  close(fd); return rc;
}
static void *run(void *arg) {
  int t = (int)(long)arg; long bad = 0;
  for (int i = t; i < total; i += threads) if (one(t, i)) bad++;
  pthread_mutex_lock(&mu); failures += bad; pthread_mutex_unlock(&mu);
  return NULL;
}
static char *slurp(const char *p) {
  FILE *f = fopen(p, "rb"); if (!f) { perror(p); exit(2); }
  fseek(f, 0, SEEK_END); long n = ftell(f); rewind(f);
  char *b = malloc((size_t)n + 1); if (fread(b, 1, (size_t)n, f) != (size_t)n) exit(2); b[n] = 0; fclose(f); return b;
}
/* client HOST|SOCKET PORT SECRET TOTAL THREADS PREFIX_FILE SUFFIX_FILE TAG: prints "start_ns seconds failures"
 * (start on CLOCK_MONOTONIC, the clock of Node's process.hrtime) */
int main(int argc, char **argv) {
  if (argc != 9) return 2;
  host = argv[1]; port = atoi(argv[2]); secret = argv[3]; total = atoi(argv[4]); threads = atoi(argv[5]);
  pre = slurp(argv[6]); post = slurp(argv[7]); tag = argv[8];
  pthread_t *ts = calloc((size_t)threads, sizeof *ts);
  struct timespec a, b; clock_gettime(CLOCK_MONOTONIC, &a);
  for (int t = 0; t < threads; t++) pthread_create(&ts[t], NULL, run, (void *)(long)t);
  for (int t = 0; t < threads; t++) pthread_join(ts[t], NULL);
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("%lld %.6f %ld\n", (long long)a.tv_sec * 1000000000LL + a.tv_nsec, (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9, failures);
  return 0;
}
`;

// ---------------------------------------------------------------- confession at scale
const confessRows = [];
let scanInput;
let shimBuild = null;
const { firstConfessionCache, buildShimsOnce } = await import(pathToFileURL(join(ROOT, 'scripts', 'bench-caches.mjs')).href);
if (doConfess) {
  shimBuild = await buildShimsOnce(ROOT, work);
  log(`building the shims with empty caches: ${shimBuild.toFixed(2)} s (once per machine; not counted below)`);
  const { noopLauncher } = await import(pathToFileURL(join(ROOT, 'scripts', 'bench-floor.mjs')).href);
  // graph.json of 10,000 TUs is longer than one string may be: read as the product reads it
  const { readJsonFile } = await import(pathToFileURL(join(ROOT, 'dist', 'util', 'json-read.js')).href);
  const { cmakeArgs: launch, buildEnv: noopEnv } = noopLauncher(work);
  for (const tus of tusList) {
    const src = join(work, `synth-${tus}`);
    const s = spawnSync(process.execPath, [join(ROOT, 'scripts', 'synth.mjs'), '--tus', String(tus), '--flavour', 'cmake', '--out', src], { encoding: 'utf8' });
    if (s.status !== 0) throw new Error(`synth.mjs failed: ${s.stderr}`);
    const shape = JSON.parse(s.stdout);
    const real = [];
    const floor = [];
    const conf = [];
    let compiles = 0;
    for (let r = 0; r < reps; r++) {
      const d = join(work, `run-${tus}-${r}`);
      const runReal = () => timed('cmake', ['-S', src, '-B', join(d, 'real'), '-G', 'Ninja', '-DCMAKE_EXPORT_COMPILE_COMMANDS=ON']) + timed('ninja', ['-C', join(d, 'real'), '-j', String(jobs)]);
      const runFloor = () => timed('cmake', ['-S', src, '-B', join(d, 'floor'), '-G', 'Ninja', ...launch]) +
        timed('ninja', ['-C', join(d, 'floor'), '-j', String(jobs)], { env: noopEnv });
      // a first confession of the project: empty header-scan and compiler-probe caches, the shims already built
      const runConfess = () => timed(process.execPath, [CLI, 'confess', 'cmake', src, '--out', join(d, 'confess'), '--quiet', '-j', String(jobs)],
        { env: { ...process.env, XDG_CACHE_HOME: firstConfessionCache(d) } });
      const order = r % 2 === 0 ? ['real', 'floor', 'confess'] : ['confess', 'floor', 'real'];
      const t = {};
      for (const k of order) {
        log(`N=${tus} #${r + 1}: ${k}`);
        t[k] = k === 'real' ? runReal() : k === 'floor' ? runFloor() : runConfess();
      }
      real.push(t.real);
      floor.push(t.floor);
      conf.push(t.confess);
      const g = await readJsonFile(join(d, 'confess', 'graph.json'));
      compiles = g.nodes.filter((n) => n.attributes.type === 'action' && n.attributes.category === 'compile').length;
      log(`N=${tus} #${r + 1}: real ${t.real.toFixed(2)} s, floor ${t.floor.toFixed(2)} s, confess ${t.confess.toFixed(2)} s, ${compiles} compiles`);
      // the scan section runs on the largest project of at most 1,000 TUs (six passes over every compile)
      if (r === 0 && tus <= 1000 && (!scanInput || scanInput.tus < tus)) scanInput = { tus, src, compdb: readFileSync(join(d, 'real', 'compile_commands.json'), 'utf8') };
      rmSync(d, { recursive: true, force: true });
    }
    confessRows.push({ tus, shape, real: median(real), floor: median(floor), confess: median(conf), compiles,
      vsReal: median(conf.map((c, i) => c / real[i])), vsFloor: median(conf.map((c, i) => c / floor[i])) });
  }
}

// ---------------------------------------------------------------- header dependency scanning
// Measured on the largest project's compile database, `jobs` at a time: (a) the real preprocessor alone,
// `-M` per TU (the reference); the confess-mode shim on each compile (b) with the real preprocessor
// (CONTINUITY_SCANNER=real, no scan cache: what every first confession paid before the native scanner),
// (c) with the native scanner and no compiler probes kept yet (a first confession on a new machine),
// (d) native with the probes kept, (e) native with an empty scan cache (it scans and keeps), (f) with the
// scan cache warm (a re-confession). Every answer must equal the preprocessor's. Then one shared header
// changes: the warm shims must miss exactly the TUs that include it, and every answer must equal a fresh scan's.
let scan;
let scanError;
if (scanInput) try {
  const { appendFileSync, mkdirSync } = await import('node:fs');
  const { spawn } = await import('node:child_process');
  const { generateShims } = await import(pathToFileURL(join(ROOT, 'dist', 'shim', 'generate.js')).href);
  const entries = JSON.parse(scanInput.compdb);
  const words = (cmd) => cmd.match(/(?:[^\s"']+|"[^"]*"|'[^']*')+/g).map((w) => w.replace(/^["']|["']$/g, ''));
  const outOf = (a) => a[a.indexOf('-o') + 1];
  const scanArgs = (e) => {
    const a = words(e.command);
    const out = [];
    for (let i = 1; i < a.length; i++) {
      if (a[i] === '-o' || a[i] === '-MF' || a[i] === '-MT' || a[i] === '-MQ') { i++; continue; }
      if (a[i] === '-c' || a[i] === '-MD' || a[i] === '-MMD') continue;
      out.push(a[i]);
    }
    return { tool: a[0], args: out };
  };
  const parseDeps = (text) => text.replace(/\\\n/g, ' ').split(':').slice(1).join(':').trim().split(/\s+/).filter(Boolean);
  const depfile = (i) => join(work, `scan-${i}.d`);
  const run = (tool, args, cwd, env) => new Promise((res, rej) => {
    const p = spawn(tool, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => { err += d; });
    p.on('error', rej);
    p.on('close', (c) => (c === 0 ? res(err) : rej(new Error(`${tool} ${args.join(' ')}: exit ${c}: ${err.slice(0, 300)}`))));
  });
  const scanOne = async (e, i) => {
    const { tool, args } = scanArgs(e);
    await run(tool, [...args, '-M', '-MF', depfile(i)], e.directory, process.env);
    return parseDeps(readFileSync(depfile(i), 'utf8')).map((f) => resolve(e.directory, f));
  };
  const pool = async (fn) => {
    const results = new Array(entries.length);
    let next = 0;
    await Promise.all(Array.from({ length: jobs }, async () => {
      while (next < entries.length) { const i = next++; results[i] = await fn(entries[i], i); }
    }));
    return results;
  };
  const shims = await generateShims({ dir: join(work, 'scan-shims') });
  const stats = join(work, 'scan-stats.tsv');
  // One confess-mode shim call per compile; returns its header deps (from its report) and how the scan was
  // answered (CONTINUITY_SCAN_STATS: cache, fast or real).
  const shimOne = ({ cache, scanner, probes }) => async (e, i) => {
    const a = words(e.command);
    const spool = join(work, `scan-spool-${i}.jsonl`);
    const st = `${stats}.${i}`;
    rmSync(spool, { force: true });
    rmSync(st, { force: true });
    const env = { ...process.env, CONTINUITY_MODE: 'confess', CONTINUITY_SPOOL: spool, CONTINUITY_SCANNER: scanner,
      CONTINUITY_PROBE_CACHE: probes, CONTINUITY_SCAN_STATS: st };
    delete env.CONTINUITY_SCAN_CACHE;
    if (cache) env.CONTINUITY_SCAN_CACHE = cache;
    await run(join(shims.dir, a[0].split('/').pop()), a.slice(1), e.directory, env);
    const rep = JSON.parse(readFileSync(spool, 'utf8').trim().split('\n').pop());
    const how = readFileSync(st, 'utf8').split('\t')[0];
    return { deps: [...rep.deps].filter((f) => f !== resolve(e.directory, e.file)).sort(), how, hit: how === 'cache' };
  };
  const timedPool = async (fn) => { const t0 = process.hrtime.bigint(); const r = await pool(fn); return [Number(process.hrtime.bigint() - t0) / 1e9, r]; };
  const same = (xs, ys) => xs.every((x, i) => x.deps.join('\n') === ys[i].deps.join('\n'));

  // The build trees are gone; the scan needs only their directories (sources and -I paths are absolute).
  for (const e of entries) mkdirSync(dirname(resolve(e.directory, outOf(words(e.command)))), { recursive: true });
  const cacheDir = join(work, 'scan-cache');
  const probes = join(work, 'scan-probes');
  log(`scan: ${entries.length} TUs: preprocessor (-M); shims: real preprocessor, native (new probes, kept probes), cold cache, warm cache; ${jobs} at a time`);
  const [preprocessor, fresh] = await timedPool(scanOne);
  const [shimReal, viaReal] = await timedPool(shimOne({ cache: null, scanner: 'real', probes }));
  const [nativeFirst, first] = await timedPool(shimOne({ cache: null, scanner: 'fast', probes }));
  const [nativeKept, plain] = await timedPool(shimOne({ cache: null, scanner: 'fast', probes }));
  const [shimCold, cold] = await timedPool(shimOne({ cache: cacheDir, scanner: 'fast', probes }));
  const [shimWarm, warm] = await timedPool(shimOne({ cache: cacheDir, scanner: 'fast', probes }));
  const freshDeps = fresh.map((d, i) => ({ deps: d.filter((f) => f !== resolve(entries[i].directory, entries[i].file)).sort() }));
  const realSame = same(viaReal, freshDeps);
  const plainSame = same(plain, freshDeps) && same(first, freshDeps);
  const native = plain.filter((p) => p.how === 'fast').length;
  const warmSame = same(warm, plain) && same(cold, plain);
  const warmHits = warm.filter((w) => w.hit).length;
  const probeCount = readdirSync(join(probes, 'probe')).reduce((n, d) => n + readdirSync(join(probes, 'probe', d)).length, 0);
  // Change one library's public header: exactly the TUs whose scan lists it must miss.
  const header = join(scanInput.src, 'libs', 'mod000', 'include', 'mod000', 'mod000.h');
  appendFileSync(header, '/* changed */\n');
  const users = plain.map((p) => p.deps.includes(header));
  const [, after] = await timedPool(shimOne({ cache: cacheDir, scanner: 'fast', probes }));
  const missesRight = after.every((a, i) => a.hit === !users[i]);
  const [, afterFresh] = await timedPool(shimOne({ cache: null, scanner: 'real', probes }));
  const afterSame = same(after, afterFresh);
  scan = { tus: entries.length, preprocessor, shimReal, nativeFirst, nativeKept, shimCold, shimWarm, realSame, plainSame, native,
    probeCount, warmSame, warmHits, missesRight, afterSame, invalidated: users.filter(Boolean).length };
  log(`scan: preprocessor ${preprocessor.toFixed(2)} s, shims with it ${shimReal.toFixed(2)} s, native ${nativeFirst.toFixed(2)} s / ${nativeKept.toFixed(2)} s (${native} native), cold ${shimCold.toFixed(2)} s, warm ${shimWarm.toFixed(2)} s (${warmHits} hits)`);
} catch (e) {
  scanError = e instanceof Error ? e.message.split('\n')[0] : String(e);
  log(`scan failed: ${scanError}`);
}

// ---------------------------------------------------------------- collector throughput
const collectorRows = [];
if (doCollector) {
  const client = cc('ws-client', CLIENT_C);
  const { generateShims, REPORT_RELAY } = await import(pathToFileURL(join(ROOT, 'dist', 'shim', 'generate.js')).href);
  const relayBinary = join((await generateShims({ dir: join(work, 'relay-shims') })).dir, REPORT_RELAY);
  // A realistic compile report (about the size a shim sends for a TU with ~40 headers).
  const deps = Array.from({ length: 40 }, (_, i) => `/src/synth/libs/mod${String(i % 20).padStart(3, '0')}/include/h${i}.h`);
  const args = ['-DNDEBUG', '-I/src/synth/include', '-I/src/synth/libs/mod007/include', '-O2', '-std=c99', '-MD', '-MT', 'x.o', '-MF', 'x.o.d', '-o', 'x.o', '-c', '/src/synth/libs/mod007/src/f001.c'];
  const template = {
    v: 1, rid: '@@RID@@', tool: 'cc', kind: 'cc', real: '/usr/bin/gcc', mode: 'confess', role: 'compile',
    cwd: '/tmp/build', argv: ['cc', ...args], args, env: { LANG: 'C' },
    inputs: [{ path: '/src/synth/libs/mod007/src/f001.c', token: null }], outputs: [{ path: '/tmp/build/x.o', token: 'tok' }],
    deps, depfile: '/tmp/build/x.o.d', exit: 0, t0: 1, t1: 2,
  };
  const [pre, post] = JSON.stringify(template).split('@@RID@@');
  writeFileSync(join(work, 'pre'), pre);
  writeFileSync(join(work, 'post'), post);
  const bytes = JSON.stringify(template).length;

  const once = async (kind) => {
    const child = fork(SELF, ['--child', kind, String(reports), relayBinary], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const first = await new Promise((res, rej) => { child.once('message', res); child.once('exit', (c) => rej(new Error(`${kind} child exited ${c}`))); });
    const [host, port] = first.endpoint.startsWith('/') ? [first.endpoint, '0'] : first.endpoint.split(':');
    const r = spawnSync(client, [host, port, first.secret, String(reports), String(clients), join(work, 'pre'), join(work, 'post'), 't'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ws-client failed: ${r.stderr}`);
    const [start, clientSecs, failures] = r.stdout.trim().split(' ');
    // A wrong secret must be refused: one connection with a bad token, whose report must not be stored.
    const bad = spawnSync(client, [host, port, 'not-the-secret', '1', '1', join(work, 'pre'), join(work, 'post'), 'bad'], { encoding: 'utf8' });
    child.send('stats');
    const stats = await new Promise((res) => child.on('message', (m) => { if (m && typeof m === 'object' && 'rss' in m) res(m); }));
    // from the clients' start to the last report's arrival (the same monotonic clock in both processes)
    const secs = Math.max(Number(clientSecs), Number(BigInt(stats.lastAt) - BigInt(start)) / 1e9);
    const refusedCount = kind === 'relay' ? (stats.relay?.refused ?? 0) : stats.rejected;
    return { kind, secs, clientSecs: Number(clientSecs), failures: Number(failures), badRefused: !stats.badStored && refusedCount >= 1, ...stats };
  };
  for (let r = 0; r < reps; r++) {
    const order = r % 2 === 0 ? ['relay', 'direct', 'bare'] : ['bare', 'direct', 'relay'];
    const res = {};
    for (const k of order) {
      log(`collector #${r + 1}: ${k}, ${reports} reports, ${clients} concurrent clients`);
      res[k] = await once(k);
      const x = res[k];
      log(`collector #${r + 1}: ${k} ${(reports / x.secs).toFixed(0)} reports/s (clients done in ${x.clientSecs.toFixed(2)} s, last report at ${x.secs.toFixed(2)} s), got ${x.count}, rss ${(x.rss / 2 ** 20).toFixed(0)} MiB${x.relay ? `, relay ${JSON.stringify(x.relay)}` : ''}`);
    }
    collectorRows.push({ ...res, bytes });
  }
}

// ---------------------------------------------------------------- Markdown
const met = (ok) => (ok ? 'met' : '**missed**');
const f2 = (x) => x.toFixed(2);
const out = [];
out.push('## Scale (`scripts/bench-scale.mjs`)', '');
out.push(`Machine: ${cpus().length} cores, shared with other work while this ran (absolute seconds are noisy; the ratios`);
out.push(`compare runs made side by side, order alternating). Builds use -j ${jobs}. ${reps} repetition${reps > 1 ? 's' : ''}, median.`);
if (confessRows.length) {
  out.push('', '### Confession of synthetic projects (`scripts/synth.mjs`, CMake flavour, seed 1)', '');
  out.push('*real* = configure + Ninja build with the real compilers; *floor* = the same configure + a build whose');
  out.push('compilers and linkers only create their output (a do-nothing launcher); *confess* = `continuity confess cmake`,');
  out.push(`a first confession of the project (empty header-scan and compiler-probe caches; the shims, built once per machine,`);
  out.push(`took ${shimBuild === null ? '?' : shimBuild.toFixed(2)} s to build with empty caches and are not counted).`, '');
  out.push('| TUs | libraries / programs | compiles confessed | real (s) | floor (s) | confess (s) | confess / real | target ≤ 0.25 (builds > 5 s) | confess / floor | target ≤ 1.5 |');
  out.push('|---:|---|---:|---:|---:|---:|---:|---|---:|---|');
  for (const r of confessRows) {
    const t1 = r.real > 5 ? met(r.vsReal <= 0.25) : 'n/a (build ≤ 5 s)';
    out.push(`| ${r.tus} | ${r.shape.libraries} / ${r.shape.programs} | ${r.compiles}${r.compiles === r.tus ? '' : ' (**wrong**)'} | ${f2(r.real)} | ${f2(r.floor)} | ${f2(r.confess)} | ${r.vsReal.toFixed(3)} | ${t1} | ${r.vsFloor.toFixed(2)} | ${met(r.vsFloor <= 1.5)} |`);
  }
  if (!tusList.includes(10000)) out.push('', 'The 10,000-TU project (target: confession under 2 minutes on 2 cores) runs only with `--large`: **not measured** in this run.');
  else {
    const big = confessRows.find((r) => r.tus === 10000);
    if (big) out.push('', `10,000 TUs: confession took ${f2(big.confess)} s (target < 120 s on 2 cores): ${met(big.confess < 120)}.`);
  }
}
if (scan) {
  const yes = (b) => (b ? 'yes' : '**no**');
  out.push('', `### Header dependency scanning (${scan.tus} TUs of the ${scanInput.tus}-TU project, ${jobs} at a time)`, '');
  out.push('| what runs per compile | seconds | / preprocessor | same header deps as the preprocessor |');
  out.push('|---|---:|---:|---|');
  out.push(`| real preprocessor, \`-M\` per file (reference) | ${scan.preprocessor.toFixed(2)} | 1.00 | (reference) |`);
  out.push(`| confess-mode shim running the real preprocessor (\`CONTINUITY_SCANNER=real\`, no scan cache) | ${scan.shimReal.toFixed(2)} | ${(scan.shimReal / scan.preprocessor).toFixed(2)} | ${yes(scan.realSame)} |`);
  out.push(`| confess-mode shim, native scanner, first run on this machine (${scan.probeCount} compiler probes made) | ${scan.nativeFirst.toFixed(2)} | ${(scan.nativeFirst / scan.preprocessor).toFixed(3)} | ${yes(scan.plainSame)} |`);
  out.push(`| confess-mode shim, native scanner, probes kept (\`--no-scan-cache\`) | ${scan.nativeKept.toFixed(2)} | ${(scan.nativeKept / scan.preprocessor).toFixed(3)} | ${yes(scan.plainSame)} (${scan.native} of ${scan.tus} native) |`);
  out.push(`| confess-mode shim, native scanner, empty scan cache (scans and keeps) | ${scan.shimCold.toFixed(2)} | ${(scan.shimCold / scan.preprocessor).toFixed(3)} | ${yes(scan.warmSame)} |`);
  out.push(`| confess-mode shim, warm scan cache (a re-confession) | ${scan.shimWarm.toFixed(2)} | ${(scan.shimWarm / scan.preprocessor).toFixed(3)} | ${yes(scan.warmSame)} (${scan.warmHits} of ${scan.tus} from the cache) |`);
  out.push('| `clang-scan-deps` (Debian clang-tools) | not measured | | clang-tools is not installed on this machine |');
  out.push('', `After one shared header changed, the warm shims scanned afresh exactly the ${scan.invalidated} TUs that include it: ${yes(scan.missesRight)};`);
  out.push(`every answer then equals the real preprocessor's: ${yes(scan.afterSame)}. The shim rows include starting the shim, writing`);
  out.push('tokens and reports; a first confession pays the native rows (the scan cache only helps when a project is confessed again).');
}
if (scanError) out.push('', `### Header dependency scanning`, '', `**Not measured**: the scan failed (${scanError}).`);
if (collectorRows.length) {
  const paths = ['relay', 'direct', 'bare'];
  const col = (k) => collectorRows.map((r) => r[k]);
  const rate = (x) => reports / x.secs;
  const perCpu = (x) => x.count / x.cpu;
  const relayCpu = (x) => x.relay?.cpuSeconds ?? NaN;
  const perAllCpu = (x) => x.count / (x.cpu + (x.relay ? relayCpu(x) : 0));
  const m = (k, f) => median(col(k).map(f));
  const lost = (k) => Math.max(...col(k).map((x) => reports - (k === 'bare' ? x.count : x.stored)));
  const rss = (k) => Math.max(...col(k).map((x) => x.rss)) / 2 ** 20;
  const refused = (k) => (col(k).every((x) => x.badRefused) ? 'yes' : '**no**');
  const ratio = (a, b) => (Number.isFinite(a / b) ? (a / b).toFixed(2) : '');
  const relayRate = m('relay', rate);
  out.push('', `### Collector (${reports} reports of ${collectorRows[0].bytes} bytes, ${clients} concurrent clients, one connection per report as the shims make)`, '');
  out.push('*relay* = what a shim does in a confession now: its report over the build\'s relay (a Unix socket in a private');
  out.push('directory, secret then report, no answer awaited), batched by the relay onto one WebSocket to the collector.');
  out.push('*direct* = what a shim does without a relay (and what every shim did before): its own WebSocket to the collector,');
  out.push('upgrade with the secret, one message, wait for the close. *bare* = the same direct clients against a WebSocket');
  out.push('server on the same library that checks the secret and only counts messages. A rate is reports over the time');
  out.push('from the clients\' start to the last report\'s arrival at the server (the relay\'s last batch included).', '');
  out.push('| measure | relay | direct | bare | relay / direct | relay / bare | target |');
  out.push('|---|---:|---:|---:|---:|---:|---|');
  out.push(`| reports per second | ${paths.map((k) => m(k, rate).toFixed(0)).join(' | ')} | ${ratio(relayRate, m('direct', rate))} | ${ratio(relayRate, m('bare', rate))} | ≥ 5,000/s: ${met(relayRate >= 5000)} |`);
  out.push(`| reports per CPU-second of the server process | ${paths.map((k) => m(k, perCpu).toFixed(0)).join(' | ')} | ${ratio(m('relay', perCpu), m('direct', perCpu))} | ${ratio(m('relay', perCpu), m('bare', perCpu))} | (capacity with a whole core) |`);
  out.push(`| reports per CPU-second of server and relay together | ${m('relay', perAllCpu).toFixed(0)} | ${m('direct', perCpu).toFixed(0)} | ${m('bare', perCpu).toFixed(0)} | ${ratio(m('relay', perAllCpu), m('direct', perCpu))} | ${ratio(m('relay', perAllCpu), m('bare', perCpu))} | |`);
  out.push(`| WebSocket messages the server took | ${m('relay', (x) => x.relay?.messages ?? NaN)} | ${reports} | ${reports} | | | |`);
  out.push(`| reports lost | ${paths.map(lost).join(' | ')} | | | none: ${met(paths.every((k) => lost(k) === 0))} |`);
  const relayRss = Math.max(...col('relay').map((x) => (x.relay?.maxRssKiB ?? NaN) / 1024));
  out.push(`| peak RSS of the server process (MiB) | ${paths.map((k) => rss(k).toFixed(0)).join(' | ')} | ${ratio(rss('relay'), rss('direct'))} | ${ratio(rss('relay'), rss('bare'))} | < 1 GiB: ${met(paths.every((k) => rss(k) < 1024))} |`);
  out.push(`| peak RSS of the relay (MiB) | ${relayRss.toFixed(1)} | | | | | |`);
  out.push(`| client without the secret refused | ${paths.map(refused).join(' | ')} | | | |`);
}
process.stdout.write(`${out.join('\n')}\n`);
process.exit(0);
