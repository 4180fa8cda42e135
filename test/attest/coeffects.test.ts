import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deriveCoeffects, hashTree, normalizeCoeffects } from '../../src/attest/coeffects.js';
import type { CoeffectsFile } from '../../src/model/coeffects.js';
import { sha256Hex } from '../../src/model/hash.js';
import { REPO, confess } from '../helpers/real-cmake.js';
import { NOW, makeRecord, tmp } from './helpers.js';

describe('coeffects of a build', () => {
  it('nothing declared, no confession: pure, with no network and no auth witnesses', async () => {
    const out = join(tmp('pure'), 'out');
    const record = makeRecord(out, 'b', { a: 'a\n', b: 'b\n' });
    const r = await deriveCoeffects(record, NOW);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.coeffects).toEqual([{ kind: 'pure' }]);
    expect(r.value.networkAccess).toEqual([]);
    expect(r.value.authUsage).toEqual([]);
    // every action input is witnessed with its hash
    expect(r.value.filesystemAccess.map((f) => [f.path, f.mode, f.contentHash])).toEqual([
      ['/continuity/src/a.in', 'read', sha256Hex('input of a')],
      ['/continuity/src/b.in', 'read', sha256Hex('input of b')],
    ]);
  });

  it('declared network and auth needs become coeffects with witnesses', async () => {
    const out = join(tmp('net'), 'out');
    const record = makeRecord(out, 'b', { fetched: 'x\n', plain: 'y\n' }, {
      fetched: [{ kind: 'combined', coeffects: [{ kind: 'network' }, { kind: 'auth', provider: 'github' }, { kind: 'pure' }] }],
    });
    const r = await deriveCoeffects(record, NOW);
    if (!r.ok) throw new Error(r.error);
    expect(r.value.coeffects).toEqual([{ kind: 'network' }, { kind: 'auth', provider: 'github' }]);
    const fetched = record.actions[0]!;
    expect(r.value.networkAccess).toEqual([
      { url: `declared:action/${fetched.key}`, method: 'DECLARED', contentHash: sha256Hex(JSON.stringify([sha256Hex('x\n')])), timestamp: record.startTime },
    ]);
    expect(r.value.authUsage).toEqual([{ provider: 'github', scope: null, timestamp: record.startTime }]);
  });

  it('the toolchain closure is witnessed (files hashed), not a coeffect', async () => {
    const dir = tmp('closure');
    const out = join(dir, 'out');
    const tool = join(dir, 'cc');
    writeFileSync(tool, '#!/bin/sh\n', { mode: 0o755 });
    const record = { ...makeRecord(out, 'b', { a: 'a\n' }), toolchainPaths: [tool, dir, join(dir, 'absent')] };
    const r = await deriveCoeffects(record, NOW);
    if (!r.ok) throw new Error(r.error);
    expect(r.value.coeffects).toEqual([{ kind: 'pure' }]);
    expect(r.value.filesystemAccess.filter((f) => f.path.startsWith(dir))).toEqual([
      { path: dir, mode: 'read', contentHash: null, timestamp: NOW },
      { path: tool, mode: 'execute', contentHash: sha256Hex('#!/bin/sh\n'), timestamp: NOW },
    ]);
  });

  it('normalizes: combined flattened, pure dropped, duplicates merged, sorted by kind', () => {
    expect(normalizeCoeffects([
      { kind: 'filesystem', path: '/b' },
      { kind: 'combined', coeffects: [{ kind: 'filesystem', path: '/a' }, { kind: 'network' }] },
      { kind: 'pure' },
      { kind: 'network' },
    ])).toEqual([{ kind: 'network' }, { kind: 'filesystem', path: '/a' }, { kind: 'filesystem', path: '/b' }]);
    expect(normalizeCoeffects([{ kind: 'combined', coeffects: [] }])).toEqual([{ kind: 'pure' }]);
  });

  it('hashes a tree by its manifest: any change to a file under it changes the hash', async () => {
    const dir = tmp('tree');
    mkdirSync(join(dir, 'include'));
    writeFileSync(join(dir, 'include', 'x.h'), 'int x;\n');
    const before = await hashTree(dir);
    writeFileSync(join(dir, 'include', 'x.h'), 'int y;\n');
    const after = await hashTree(dir);
    expect(before).toMatch(/^[0-9a-f]{64}$/);
    expect(after).not.toBe(before);
    expect(await hashTree(join(dir, 'missing'))).toBeNull();
  });
});

describe('coeffects from a real confession', () => {
  beforeAll(() => {
    spawnSync('npx', ['tsc', '-p', REPO], { cwd: REPO, stdio: 'ignore' });
  });

  it('fixtures/find-packages with --fake-packages all: every faked package is a filesystem coeffect on its fake root', async () => {
    const conf = join(tmp('fp'), 'conf');
    const r = await confess(join(REPO, 'fixtures', 'find-packages'), conf, [], ['--fake-packages', 'all']);
    expect(r.exitCode, r.all).toBe(0);
    const coeffectsFile = join(conf, 'coeffects.json');
    const log = JSON.parse(readFileSync(coeffectsFile, 'utf8')) as CoeffectsFile;
    const faked = log.packages.filter((p) => p.resolution === 'faked');
    expect(faked.map((p) => p.name).sort()).toEqual(['Boost', 'Threads', 'ZLIB']);
    const record = { ...makeRecord(join(conf, 'out'), 'b', { a: 'a\n' }), coeffectsFile };
    const d = await deriveCoeffects(record, NOW);
    if (!d.ok) throw new Error(d.error);
    const roots = faked.map((p) => p.fakeRoot as string).sort();
    expect(d.value.coeffects).toEqual(roots.map((path) => ({ kind: 'filesystem', path })));
    for (const root of roots) {
      const w = d.value.filesystemAccess.find((f) => f.path === root);
      expect(w?.mode).toBe('read');
      expect(w?.contentHash).toBe(await hashTree(root));
      expect(w?.contentHash).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(d.value.networkAccess).toEqual([]);
    expect(d.value.authUsage).toEqual([]);
  });

  it('a coeffects.json that is not one is refused by name', async () => {
    const dir = tmp('badlog');
    const bad = join(dir, 'coeffects.json');
    writeFileSync(bad, '{"version": 2}');
    const d = await deriveCoeffects({ ...makeRecord(join(dir, 'out'), 'b', { a: 'a\n' }), coeffectsFile: bad }, NOW);
    expect(d).toEqual({ ok: false, error: `coeffects file ${bad} is not a version 1 coeffects.json` });
  });
});
