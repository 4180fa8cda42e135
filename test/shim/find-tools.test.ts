// The tool table's cache: answered from the cache only while every searched directory and every file the
// search looked at keeps its stamp, and never kept when something it was read from is too new to vouch for.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findTools, findToolsCached, SHIM_BINARY_MARKER, SHIM_DIR_MARKER } from '../../src/shim/find-tools.js';
import { tempDir } from './helpers.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** past the second within which a change is too new to vouch for (src/shim/find-tools.ts) */
const settle = (): Promise<void> => sleep(1100);

async function tool(file: string, text = '#!/bin/sh\nexit 0\n'): Promise<void> {
  await fs.writeFile(file, text);
  await fs.chmod(file, 0o755);
}

async function cacheFiles(dir: string): Promise<string[]> {
  return (await fs.readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.json'));
}

describe('findToolsCached', () => {
  it('answers from the cache while nothing changed, and searches again when a directory or a file did', async () => {
    const root = await tempDir('find-tools');
    const a = path.join(root, 'a');
    const b = path.join(root, 'b');
    const cache = path.join(root, 'cache');
    await fs.mkdir(a);
    await fs.mkdir(b);
    await tool(path.join(a, 'gcc-77'));
    await tool(path.join(b, 'gcc-77'));
    await tool(path.join(b, 'ar'));
    const PATH = `${a}:${b}`;
    const shimDir = path.join(root, 'shims');

    // everything was just made: the answer is right, and not kept
    const fresh = await findToolsCached(PATH, shimDir, cache);
    expect(fresh).toEqual(await findTools(PATH, shimDir));
    expect(await cacheFiles(cache)).toEqual([]);

    await settle();
    const first = await findToolsCached(PATH, shimDir, cache);
    expect(first.map((t) => `${t.name}=${t.real}`)).toEqual([`ar=${b}/ar`, `gcc-77=${a}/gcc-77`]);
    const [entry] = await cacheFiles(cache);
    expect(entry).toBeDefined();
    // a table marked in the cache is served as it is while every stamp holds
    const file = path.join(cache, entry as string);
    const kept = JSON.parse(await fs.readFile(file, 'utf8')) as { tools: { real: string }[] };
    kept.tools[0]!.real = '/marked/by/the/test';
    await fs.writeFile(file, JSON.stringify(kept));
    expect((await findToolsCached(PATH, shimDir, cache))[0]?.real).toBe('/marked/by/the/test');
    // an entry of the wrong shape is no answer
    for (const broken of [{ ...kept, tools: 'nope' }, { ...kept, looked: [42] }, { ...kept, tools: [{ name: 'gcc-77', kind: 'ar', real: '/x' }] }, 'text']) {
      await fs.writeFile(file, JSON.stringify(broken));
      expect(await findToolsCached(PATH, shimDir, cache)).toEqual(first);
    }

    // a name added to a searched directory
    await tool(path.join(b, 'ranlib'));
    const added = await findToolsCached(PATH, shimDir, cache);
    expect(added.map((t) => t.name)).toEqual(['ar', 'gcc-77', 'ranlib']);
    expect(added[0]?.real).toBe(`${b}/ar`);

    // a tool rewritten in place (same inode, same directory entries) into a shim: never taken
    await settle();
    await findToolsCached(PATH, shimDir, cache);
    await fs.writeFile(path.join(a, 'gcc-77'), `#!/bin/sh\n# ${SHIM_BINARY_MARKER}\n`);
    expect((await findToolsCached(PATH, shimDir, cache)).find((t) => t.name === 'gcc-77')?.real).toBe(`${b}/gcc-77`);

    // a tool that is no longer executable
    await settle();
    await findToolsCached(PATH, shimDir, cache);
    await fs.chmod(path.join(b, 'ar'), 0o644);
    expect((await findToolsCached(PATH, shimDir, cache)).map((t) => t.name)).toEqual(['gcc-77', 'ranlib']);

    // a dangling symbolic link whose target appears: the link's directory is unchanged
    const elsewhere = path.join(root, 'elsewhere');
    await fs.mkdir(elsewhere);
    await fs.symlink(path.join(elsewhere, 'ld-real'), path.join(a, 'ld'));
    await settle();
    expect((await findToolsCached(PATH, shimDir, cache)).map((t) => t.name)).not.toContain('ld');
    expect((await findToolsCached(PATH, shimDir, cache)).map((t) => t.name)).not.toContain('ld');
    await tool(path.join(elsewhere, 'ld-real'));
    expect((await findToolsCached(PATH, shimDir, cache)).find((t) => t.name === 'ld')?.real).toBe(`${a}/ld`);

    // a directory that becomes a shim directory is no longer searched
    await fs.writeFile(path.join(a, SHIM_DIR_MARKER), '');
    expect((await findToolsCached(PATH, shimDir, cache)).find((t) => t.name === 'gcc-77')?.real).toBe(`${b}/gcc-77`);
  }, 30_000);
});
