import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { parseReport, type Report } from '../../src/model/report.js';
import type { ShimSet } from '../../src/shim/generate.js';
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
