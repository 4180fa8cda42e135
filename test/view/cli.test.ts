// `continuity view` on bad input: one line naming the cause, exit 2, nothing served.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { CLI } from '../helpers/real-cmake.js';

let dir: string;
let graphPath: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'continuity-view-cli-'));
  graphPath = join(dir, 'graph.json');
  await writeFile(graphPath, JSON.stringify({
    attributes: { version: 1, complete: true, system: 'cmake', mode: 'confess', srcdir: '/s', builddir: '/b', created: 'now', errors: [] },
    options: { type: 'directed', multi: false, allowSelfLoops: false }, nodes: [], edges: [],
  }));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const view = (...args: string[]) => execa('node', [CLI, 'view', ...args, '--no-open'], { reject: false, stdin: 'ignore', timeout: 30_000 });

describe('continuity view: bad input', () => {
  it('a missing path', async () => {
    const r = await view(join(dir, 'missing'));
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe(`continuity: ${join(dir, 'missing')}: no such file or directory`);
  });

  it('a JSON file that is not a graph', async () => {
    await writeFile(join(dir, 'x.json'), '{"nodes": []}');
    const r = await view(join(dir, 'x.json'));
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe(`continuity: ${join(dir, 'x.json')}: not a graph.json: no graph attributes`);
  });

  it('a port that is not a port, and a port in use', async () => {
    const bad = await view(graphPath, '--port', '70000');
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toBe('continuity: --port 70000: not a port number');
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = await view(graphPath, '--port', String(port));
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toBe(`continuity: port ${port} on 127.0.0.1 is already in use`);
    } finally {
      blocker.close();
    }
  });

  it('--actions that belongs to another build tree', async () => {
    const other = join(dir, 'actions.json');
    await writeFile(other, JSON.stringify({ version: 1, kind: 'continuity-actions', srcdir: '/s', builddir: '/elsewhere', coeffectsFile: null, actions: [] }));
    const r = await view(graphPath, '--actions', other);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe(`continuity: ${other}: not made from ${graphPath} (another build tree)`);
  });
});
