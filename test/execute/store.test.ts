import { describe, expect, it } from 'vitest';
import { mkdirSync, readdirSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Store } from '../../src/execute/store.js';
import { sha256Hex } from '../../src/model/hash.js';
import { tmp } from './harness.js';

const deadPid = (): number => {
  const r = spawnSync('/bin/true');
  return r.pid as number;
};

describe('store', () => {
  it('stores objects by hash and verifies them on read', async () => {
    const s = await Store.open(tmp('store'));
    if (!s.ok) throw new Error(s.error);
    const h = await s.value.putBytes(new TextEncoder().encode('abc'));
    expect(h).toBe(sha256Hex('abc'));
    expect(s.value.objectPath(h)).toMatch(new RegExp(`/objects/${h.slice(0, 2)}/${h}$`));
    expect(new TextDecoder().decode((await s.value.readVerified(h)) ?? new Uint8Array())).toBe('abc');
    writeFileSync(s.value.objectPath(h), 'abd');
    expect(await s.value.readVerified(h)).toBeNull();
    expect(existsSync(s.value.objectPath(h))).toBe(false);
  });

  it('sweeps temporaries of dead processes and keeps those of live ones', async () => {
    const root = tmp('store-sweep');
    mkdirSync(join(root, 'objects', 'ab'), { recursive: true });
    mkdirSync(join(root, 'work', `.tmp-${deadPid()}-deadbeef`, 'root'), { recursive: true });
    writeFileSync(join(root, 'objects', 'ab', `.tmp-${deadPid()}-cafe`), 'half an obj');
    writeFileSync(join(root, 'objects', 'ab', `.tmp-${process.ppid}-live`), 'in progress');
    const s = await Store.open(root);
    expect(s.ok).toBe(true);
    expect(readdirSync(join(root, 'objects', 'ab'))).toEqual([`.tmp-${process.ppid}-live`]);
    expect(readdirSync(join(root, 'work'))).toEqual([]);
  });

  it('refuses a store that cannot be used, naming it', async () => {
    const file = join(tmp('store-bad'), 'not-a-dir');
    writeFileSync(file, '');
    const s = await Store.open(file);
    expect(s.ok ? null : s.error).toBe(`store ${file} is not usable (ENOTDIR)`);
  });

  it('action cache entries round-trip and malformed ones read as misses', async () => {
    const s = await Store.open(tmp('store-ac'));
    if (!s.ok) throw new Error(s.error);
    const key = sha256Hex('k') as unknown as import('../../src/model/hash.js').ActionKey;
    expect(await s.value.getAction(key)).toBeNull();
    await s.value.putAction({ version: 1, key, outputs: [{ name: 'a.o', sha256: sha256Hex('x'), executable: false }] });
    expect((await s.value.getAction(key))?.outputs[0]?.name).toBe('a.o');
    const p = join(s.value.root, 'actions', key.slice(0, 2), `${key}.json`);
    writeFileSync(p, readFileSync(p, 'utf8').slice(0, 20));
    expect(await s.value.getAction(key)).toBeNull();
  });
});
