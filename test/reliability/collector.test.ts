// The collector under hostile and heavy traffic: unauthenticated clients are refused (401, or by the relay),
// oversized, binary, malformed and half-sent messages are dropped or counted without taking the server down,
// and 20,000 reports from 64 concurrent clients arrive exactly once each, directly and through the relay.
import { describe, it, expect, afterEach } from 'vitest';
import WebSocket from 'ws';
import net from 'node:net';
import path from 'node:path';
import { Collector, MAX_REPORT_BYTES } from '../../src/collector/server.js';
import { startRelay } from '../../src/collector/relay.js';
import { REPORT_RELAY } from '../../src/shim/generate.js';
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

type Sent = { status: 'sent'; closeCode: number } | { status: 'refused'; http: number } | { status: 'error' };

/** Opens one connection, sends `messages` (strings or binary), closes, and reports how it ended. */
function client(c: Collector, auth: string | null, messages: (string | Buffer)[]): Promise<Sent> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://${c.endpoint}/report`, { headers: auth === null ? {} : { Authorization: auth } });
    ws.on('unexpected-response', (_req, res) => resolve({ status: 'refused', http: res.statusCode ?? 0 }));
    ws.on('error', () => resolve({ status: 'error' }));
    ws.on('close', (code) => resolve({ status: 'sent', closeCode: code }));
    ws.on('open', () => {
      for (const m of messages) ws.send(m);
      ws.close(1000);
    });
  });
}

const until = async (cond: () => boolean, ms = 10_000): Promise<void> => {
  for (const t0 = Date.now(); !cond() && Date.now() - t0 < ms; ) await new Promise((r) => setTimeout(r, 10));
};

/** The server still takes a good report after whatever came before. */
async function stillServes(c: Collector, rid: string): Promise<void> {
  expect(await client(c, `Bearer ${c.secret}`, [JSON.stringify(report(rid))])).toEqual({ status: 'sent', closeCode: 1000 });
  await until(() => c.reports.has(rid));
  expect(c.reports.has(rid)).toBe(true);
}

describe('collector: authentication', () => {
  let c: Collector;
  afterEach(async () => c?.close());

  it('refuses every client that does not present the exact per-run secret', async () => {
    c = new Collector();
    await c.start();
    const s = c.secret;
    const wrong = [
      null, '', 'Bearer', 'Bearer ', `bearer ${s}`, `Basic ${s}`, s, `Bearer ${s.slice(0, -1)}`, `Bearer ${s}0`,
      `Bearer ${s.slice(0, -1)}${s.endsWith('0') ? '1' : '0'}`, `Bearer ${s.toUpperCase() === s ? s.toLowerCase() : s.toUpperCase()}`,
      `Bearer  ${s}`, `Bearer ${'f'.repeat(10_000)}`,
    ];
    for (const auth of wrong) {
      const r = await client(c, auth, [JSON.stringify(report(`evil-${String(auth).length}`))]);
      expect(r, String(auth).slice(0, 80)).toEqual({ status: 'refused', http: 401 });
    }
    expect(c.reports.size).toBe(0);
    expect(c.rejectedClients).toBe(wrong.length);
    // Two collectors never share a secret.
    const other = new Collector();
    expect(other.secret).not.toBe(c.secret);
    expect(c.secret).toMatch(/^[0-9a-f]{64}$/);
    await stillServes(c, 'good-1');
  });
});

describe('collector: bad messages', () => {
  let c: Collector;
  afterEach(async () => c?.close());

  it('drops a message larger than maxPayload (close 1009) and keeps serving', async () => {
    c = new Collector();
    await c.start();
    expect(MAX_REPORT_BYTES).toBeGreaterThanOrEqual(1024 * 1024);
    expect(MAX_REPORT_BYTES).toBeLessThanOrEqual(256 * 1024 * 1024);
    const big = report('big-1');
    big.args = ['gcc', 'x'.repeat(MAX_REPORT_BYTES)];
    const r = await client(c, `Bearer ${c.secret}`, [JSON.stringify(big)]);
    expect(r.status === 'error' || (r.status === 'sent' && r.closeCode === 1009)).toBe(true);
    expect(c.reports.has('big-1')).toBe(false);
    await stillServes(c, 'after-big');
  });

  it('counts binary, non-JSON and wrongly shaped messages as malformed, accepts none of them', async () => {
    c = new Collector();
    await c.start();
    const bad: (string | Buffer)[] = [
      Buffer.from(JSON.stringify(report('bin-1'))), '', ' ', '{', 'null', '[]', '"str"', '1', JSON.stringify({ ...report('v2'), v: 2 }),
      JSON.stringify({ ...report('rel'), cwd: 'relative' }), JSON.stringify({ ...report('arg'), argv: [1, 2] }),
      '\u0000\uffff\ud800', JSON.stringify(report('ok')).slice(0, 50),
    ];
    const r = await client(c, `Bearer ${c.secret}`, bad);
    expect(r).toEqual({ status: 'sent', closeCode: 1000 });
    await until(() => c.malformed.length === bad.length);
    expect(c.malformed).toHaveLength(bad.length);
    expect(c.reports.size).toBe(0);
    for (const m of c.malformed) expect(m.startsWith('socket: ')).toBe(true);
    await stillServes(c, 'after-malformed');
  });

  it('survives raw TCP garbage, a torn HTTP upgrade and a client that dies mid-frame', async () => {
    c = new Collector();
    await c.start();
    const [host, port] = c.endpoint.split(':') as [string, string];
    const raw = (bytes: Buffer | string, end: 'end' | 'destroy'): Promise<void> =>
      new Promise((resolve) => {
        const s = net.connect(Number(port), host, () => {
          s.write(bytes, () => (end === 'end' ? s.end() : s.destroy()));
        });
        s.on('error', () => resolve());
        s.on('close', () => resolve());
        s.resume();
      });
    await raw(Buffer.from([0, 1, 2, 255, 254, 13, 10, 13, 10]), 'end');
    await raw('GET /report HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConn', 'destroy');
    await raw(`GET /report HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\nSec-WebSocket-Version: 13\r\n\r\n`, 'end');
    // An authenticated client announces a 1000-byte frame, sends 10 bytes of it, and disappears.
    await new Promise<void>((resolve) => {
      const ws = new WebSocket(`ws://${c.endpoint}/report`, { headers: { Authorization: `Bearer ${c.secret}` } });
      ws.on('error', () => resolve());
      ws.on('close', () => resolve());
      ws.on('open', () => {
        const sock = (ws as unknown as { _socket: net.Socket })._socket;
        const head = Buffer.from([0x81, 0xfe, 0x03, 0xe8, 1, 2, 3, 4]);
        sock.write(Buffer.concat([head, Buffer.alloc(10, 0x41)]), () => sock.destroy());
      });
    });
    expect(c.reports.size).toBe(0);
    await stillServes(c, 'after-garbage');
  });
});

describe('collector: load', () => {
  let c: Collector;
  afterEach(async () => c?.close());

  it('20,000 reports from 64 concurrent clients: none lost, none counted twice', async () => {
    c = new Collector();
    await c.start();
    let events = 0;
    c.on('report', () => events++);
    const total = 20_000;
    const clients = 64;
    const rids = Array.from({ length: total }, (_, i) => `${i.toString(16).padStart(16, '0')}-${1000 + (i % clients)}`);
    // Each client sends its share, with every tenth report sent a second time (a retried send).
    const shares = Array.from({ length: clients }, (_, k) => rids.filter((_, i) => i % clients === k));
    const results = await Promise.all(
      shares.map((share) =>
        client(c, `Bearer ${c.secret}`, share.flatMap((rid, i) => (i % 10 === 0 ? [rid, rid] : [rid])).map((rid) => JSON.stringify(report(rid))))),
    );
    expect(results.every((r) => r.status === 'sent' && r.closeCode === 1000)).toBe(true);
    await until(() => c.reports.size === total);
    expect(c.reports.size).toBe(total);
    expect(events).toBe(total);
    expect(c.malformed).toEqual([]);
    expect(new Set(c.ordered().map((r) => r.rid))).toEqual(new Set(rids));
    // The spool merged afterwards (the same reports, durable copy) adds nothing and duplicates nothing.
    c.mergeSpoolText(rids.map((rid) => '\n' + JSON.stringify(report(rid))).join(''));
    expect(c.reports.size).toBe(total);
    expect(events).toBe(total);
  });
});

describe('collector: through the relay', () => {
  let c: Collector;
  afterEach(async () => c?.close());

  /** One shim-like connection to the relay: the secret line, report lines, end of stream. */
  const viaRelay = (socket: string, secret: string, lines: string[]): Promise<void> =>
    new Promise((resolve) => {
      const s = net.connect(socket, () => s.end(`${secret}\n${lines.map((l) => `${l}\n`).join('')}`));
      s.on('error', () => resolve());
      s.on('close', () => resolve());
    });

  it('20,000 reports from 64 concurrent clients, some sent twice, and strangers: none lost, none counted twice, none of theirs taken', async () => {
    const shims = await makeShims();
    c = new Collector();
    await c.start();
    const relay = await startRelay({ binary: path.join(shims.dir, REPORT_RELAY), endpoint: c.endpoint, secret: c.secret });
    if (!relay.ok) throw new Error(relay.error);
    let events = 0;
    c.on('report', () => events++);
    const total = 20_000;
    const clients = 64;
    const rids = Array.from({ length: total }, (_, i) => `${i.toString(16).padStart(16, '0')}-${2000 + (i % clients)}`);
    const s = c.secret;
    const wrong = ['', `Bearer ${s}`, s.slice(0, -1), `${s}0`, s.toUpperCase() === s ? s.toLowerCase() : s.toUpperCase()];
    // each client sends its reports one connection each, every tenth twice; a stranger now and then
    await Promise.all(
      Array.from({ length: clients }, async (_, k) => {
        for (const [i, rid] of rids.filter((_, j) => j % clients === k).entries()) {
          await viaRelay(relay.value.socket, s, [JSON.stringify(report(rid))]);
          if (i % 10 === 0) await viaRelay(relay.value.socket, s, [JSON.stringify(report(rid))]);
          if (i % 100 === 0) await viaRelay(relay.value.socket, wrong[k % wrong.length] as string, [JSON.stringify(report(`evil-${k}-${i}`))]);
        }
      }),
    );
    const stats = await relay.value.stop();
    expect(stats.ok, stats.ok ? '' : stats.error).toBe(true);
    if (!stats.ok) return;
    expect(stats.value.dropped).toBe(0);
    expect(stats.value.refused).toBe(clients * Math.ceil(total / clients / 100));
    expect(stats.value.forwarded).toBe(total + clients * Math.ceil(total / clients / 10));
    expect(stats.value.messages).toBeLessThan(stats.value.forwarded / 10);
    expect(c.reports.size).toBe(total);
    expect(events).toBe(total);
    expect(c.malformed).toEqual([]);
    expect(new Set(c.ordered().map((r) => r.rid))).toEqual(new Set(rids));
    c.mergeSpoolText(rids.map((rid) => '\n' + JSON.stringify(report(rid))).join(''));
    expect(c.reports.size).toBe(total);
    expect(events).toBe(total);
  });
});
