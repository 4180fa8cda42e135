// No report lost: the spool is the durable record and the socket only the live feed. The collector is
// closed in the middle of a confession, or stalls, or the relay is SIGKILLed, or shims are SIGKILLed
// mid-report; merging the spool at the end still yields every step exactly once, and a torn record never
// corrupts the next one. Thousands of shims at once through the relay lose nothing even live.
import { describe, it, expect, beforeAll } from 'vitest';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { execa } from 'execa';
import { Collector } from '../../src/collector/server.js';
import { startRelay } from '../../src/collector/relay.js';
import { parseReport, type Report } from '../../src/model/report.js';
import { parseToken } from '../../src/model/token.js';
import { REPORT_RELAY, type ShimSet } from '../../src/shim/generate.js';
import { makeShims, tempDir, write, REAL_PATH } from '../shim/helpers.js';
import { writeSynthetic, configureWithShims, buildConfessing } from './synthetic.js';

async function spoolRecords(file: string): Promise<{ good: Report[]; torn: string[] }> {
  const good: Report[] = [];
  const torn: string[] = [];
  for (const line of (await fs.readFile(file, 'utf8')).split('\n')) {
    if (line === '') continue;
    const r = parseReport(line);
    if (r.ok) good.push(r.value);
    else torn.push(line);
  }
  return { good, torn };
}

/** A TCP server that accepts connections and never answers: a hung collector. */
async function stalledEndpoint(): Promise<{ endpoint: string; close: () => Promise<void> }> {
  const socks: net.Socket[] = [];
  const srv = net.createServer((s) => {
    socks.push(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  return {
    endpoint: `127.0.0.1:${port}`,
    close: () => new Promise((r) => { for (const s of socks) s.destroy(); srv.close(() => r()); }),
  };
}

const byRole = (rs: Report[]): Record<string, number> => {
  const m: Record<string, number> = {};
  for (const r of rs) m[r.role] = (m[r.role] ?? 0) + 1;
  return m;
};

describe('no report lost', () => {
  let set: ShimSet;
  beforeAll(async () => {
    set = await makeShims();
  });

  it('the collector closed mid-confession: the spool merged at the end restores every report, once', async () => {
    const root = await tempDir('collector-killed');
    const syn = await writeSynthetic(path.join(root, 'src'), 6, 30);
    const build = path.join(root, 'build');
    await configureWithShims(set, syn.dir, build);
    const c = new Collector();
    await c.start();
    let live = 0;
    let closing: Promise<void> | null = null;
    c.on('report', () => {
      live++;
      if (live === 40) closing = c.close();
    });
    const spool = path.join(root, 'spool.jsonl');
    const r = await buildConfessing(set, build, 16, spool, { endpoint: c.endpoint, secret: c.secret });
    expect(r.exitCode, r.all).toBe(0);
    await closing;
    const liveRids = new Set(c.reports.keys());
    const { good, torn } = await spoolRecords(spool);
    expect(torn).toEqual([]);
    c.mergeSpoolText(await fs.readFile(spool, 'utf8'));
    // The fault really happened: the live feed missed most reports.
    expect(liveRids.size).toBeGreaterThanOrEqual(40);
    expect(liveRids.size).toBeLessThan(good.length);
    // Every live report is in the spool, and the merge holds exactly the spool's reports.
    for (const rid of liveRids) expect(good.some((g) => g.rid === rid)).toBe(true);
    expect(new Set(c.reports.keys())).toEqual(new Set(good.map((g) => g.rid)));
    expect(good.length).toBe(new Set(good.map((g) => g.rid)).size);
    expect(c.malformed).toEqual([]);
    const roles = byRole(c.ordered());
    expect(roles['compile']).toBe(syn.compiles);
    expect(roles['archive']).toBe(syn.archives);
    expect(roles['link']).toBe(syn.links);
  });

  it('the relay SIGKILLed mid-confession: the shims report directly, the build succeeds, the merge has every report once', async () => {
    const root = await tempDir('relay-killed');
    const syn = await writeSynthetic(path.join(root, 'src'), 6, 30);
    const build = path.join(root, 'build');
    await configureWithShims(set, syn.dir, build);
    const c = new Collector();
    await c.start();
    const relay = await startRelay({ binary: path.join(set.dir, REPORT_RELAY), endpoint: c.endpoint, secret: c.secret });
    if (!relay.ok) throw new Error(relay.error);
    let live = 0;
    let afterKill = -1;
    c.on('report', () => {
      live++;
      if (afterKill >= 0) afterKill++;
      if (live === 40) {
        process.kill(relay.value.pid, 'SIGKILL');
        afterKill = 0;
      }
    });
    try {
      const spool = path.join(root, 'spool.jsonl');
      const r = await buildConfessing(set, build, 16, spool, { endpoint: c.endpoint, secret: c.secret, relay: relay.value.socket });
      expect(r.exitCode, r.all).toBe(0);
      expect(await relay.value.stop()).toEqual({ ok: false, error: 'the relay ended during the build (SIGKILL)' });
      // The fault really happened mid-build, and the shims after it went to the collector themselves.
      const { good, torn } = await spoolRecords(spool);
      expect(torn).toEqual([]);
      expect(live).toBeLessThanOrEqual(good.length);
      expect(afterKill).toBeGreaterThan(0);
      const liveRids = new Set(c.reports.keys());
      c.mergeSpoolText(await fs.readFile(spool, 'utf8'));
      for (const rid of liveRids) expect(good.some((g) => g.rid === rid)).toBe(true);
      expect(new Set(c.reports.keys())).toEqual(new Set(good.map((g) => g.rid)));
      expect(c.malformed).toEqual([]);
      const roles = byRole(c.ordered());
      expect(roles['compile']).toBe(syn.compiles);
      expect(roles['archive']).toBe(syn.archives);
      expect(roles['link']).toBe(syn.links);
    } finally {
      await c.close();
    }
  });

  it('3,000 shims, 256 at a time, through the relay: every report arrives live, exactly once', async () => {
    const dir = await tempDir('relay-many');
    await write(dir, { 'a.c': 'int a(void) { return 1; }\n' });
    const spool = path.join(dir, 'spool.jsonl');
    const env = { PATH: `${set.dir}:${REAL_PATH}`, CONTINUITY_MODE: 'confess', CONTINUITY_SPOOL: spool };
    await execa('gcc', ['-c', 'a.c', '-o', 'a.o'], { cwd: dir, env, extendEnv: false, stdin: 'ignore' });
    const c = new Collector();
    await c.start();
    const relay = await startRelay({ binary: path.join(set.dir, REPORT_RELAY), endpoint: c.endpoint, secret: c.secret });
    if (!relay.ok) throw new Error(relay.error);
    try {
      const n = 3000;
      // each shim archives the token object: no real tool runs, every call is a report
      const list = Array.from({ length: n }, (_, i) => `lib${i}.a`).join('\n');
      const r = await execa('xargs', ['-P', '256', '-I{}', path.join(set.dir, 'ar'), 'qc', '{}', 'a.o'], {
        cwd: dir, input: list, extendEnv: false, reject: false,
        env: { ...env, CONTINUITY_ENDPOINT: c.endpoint, CONTINUITY_SECRET: c.secret, CONTINUITY_RELAY: relay.value.socket },
      });
      expect(r.exitCode, r.stderr).toBe(0);
      const stats = await relay.value.stop();
      expect(stats.ok && stats.value).toMatchObject({ connections: n, forwarded: n, refused: 0, torn: 0, dropped: 0 });
      expect(stats.ok && stats.value.messages).toBeLessThan(n);
      const live = new Set(c.reports.keys());
      expect(live.size).toBe(n);
      const { good, torn } = await spoolRecords(spool);
      expect(torn).toEqual([]);
      expect(good).toHaveLength(n + 1);
      c.mergeSpoolText(await fs.readFile(spool, 'utf8'));
      // the merge adds only the compile made before the relay ran
      expect(c.reports.size).toBe(n + 1);
      expect(c.ordered().filter((x) => x.role === 'archive')).toHaveLength(n);
    } finally {
      await relay.value.stop();
      await c.close();
    }
  });

  it('a collector that accepts connections and never answers stalls no build and loses nothing', async () => {
    const root = await tempDir('collector-stalled');
    const syn = await writeSynthetic(path.join(root, 'src'), 1, 8);
    const build = path.join(root, 'build');
    await configureWithShims(set, syn.dir, build);
    const hung = await stalledEndpoint();
    try {
      const spool = path.join(root, 'spool.jsonl');
      const r = await buildConfessing(set, build, 16, spool, { endpoint: hung.endpoint, secret: 'x'.repeat(64) });
      expect(r.exitCode, r.all).toBe(0);
      const { good, torn } = await spoolRecords(spool);
      expect(torn).toEqual([]);
      expect(byRole(good)['compile']).toBe(syn.compiles);
    } finally {
      await hung.close();
    }
  });

  it('a record torn by a killed writer is reported by the merge and never runs into the next record', async () => {
    const dir = await tempDir('torn');
    await write(dir, { 'a.c': 'int a(void) { return 1; }\n' });
    const spool = path.join(dir, 'spool.jsonl');
    const env = { PATH: `${set.dir}:${REAL_PATH}`, CONTINUITY_MODE: 'confess', CONTINUITY_SPOOL: spool };
    await execa('gcc', ['-c', 'a.c', '-o', 'first.o'], { cwd: dir, env, extendEnv: false, stdin: 'ignore' });
    const first = await fs.readFile(spool, 'utf8');
    // What a writer killed mid-write leaves: the first part of a record, no newline.
    await fs.appendFile(spool, first.trim().slice(0, 97));
    await execa('gcc', ['-c', 'a.c', '-o', 'second.o'], { cwd: dir, env, extendEnv: false, stdin: 'ignore' });
    const { good, torn } = await spoolRecords(spool);
    expect(torn).toHaveLength(1);
    expect(good.map((g) => path.basename(g.outputs[0]!.path))).toEqual(['first.o', 'second.o']);
    const c = new Collector();
    c.mergeSpoolText(await fs.readFile(spool, 'utf8'));
    expect(c.reports.size).toBe(2);
    expect(c.malformed).toHaveLength(1);
    expect(c.malformed[0]).toMatch(/^spool: not valid JSON/);
  });

  it('shims SIGKILLed at random points leave whole records and whole tokens (or none), never half of one', async () => {
    const dir = await tempDir('sigkill');
    const n = 30;
    const files: Record<string, string> = { 'h.h': '#define V 3\n' };
    for (let i = 0; i < n + 5; i++) files[`s${i}.c`] = `#include "h.h"\nint s${i}(void) { return V + ${i}; }\n`;
    await write(dir, files);
    const spool = path.join(dir, 'spool.jsonl');
    const hung = await stalledEndpoint();
    try {
      const env = {
        PATH: `${set.dir}:${REAL_PATH}`, CONTINUITY_MODE: 'confess', CONTINUITY_SPOOL: spool,
        CONTINUITY_ENDPOINT: hung.endpoint, CONTINUITY_SECRET: 'k'.repeat(64),
      };
      // Kill times spread over the shim's life: argument parsing, the header scan, the token write,
      // the spool append and the (stalled) send.
      const runs = Array.from({ length: n }, (_, i) => {
        const p = execa(path.join(set.dir, 'gcc'), ['-c', `s${i}.c`, '-o', `s${i}.o`], { cwd: dir, env, extendEnv: false, stdin: 'ignore', reject: false });
        const delay = (i * 7919) % 90;
        setTimeout(() => p.kill('SIGKILL'), delay);
        return p;
      });
      const results = await Promise.all(runs);
      const killed = results.filter((r) => r.signal === 'SIGKILL').length;
      expect(killed).toBeGreaterThan(n / 2);
      // Later shims (no endpoint) write whole records after whatever the killed ones left.
      const after = { ...env, CONTINUITY_ENDPOINT: '', CONTINUITY_SECRET: '' };
      for (let i = n; i < n + 5; i++) {
        await execa(path.join(set.dir, 'gcc'), ['-c', `s${i}.c`, '-o', `s${i}.o`], { cwd: dir, env: after, extendEnv: false, stdin: 'ignore' });
      }
      const { good, torn } = await spoolRecords(spool);
      expect(torn.length).toBeLessThanOrEqual(killed);
      for (let i = n; i < n + 5; i++) expect(good.some((g) => g.outputs[0]?.path === path.join(dir, `s${i}.o`))).toBe(true);
      // Each record names one output; no record is claimed twice.
      expect(new Set(good.map((g) => g.rid)).size).toBe(good.length);
      // An output is either absent or a whole token (tokens are written to a temporary name and renamed).
      for (let i = 0; i < n + 5; i++) {
        const text = await fs.readFile(path.join(dir, `s${i}.o`), 'latin1').catch(() => null);
        if (text !== null) expect(parseToken(text).ok, `s${i}.o`).toBe(true);
      }
      // A record in the spool means its token is on disk with the same id.
      for (const g of good) {
        const o = g.outputs[0]!;
        const t = parseToken(await fs.readFile(o.path, 'latin1'));
        expect(t.ok && t.value.id).toBe(o.token);
      }
    } finally {
      await hung.close();
    }
  });
});
