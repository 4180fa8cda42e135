// The lowered-actions cache serves a graph's actions only while everything lowering read is unchanged:
// the graph file, each tool, each path it looked at. Otherwise the graph is lowered afresh.
import { describe, expect, it } from 'vitest';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeRig } from '../fixtures/graphs/rig.js';
import { loadActionsCached } from '../../src/lower/cache.js';

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 1100));
const cacheDir = (): string => mkdtempSync(join(tmpdir(), 'continuity-lowered-'));

describe('lowered-actions cache', () => {
  it('serves a graph lowered once, equal to lowering it again', async () => {
    const rig = makeRig('c-lib');
    const dir = cacheDir();
    await settle();
    const first = await loadActionsCached(rig.graphPath, dir);
    expect([first.cached, first.witnesses === null]).toEqual([false, false]);
    expect(readdirSync(dir)).toHaveLength(1);
    const second = await loadActionsCached(rig.graphPath, dir);
    expect(second.cached).toBe(true);
    expect(second.actions).toEqual(first.actions);
    expect(second.witnesses).toEqual(first.witnesses);
  });

  it('lowers afresh when the graph file, a tool or a path lowering looked at changed', async () => {
    const rig = makeRig('c-lib');
    const cc = join(rig.root, 'toolchain', 'bin', 'cc');
    mkdirSync(join(rig.root, 'toolchain', 'bin'), { recursive: true });
    writeFileSync(cc, `#!/bin/sh\nexec ${realpathSync('/usr/bin/cc')} "$@"\n`, { mode: 0o755 });
    writeFileSync(rig.graphPath, readFileSync(rig.graphPath, 'utf8').replaceAll('"real": "/usr/bin/cc"', `"real": ${JSON.stringify(cc)}`));
    const dir = cacheDir();
    await settle();
    const first = await loadActionsCached(rig.graphPath, dir);
    expect((await loadActionsCached(rig.graphPath, dir)).cached).toBe(true);

    appendFileSync(cc, '# another compiler\n');
    await settle();
    const tool = await loadActionsCached(rig.graphPath, dir);
    expect(tool.cached).toBe(false);
    const keyOf = (r: typeof first, id: string): string | undefined => r.actions.actions.find((a) => a.id === id)?.key;
    expect(keyOf(tool, 'action:1')).not.toBe(keyOf(first, 'action:1')); // a compile
    expect(keyOf(tool, 'action:0')).toBe(keyOf(first, 'action:0')); // the custom step does not use the compiler
    expect((await loadActionsCached(rig.graphPath, dir)).cached).toBe(true);

    const coeffects = join(rig.root, 'coeffects.json'); // lowering looked for it beside graph.json
    writeFileSync(coeffects, '{}\n');
    const looked = await loadActionsCached(rig.graphPath, dir);
    expect([looked.cached, looked.actions.coeffectsFile]).toEqual([false, coeffects]);

    writeFileSync(rig.graphPath, readFileSync(rig.graphPath)); // same bytes, another stamp
    await settle();
    expect((await loadActionsCached(rig.graphPath, dir)).cached).toBe(false);
    expect((await loadActionsCached(rig.graphPath, dir)).cached).toBe(true);
  });

  it('keeps nothing for a graph too new to vouch for, and takes a damaged entry for a miss', async () => {
    const rig = makeRig('c-lib');
    const dir = cacheDir();
    const fresh = await loadActionsCached(rig.graphPath, dir);
    expect([fresh.cached, fresh.witnesses]).toEqual([false, null]);
    expect(readdirSync(dir)).toEqual([]);
    await settle();
    const first = await loadActionsCached(rig.graphPath, dir);
    const entry = join(dir, readdirSync(dir)[0] as string);
    writeFileSync(entry, readFileSync(entry, 'utf8').slice(0, 400));
    const damaged = await loadActionsCached(rig.graphPath, dir);
    expect(damaged.cached).toBe(false);
    expect(damaged.actions).toEqual(first.actions);
    expect((await loadActionsCached(rig.graphPath, dir)).cached).toBe(true);
  });
});
