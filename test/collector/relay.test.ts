// The report relay (shims/relay.c, src/collector/relay.ts), run for real in front of a real collector:
// reports from many clients arrive once each in few messages; clients without the secret, torn sends,
// non-UTF-8 and oversized reports forward nothing and leave the relay's connection working; the relay
// drains on stop, refuses to start without a private directory or the right secret, and a killed relay
// is reported as such.
import { describe, it, expect, beforeAll, afterEach } from 'vitest';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { Collector, MAX_REPORT_BYTES } from '../../src/collector/server.js';
import { startRelay, parseRelayStats, type Relay } from '../../src/collector/relay.js';
import { REPORT_RELAY, type ShimSet } from '../../src/shim/generate.js';
import type { Report } from '../../src/model/report.js';
import { makeShims } from '../shim/helpers.js';

function report(rid: string): Report {
  return {
    v: 1, rid, tool: 'gcc', kind: 'cc', real: '/usr/bin/gcc', mode: 'confess', role: 'compile', cwd: '/w',
    argv: ['gcc', '-c', 'a.c'], args: ['gcc', '-c', 'a.c'], env: {},
    inputs: [{ path: '/w/a.c', token: null }], outputs: [{ path: '/w/a.o', token: '0123456789abcdef' }],
    deps: [], depfile: null, exit: 0, t0: 1, t1: 2,
  };
}

/** One connection to the relay: writes `bytes`, then ends the stream (or destroys it mid-way). */
function sendRaw(socket: string, bytes: string | Buffer, end: 'end' | 'destroy' = 'end'): Promise<void> {
  return new Promise((resolve) => {
    const s = net.connect(socket, () => {
      if (end === 'end') s.end(bytes);
      else s.write(bytes, () => s.destroy());
    });
    s.on('error', () => resolve());
    s.on('close', () => resolve());
  });
}

const line = (r: Report): string => `${JSON.stringify(r)}\n`;

const until = async (cond: () => boolean, ms = 10_000): Promise<void> => {
  for (const t0 = Date.now(); !cond() && Date.now() - t0 < ms; ) await new Promise((r) => setTimeout(r, 5));
};

let set: ShimSet;
let binary: string;
beforeAll(async () => {
  set = await makeShims();
  binary = path.join(set.dir, REPORT_RELAY);
});

describe('relay', () => {
  let c: Collector;
  let relay: Relay | null = null;
  afterEach(async () => {
    await relay?.stop();
    relay = null;
    await c?.close();
  });

  async function start(): Promise<Relay> {
    c = new Collector();
    await c.start();
    const r = await startRelay({ binary, endpoint: c.endpoint, secret: c.secret });
    if (!r.ok) throw new Error(r.error);
    relay = r.value;
    return r.value;
  }

  it('listens in a private directory and forwards 3,000 reports from 100 concurrent clients once each, in batches', async () => {
    const r = await start();
    const dir = await fs.stat(path.dirname(r.socket));
    expect(dir.mode & 0o777).toBe(0o700);
    expect((await fs.stat(r.socket)).mode & 0o077).toBe(0);
    let events = 0;
    c.on('report', () => events++);
    const rids = Array.from({ length: 3000 }, (_, i) => `${i.toString(16).padStart(16, '0')}-${i}`);
    for (let k = 0; k < rids.length; k += 100) {
      await Promise.all(rids.slice(k, k + 100).map((rid) => sendRaw(r.socket, `${c.secret}\n${line(report(rid))}`)));
    }
    // live, before any stop: the relay flushes within milliseconds
    await until(() => c.reports.size === rids.length);
    expect(c.reports.size).toBe(rids.length);
    const stats = await r.stop();
    expect(stats.ok && stats.value).toMatchObject({ connections: 3000, forwarded: 3000, refused: 0, torn: 0, dropped: 0 });
    expect(stats.ok && stats.value.messages).toBeLessThan(3000);
    expect(stats.ok && stats.value.messages).toBeGreaterThan(0);
    expect(events).toBe(3000);
    expect(c.malformed).toEqual([]);
    expect(new Set(c.reports.keys())).toEqual(new Set(rids));
    // the socket and its directory are gone once the relay has stopped
    await expect(fs.stat(path.dirname(r.socket))).rejects.toThrow();
  });

  it('refuses every client that does not present the exact secret, and keeps forwarding', async () => {
    const r = await start();
    const s = c.secret;
    const wrong = ['', 'Bearer ' + s, s.slice(0, -1), `${s}0`, s.toUpperCase() === s ? s.toLowerCase() : s.toUpperCase(), ` ${s}`, 'f'.repeat(10_000)];
    for (const [i, w] of wrong.entries()) await sendRaw(r.socket, `${w}\n${line(report(`evil-${i}`))}`);
    await sendRaw(r.socket, line(report('no-secret-line')));
    await sendRaw(r.socket, '');
    await sendRaw(r.socket, `${s}\n${line(report('good-1'))}`);
    await until(() => c.reports.has('good-1'));
    const stats = await r.stop();
    expect(stats.ok && stats.value.refused).toBe(wrong.length + 2);
    expect([...c.reports.keys()]).toEqual(['good-1']);
  });

  it('a torn send forwards nothing of its last line; a batch with a malformed line loses only that line', async () => {
    const r = await start();
    const s = c.secret;
    // a writer killed mid-report: the line never got its newline
    await sendRaw(r.socket, `${s}\n${JSON.stringify(report('torn-1')).slice(0, 60)}`, 'destroy');
    await sendRaw(r.socket, `${s}\n${line(report('a-1'))}${JSON.stringify(report('torn-2')).slice(0, 60)}`);
    // a client holding the secret that sends a malformed line between two good ones
    await sendRaw(r.socket, `${s}\n${line(report('b-1'))}{not json\n${line(report('b-2'))}`);
    await until(() => c.reports.size === 3);
    const stats = await r.stop();
    expect(stats.ok && stats.value.torn).toBe(2);
    expect([...c.reports.keys()].sort()).toEqual(['a-1', 'b-1', 'b-2']);
    expect(c.malformed).toHaveLength(1);
    expect(c.malformed[0]).toMatch(/^socket: not valid JSON: \{not json/);
  });

  it('drops a report that is not UTF-8 or too large, and its connection to the collector stays up', async () => {
    const r = await start();
    const s = c.secret;
    const bad = Buffer.concat([Buffer.from(`${s}\n`), Buffer.from(JSON.stringify(report('bin-1'))), Buffer.from([0xff, 0xfe, 0x0a])]);
    await sendRaw(r.socket, bad);
    const big = report('big-1');
    big.args = ['gcc', 'x'.repeat(MAX_REPORT_BYTES)];
    await sendRaw(r.socket, `${s}\n${line(big)}`);
    await sendRaw(r.socket, `${s}\n${line(report('after-1'))}`);
    await until(() => c.reports.has('after-1'));
    const stats = await r.stop();
    expect(stats.ok && stats.value).toMatchObject({ invalid: 1, oversized: 1, forwarded: 1, dropped: 0 });
    expect([...c.reports.keys()]).toEqual(['after-1']);
    expect(c.malformed).toEqual([]);
  });

  it('stop drains: reports sent just before it all arrive before stop resolves', async () => {
    const r = await start();
    const rids = Array.from({ length: 500 }, (_, i) => `drain-${i}`);
    await Promise.all(rids.map((rid) => sendRaw(r.socket, `${c.secret}\n${line(report(rid))}`)));
    const stats = await r.stop();
    expect(stats.ok && stats.value.forwarded).toBe(500);
    // the collector has read every message before the relay saw it close: nothing is still in flight
    expect(c.reports.size).toBe(500);
  });

  it('reports what it dropped when the collector goes away, and goes on taking connections', async () => {
    const r = await start();
    await sendRaw(r.socket, `${c.secret}\n${line(report('before'))}`);
    await until(() => c.reports.has('before'));
    await c.close();
    await new Promise((res) => setTimeout(res, 50));
    await Promise.all(Array.from({ length: 20 }, (_, i) => sendRaw(r.socket, `${c.secret}\n${line(report(`after-${i}`))}`)));
    const stats = await r.stop();
    expect(stats.ok && stats.value).toMatchObject({ connections: 21, forwarded: 1, dropped: 20 });
  });

  it('a relay killed with SIGKILL: stop() says so instead of returning counts', async () => {
    const r = await start();
    process.kill(r.pid, 'SIGKILL');
    await new Promise((res) => setTimeout(res, 100));
    const stats = await r.stop();
    expect(stats).toEqual({ ok: false, error: 'the relay ended during the build (SIGKILL)' });
    // a shim connecting now is refused at once (and falls back to the collector directly)
    const refused = await new Promise<string>((resolve) => {
      const s = net.connect(r.socket);
      s.on('connect', () => { s.destroy(); resolve('connected'); });
      s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    expect(['ECONNREFUSED', 'ENOENT']).toContain(refused);
  });

  it('does not start with a wrong secret (the collector says 401), and says why', async () => {
    c = new Collector();
    await c.start();
    const r = await startRelay({ binary, endpoint: c.endpoint, secret: 'not-the-secret' });
    expect(r).toEqual({ ok: false, error: 'the relay did not start: continuity-relay: the collector refused the secret (401): ' + c.endpoint });
    expect(c.rejectedClients).toBe(1);
    const none = await startRelay({ binary, endpoint: '127.0.0.1:1', secret: c.secret });
    expect(none.ok).toBe(false);
    expect(!none.ok && none.error).toMatch(/cannot connect to the collector/);
  });

  it('does not listen in a directory others can enter, and never replaces an existing socket', async () => {
    c = new Collector();
    await c.start();
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'continuity-relay-test-'));
    const open = path.join(root, 'open');
    await fs.mkdir(open, { mode: 0o755 });
    await fs.chmod(open, 0o755);
    const run = (sock: string): Promise<{ code: number | null; stderr: string }> =>
      new Promise((resolve) => {
        const p = spawn(binary, [sock], { env: { CONTINUITY_ENDPOINT: c.endpoint, CONTINUITY_SECRET: c.secret }, stdio: ['pipe', 'pipe', 'pipe'] });
        let stderr = '';
        p.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
        p.on('close', (code) => resolve({ code, stderr }));
        p.stdin.end();
      });
    const a = await run(path.join(open, 'sock'));
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(/^continuity-relay: the socket's directory is not private/);
    const priv = path.join(root, 'priv');
    await fs.mkdir(priv, { mode: 0o700 });
    await fs.writeFile(path.join(priv, 'sock'), 'someone else');
    const b = await run(path.join(priv, 'sock'));
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/the socket path is in use/);
    expect(await fs.readFile(path.join(priv, 'sock'), 'utf8')).toBe('someone else');
    // stdin closed at once: a relay that starts, forwards nothing, and prints its counts
    const ok = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const p = spawn(binary, [path.join(priv, 'sock2')], { env: { CONTINUITY_ENDPOINT: c.endpoint, CONTINUITY_SECRET: c.secret }, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      p.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
      p.on('close', (code) => resolve({ code, stdout }));
      p.stdin.end();
    });
    expect(ok.code).toBe(0);
    const [ready, counts] = ok.stdout.trimEnd().split('\n');
    expect(ready).toBe('ready');
    expect(parseRelayStats(counts ?? '')).toMatchObject({ ok: true, value: { connections: 0, forwarded: 0 } });
    await fs.rm(root, { recursive: true, force: true });
  });

  it('SIGTERM stops it like the end of stdin: drained, counts printed, exit 0', async () => {
    c = new Collector();
    await c.start();
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'continuity-relay-term-'));
    const sock = path.join(dir, 'sock');
    const p = spawn(binary, [sock], { env: { CONTINUITY_ENDPOINT: c.endpoint, CONTINUITY_SECRET: c.secret }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    p.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    const closed = new Promise<number | null>((resolve) => p.on('close', (code) => resolve(code)));
    await until(() => stdout.startsWith('ready\n'));
    await Promise.all(Array.from({ length: 50 }, (_, i) => sendRaw(sock, `${c.secret}\n${line(report(`term-${i}`))}`)));
    p.kill('SIGTERM');
    expect(await closed).toBe(0);
    expect(c.reports.size).toBe(50);
    expect(parseRelayStats(stdout.trimEnd().split('\n').at(-1) ?? '')).toMatchObject({ ok: true, value: { forwarded: 50 } });
    await expect(fs.stat(sock)).rejects.toThrow();
    await fs.rm(dir, { recursive: true, force: true });
  });
});
