import { describe, it, expect, afterEach } from 'vitest';
import { request } from 'node:http';
import WebSocket from 'ws';
import type { SerializedGraph } from '../../src/model/graph.js';
import type { Report } from '../../src/model/report.js';
import { UserError } from '../../src/model/result.js';
import { ViewServer } from '../../src/view/server.js';
import { LiveGraph } from '../../src/view/live.js';
import { canonicalJson } from '../../src/view/node-key.js';
import { sha256Hex } from '../../src/model/hash.js';

const GRAPH: SerializedGraph = {
  attributes: { version: 1, complete: true, system: 'cmake', mode: 'confess', srcdir: '/s', builddir: '/b', created: 'now', errors: [] },
  options: { type: 'directed', multi: false, allowSelfLoops: false },
  nodes: [
    { key: 'file:/s/a.c', attributes: { type: 'file', path: '/s/a.c', role: 'source' } },
    {
      key: 'action:0',
      attributes: {
        type: 'action', category: 'compile', language: 'c', tool: 'cc', real: '/usr/bin/cc', cwd: '/b',
        args: ['cc', '-c', '/s/a.c', '-o', 'a.o'], env: {}, inputs: ['/s/a.c'], deps: [], outputs: ['/b/a.o'], rid: 'r0', exit: 0,
      },
    },
    { key: 'file:/b/a.o', attributes: { type: 'file', path: '/b/a.o', role: 'object' } },
  ],
  edges: [{ source: 'file:/s/a.c', target: 'action:0' }, { source: 'action:0', target: 'file:/b/a.o' }],
};

const servers: ViewServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function serve(s: ViewServer): Promise<ViewServer> {
  servers.push(s);
  await s.start();
  return s;
}

function get(url: string, host?: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request({ host: u.hostname, port: u.port, path: u.pathname + u.search, headers: host ? { host } : {} }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('ViewServer (static graph)', () => {
  it('listens on 127.0.0.1 and serves the page and its own assets under a strict CSP', async () => {
    const s = await serve(new ViewServer({ source: { kind: 'static', graph: GRAPH } }));
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await get(s.url);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'none'; script-src 'self'/);
    // Everything the page loads comes from this server.
    const refs = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);
    expect(refs.length).toBeGreaterThanOrEqual(3);
    for (const ref of refs) {
      expect(ref.startsWith('/')).toBe(true);
      expect((await get(new URL(ref, s.url).href)).status).toBe(200);
    }
    const api = await get(`${s.url}api/graph`);
    expect(JSON.parse(api.body)).toEqual({ live: false, graph: GRAPH });
  });

  it('refuses requests naming another host (DNS rebinding) and unknown paths', async () => {
    const s = await serve(new ViewServer({ source: { kind: 'static', graph: GRAPH } }));
    const port = new URL(s.url).port;
    expect((await get(s.url, `evil.example:${port}`)).status).toBe(403);
    expect((await get(s.url, `localhost:${port}`)).status).toBe(200);
    expect((await get(`${s.url}nope`)).status).toBe(404);
  });

  it('gives the lowered action key when known, else the labelled hash of the node', async () => {
    const keys = new Map([['action:0', 'k'.repeat(64)]]);
    const s = await serve(new ViewServer({ source: { kind: 'static', graph: GRAPH }, actionKeys: keys }));
    const lowered = JSON.parse((await get(`${s.url}api/key?node=action:0`)).body);
    expect(lowered).toEqual({ value: 'k'.repeat(64), source: 'lowered', label: 'action key' });
    keys.delete('action:0');
    const hashed = JSON.parse((await get(`${s.url}api/key?node=action:0`)).body);
    expect(hashed.source).toBe('canonical-json');
    expect(hashed.value).toBe(sha256Hex(canonicalJson(GRAPH.nodes[1]!.attributes)));
    expect((await get(`${s.url}api/key?node=action:9`)).status).toBe(404);
  });

  it('has no /live socket for a static graph', async () => {
    const s = await serve(new ViewServer({ source: { kind: 'static', graph: GRAPH } }));
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${s.url.replace('http', 'ws')}live`);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => undefined);
    });
    expect(status).toBe(404);
  });

  it('a port in use is a one-line user error', async () => {
    const a = await serve(new ViewServer({ source: { kind: 'static', graph: GRAPH } }));
    const port = Number(new URL(a.url).port);
    const b = new ViewServer({ source: { kind: 'static', graph: GRAPH }, port });
    await expect(b.start()).rejects.toThrow(new UserError(`port ${port} on 127.0.0.1 is already in use`));
  });
});

describe('ViewServer (live graph)', () => {
  const compile: Report = {
    v: 1, rid: 'r1', tool: 'cc', kind: 'cc', real: '/usr/bin/cc', mode: 'confess', role: 'compile', cwd: '/b',
    argv: ['cc', '-c', '/s/a.c'], args: ['cc', '-c', '/s/a.c'], env: {}, inputs: [{ path: '/s/a.c', token: null }],
    outputs: [{ path: '/b/a.o', token: null }], deps: [], depfile: null, exit: 0, t0: 1, t1: 2,
  };

  it('sends a snapshot, then each event, then the finished graph', async () => {
    const live = new LiveGraph({ builddir: '/b' });
    live.addReport(compile);
    const s = await serve(new ViewServer({ source: { kind: 'live', live } }));
    expect(JSON.parse((await get(`${s.url}api/graph`)).body)).toEqual({ live: true });
    const ws = new WebSocket(`${s.url.replace('http', 'ws')}live`, { origin: s.url.slice(0, -1) });
    const messages: { type: string; [k: string]: unknown }[] = [];
    ws.on('message', (d) => messages.push(JSON.parse(d.toString())));
    await new Promise((r) => ws.once('open', r));
    const until = async (n: number): Promise<void> => {
      for (let i = 0; i < 300 && messages.length < n; i++) await new Promise((r) => setTimeout(r, 10));
    };
    await until(1);
    expect(messages[0]).toMatchObject({ type: 'snapshot', done: false });
    expect((messages[0]!['graph'] as SerializedGraph).nodes).toHaveLength(3);
    live.addReport({ ...compile, rid: 'r2', inputs: [{ path: '/s/b.c', token: null }], outputs: [{ path: '/b/b.o', token: null }] });
    await until(6);
    expect(messages.slice(1).map((m) => m.type)).toEqual(['node', 'node', 'node', 'edge', 'edge']);
    const { nodeCount } = live;
    expect(JSON.parse((await get(`${s.url}api/key?node=live:r2`)).body).source).toBe('canonical-json');
    live.finish(GRAPH);
    await until(7);
    expect(messages[6]).toEqual({ type: 'snapshot', graph: GRAPH, done: true });
    expect(nodeCount).toBe(6);
    ws.close();
  });

  it('refuses a socket opened from another origin', async () => {
    const s = await serve(new ViewServer({ source: { kind: 'live', live: new LiveGraph() } }));
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${s.url.replace('http', 'ws')}live`, { origin: 'http://evil.example' });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => undefined);
    });
    expect(status).toBe(403);
  });
});
