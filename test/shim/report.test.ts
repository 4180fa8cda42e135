import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { parseReport, type Report } from '../../src/model/report.js';
import { REPORT_RELAY, type ShimSet } from '../../src/shim/generate.js';
import { Collector } from '../../src/collector/server.js';
import { startRelay } from '../../src/collector/relay.js';
import { makeShims, readSpool, run, tempDir, write } from './helpers.js';

let set: ShimSet;
let wss: WebSocketServer;
let endpoint: string;
const SECRET = 's3cr3t-' + Math.random().toString(36).slice(2);
const received: Report[] = [];
const rejectedMessages: string[] = [];
let refused = 0;

beforeAll(async () => {
  set = await makeShims();
  wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    path: '/report',
    verifyClient: (info, cb) => {
      const ok = info.req.headers['authorization'] === `Bearer ${SECRET}`;
      if (!ok) refused++;
      cb(ok, 401, 'Unauthorized');
    },
  });
  wss.on('connection', (ws) => {
    ws.on('message', (data) => {
      const r = parseReport(String(data));
      if (r.ok) {
        received.push(r.value);
        ws.send(JSON.stringify({ ack: r.value.rid }));
      } else rejectedMessages.push(String(data));
    });
  });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  endpoint = `127.0.0.1:${(wss.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => wss.close(() => resolve()));
});

describe('reports over WebSocket', () => {
  it('the collector receives the report when the secret matches; the spool has it too', async () => {
    const dir = await tempDir('ws');
    await write(dir, { 'a.c': 'int a;\n' });
    // A large report (long argv) exercises the 16-bit and 64-bit frame lengths.
    const many = Array.from({ length: 3000 }, (_, i) => `-DLONG_MACRO_NUMBER_${i}=1`);
    const r = await run(set, dir, 'confess', 'gcc', ['-c', 'a.c', ...many], { CONTINUITY_ENDPOINT: endpoint, CONTINUITY_SECRET: SECRET });
    expect(r.exitCode, r.stderr).toBe(0);
    const r2 = await run(set, dir, 'confess', 'gcc', ['-c', 'a.c', '-o', 'b.o'], { CONTINUITY_ENDPOINT: endpoint, CONTINUITY_SECRET: SECRET });
    expect(r2.exitCode, r2.stderr).toBe(0);
    const spool = await readSpool(path.join(dir, 'spool.jsonl'));
    expect(spool).toHaveLength(2);
    expect(received.map((x) => x.rid)).toEqual(spool.map((x) => x.rid));
    expect(received).toEqual(spool);
    expect(rejectedMessages).toEqual([]);
  });

  it('a wrong secret is refused with 401; the report stays in the spool; the build goes on', async () => {
    const dir = await tempDir('ws-bad');
    await write(dir, { 'a.c': 'int a;\n' });
    const before = received.length;
    const r = await run(set, dir, 'confess', 'gcc', ['-c', 'a.c'], { CONTINUITY_ENDPOINT: endpoint, CONTINUITY_SECRET: 'wrong' });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    expect(refused).toBe(1);
    expect(received.length).toBe(before);
    expect(await readSpool(path.join(dir, 'spool.jsonl'))).toHaveLength(1);
    // CONTINUITY_DEBUG explains why
    const d = await run(set, dir, 'confess', 'gcc', ['-c', 'a.c'], {
      CONTINUITY_ENDPOINT: endpoint,
      CONTINUITY_SECRET: 'wrong',
      CONTINUITY_DEBUG: '1',
    });
    expect(d.stderr).toContain('upgrade refused');
  });

  it('no collector listening: silent, the spool still has the record', async () => {
    const dir = await tempDir('ws-none');
    await write(dir, { 'a.c': 'int a;\n' });
    const r = await run(set, dir, 'confess', 'gcc', ['-c', 'a.c'], { CONTINUITY_ENDPOINT: '127.0.0.1:1', CONTINUITY_SECRET: SECRET });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    expect(await readSpool(path.join(dir, 'spool.jsonl'))).toHaveLength(1);
  });

  it('concurrent shims append whole lines to one spool', async () => {
    const dir = await tempDir('spool');
    await write(dir, { 'a.c': 'int a;\n' });
    const spool = path.join(dir, 'shared.jsonl');
    await Promise.all(
      Array.from({ length: 16 }, (_, i) => run(set, dir, 'confess', 'ar', ['qc', `lib${i}.a`, 'a.c'], { CONTINUITY_SPOOL: spool })),
    );
    const reps = await readSpool(spool);
    expect(reps).toHaveLength(16);
    expect(new Set(reps.map((x) => x.rid)).size).toBe(16);
    for (const x of reps) expect(x.rid).toMatch(/^[0-9a-f]{16}-\d+$/);
  });
});

describe('reports through the relay', () => {
  it('a shim with a relay reports through it, not over its own WebSocket; the spool has the record too', async () => {
    const c = new Collector();
    await c.start();
    const relay = await startRelay({ binary: path.join(set.dir, REPORT_RELAY), endpoint: c.endpoint, secret: c.secret });
    if (!relay.ok) throw new Error(relay.error);
    try {
      const dir = await tempDir('relay');
      await write(dir, { 'a.c': 'int a;\n' });
      const before = received.length;
      // CONTINUITY_ENDPOINT names this file's own server: a report that went there did not take the relay
      const r = await run(set, dir, 'confess', 'gcc', ['-c', 'a.c'], { CONTINUITY_RELAY: relay.value.socket, CONTINUITY_ENDPOINT: endpoint, CONTINUITY_SECRET: c.secret });
      expect(r.exitCode, r.stderr).toBe(0);
      const stats = await relay.value.stop();
      expect(stats.ok && stats.value).toMatchObject({ connections: 1, forwarded: 1, refused: 0 });
      const spool = await readSpool(path.join(dir, 'spool.jsonl'));
      expect(spool).toHaveLength(1);
      expect(c.ordered()).toEqual(spool);
      expect(received.length).toBe(before);
    } finally {
      await relay.value.stop();
      await c.close();
    }
  });

  it('a shim with the wrong secret is refused by the relay: nothing forwarded, exit 0, the spool has it', async () => {
    const c = new Collector();
    await c.start();
    const relay = await startRelay({ binary: path.join(set.dir, REPORT_RELAY), endpoint: c.endpoint, secret: c.secret });
    if (!relay.ok) throw new Error(relay.error);
    try {
      const dir = await tempDir('relay-bad');
      await write(dir, { 'a.c': 'int a;\n' });
      const r = await run(set, dir, 'confess', 'gcc', ['-c', 'a.c'], { CONTINUITY_RELAY: relay.value.socket, CONTINUITY_SECRET: 'wrong' });
      expect(r.exitCode).toBe(0);
      expect(r.stderr).toBe('');
      const stats = await relay.value.stop();
      expect(stats.ok && stats.value).toMatchObject({ connections: 1, forwarded: 0, refused: 1 });
      expect(c.reports.size).toBe(0);
      expect(await readSpool(path.join(dir, 'spool.jsonl'))).toHaveLength(1);
    } finally {
      await relay.value.stop();
      await c.close();
    }
  });

  it('no relay at the named socket: the shim reports directly (CONTINUITY_DEBUG says why)', async () => {
    const dir = await tempDir('relay-none');
    await write(dir, { 'a.c': 'int a;\n' });
    const before = received.length;
    const r = await run(set, dir, 'confess', 'gcc', ['-c', 'a.c'], {
      CONTINUITY_RELAY: path.join(dir, 'no-such-socket'), CONTINUITY_ENDPOINT: endpoint, CONTINUITY_SECRET: SECRET, CONTINUITY_DEBUG: '1',
    });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain('relay: relay not reachable; reporting directly');
    expect(received.length).toBe(before + 1);
    expect(received.at(-1)).toEqual((await readSpool(path.join(dir, 'spool.jsonl')))[0]);
  });

  it('a relay that hangs up mid-report: no SIGPIPE, exit 0, and the report goes directly', async () => {
    // A socket that takes the connection and closes it unread; a report larger than the socket buffer
    // is still being written when it does.
    const dir = await tempDir('relay-hangup');
    const sock = path.join(dir, 'hangup.sock');
    const srv = net.createServer((s) => setTimeout(() => s.destroy(), 20));
    await new Promise<void>((resolve) => srv.listen(sock, resolve));
    try {
      await write(dir, { 'a.c': 'int a;\n' });
      expect((await run(set, dir, 'confess', 'gcc', ['-c', 'a.c'])).exitCode).toBe(0);
      // a link of one token object with many search directories: a report of about 1 MB
      const many = Array.from({ length: 20_000 }, (_, i) => `-L/nonexistent/search/directory/${i}`);
      const before = received.length;
      const r = await run(set, dir, 'confess', 'ld', ['-o', 'prog', 'a.o', ...many], {
        CONTINUITY_RELAY: sock, CONTINUITY_ENDPOINT: endpoint, CONTINUITY_SECRET: SECRET, CONTINUITY_DEBUG: '1',
      });
      expect(r.signal).toBeUndefined();
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stderr).toContain('relay: relay send failed; reporting directly');
      expect(received.length).toBe(before + 1);
      expect(received.at(-1)?.argv).toHaveLength(many.length + 4);
    } finally {
      await new Promise<void>((resolve) => srv.close(() => resolve()));
    }
  });
});
