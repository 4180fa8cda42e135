import { describe, it, expect, afterEach } from 'vitest';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { Collector } from '../../src/collector/server.js';
import type { Report } from '../../src/model/report.js';

function report(rid: string, over: Partial<Report> = {}): Report {
  return {
    v: 1, rid, tool: 'gcc', kind: 'cc', real: '/usr/bin/gcc', mode: 'confess', role: 'compile', cwd: '/tmp',
    argv: ['gcc', '-c', 'a.c'], args: ['gcc', '-c', 'a.c'], env: {},
    inputs: [{ path: '/tmp/a.c', token: null }], outputs: [{ path: '/tmp/a.o', token: 'abcdef0123456789' }],
    deps: ['/tmp/a.c'], depfile: null, exit: 0, t0: 1, t1: 2, ...over,
  };
}

function send(url: string, auth: string | null, messages: string[]): Promise<'sent' | number> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = auth ? { Authorization: auth } : {};
    const ws = new WebSocket(url, { headers });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => undefined);
    ws.on('open', () => {
      for (const m of messages) ws.send(m);
      ws.close();
      ws.on('close', () => resolve('sent'));
    });
  });
}

const until = async (cond: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('collector', () => {
  let c: Collector;
  afterEach(async () => c?.close());

  it('binds to loopback only', async () => {
    c = new Collector();
    await c.start();
    expect(c.endpoint).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('accepts reports from a client holding the secret', async () => {
    c = new Collector();
    await c.start();
    const r = await send(`ws://${c.endpoint}/report`, `Bearer ${c.secret}`, [JSON.stringify(report('a-1'))]);
    expect(r).toBe('sent');
    await until(() => c.reports.size === 1);
    expect([...c.reports.keys()]).toEqual(['a-1']);
  });

  it('refuses clients without the secret or with a wrong one (401), and counts them', async () => {
    c = new Collector();
    await c.start();
    expect(await send(`ws://${c.endpoint}/report`, null, [JSON.stringify(report('x-1'))])).toBe(401);
    expect(await send(`ws://${c.endpoint}/report`, `Bearer ${'0'.repeat(64)}`, [JSON.stringify(report('x-2'))])).toBe(401);
    expect(c.reports.size).toBe(0);
    expect(c.rejectedClients).toBe(2);
  });

  it('records malformed messages without crashing, and keeps serving', async () => {
    c = new Collector();
    await c.start();
    await send(`ws://${c.endpoint}/report`, `Bearer ${c.secret}`, ['{not json', JSON.stringify({ v: 1 }), JSON.stringify(report('ok-1'))]);
    await until(() => c.reports.size === 1);
    expect(c.malformed).toHaveLength(2);
    expect(c.malformed[0]).toContain('not valid JSON');
    expect(c.malformed[1]).toContain('missing rid');
  });

  it('takes a batch, one report per line: a malformed line is counted and the others accepted', async () => {
    c = new Collector();
    await c.start();
    const batch = [JSON.stringify(report('b-1')), '{not json', JSON.stringify(report('b-2')), '', JSON.stringify(report('b-1'))].join('\n');
    // a trailing newline is allowed, on a batch as on a single report
    const r = await send(`ws://${c.endpoint}/report`, `Bearer ${c.secret}`, [batch, `${JSON.stringify(report('s-1'))}\n`]);
    expect(r).toBe('sent');
    await until(() => c.reports.size === 3 && c.malformed.length === 2);
    expect([...c.reports.keys()].sort()).toEqual(['b-1', 'b-2', 's-1']);
    expect(c.malformed).toHaveLength(2);
    expect(c.malformed[0]).toMatch(/^socket: not valid JSON: \{not json$/);
    expect(c.malformed[1]).toMatch(/^socket: not valid JSON: $/);
  });

  it('merges the spool with the live feed: each rid counted once, a torn line reported', async () => {
    c = new Collector();
    await c.start();
    await send(`ws://${c.endpoint}/report`, `Bearer ${c.secret}`, [JSON.stringify(report('a-1')), JSON.stringify(report('b-2'))]);
    await until(() => c.reports.size === 2);
    const spool = [report('a-1'), report('b-2'), report('c-3')].map((r) => JSON.stringify(r)).join('\n') + '\n{"v":1,"rid":"d-4","to';
    c.mergeSpoolText(spool);
    expect([...c.reports.keys()].sort()).toEqual(['a-1', 'b-2', 'c-3']);
    expect(c.malformed).toHaveLength(1);
  });

  it('takes thousands of concurrent reports without losing one', async () => {
    c = new Collector();
    await c.start();
    const clients = 50;
    const per = 100;
    await Promise.all(
      Array.from({ length: clients }, (_, k) =>
        send(`ws://${c.endpoint}/report`, `Bearer ${c.secret}`, Array.from({ length: per }, (_, i) => JSON.stringify(report(`r${k}-${i}`))))),
    );
    await until(() => c.reports.size === clients * per);
    expect(c.reports.size).toBe(clients * per);
  });

  it('merges a spool file read in pieces exactly as its text: long lines, characters split between pieces, torn copies', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'continuity-spool-'));
    const spool = path.join(dir, 'spool.jsonl');
    const rid = (i: number): string => `${i.toString(16).padStart(16, '0')}-${100 + i}`;
    // a report longer than a piece (1 MiB), and many with a three-byte character, so one falls across a boundary
    const long = report(rid(0), { args: ['gcc', '€'.repeat(700_000)] });
    const many = Array.from({ length: 3000 }, (_, i) => report(rid(i + 1), { cwd: `/tmp/€${'x'.repeat(i % 97)}` }));
    const lines = [long, ...many].map((r) => JSON.stringify(r));
    // a torn copy of a report (a writer killed mid-line), then its whole copy
    const text = ['', lines[0], '', lines[5]?.slice(0, 120), ...lines.slice(1), '  ', ''].join('\n');
    await fs.writeFile(spool, text);
    const fromText = new Collector();
    fromText.mergeSpoolText(text);
    const fromFile = new Collector();
    await fromFile.mergeSpoolFile(spool);
    expect(fromFile.reports.size).toBe(3001);
    expect(fromFile.ordered()).toEqual(fromText.ordered());
    expect(fromFile.ordered().find((r) => r.rid === rid(0))).toEqual(long);
    expect(fromFile.malformed).toEqual(fromText.malformed);
    expect(fromFile.malformed).toHaveLength(1);
    // merged again: every line is a report already taken, whole; nothing is added or counted
    await fromFile.mergeSpoolFile(spool);
    expect(fromFile.reports.size).toBe(3001);
    expect(fromFile.malformed).toHaveLength(2); // the torn line, again
    await expect(new Collector().mergeSpoolFile(path.join(dir, 'none.jsonl'))).rejects.toThrow(/ENOENT/);
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('a torn spool copy of a report taken live is still reported as malformed', async () => {
    c = new Collector();
    await c.start();
    const r = report('00000000000000aa-7');
    await send(`ws://${c.endpoint}/report`, `Bearer ${c.secret}`, [JSON.stringify(r)]);
    await until(() => c.reports.size === 1);
    c.mergeSpoolText(`\n${JSON.stringify(r).slice(0, -5)}\n${JSON.stringify(r)}\n`);
    expect(c.reports.size).toBe(1);
    expect(c.malformed).toHaveLength(1);
    expect(c.malformed[0]).toMatch(/^spool: not valid JSON/);
  });
});
