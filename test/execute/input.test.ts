import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inputKind, loadBuildInput } from '../../src/execute/input.js';
import { makeRig } from '../fixtures/graphs/rig.js';
import { tmp } from './harness.js';

describe('build input detection', () => {
  it('a confession directory means its graph.json; a directory with BUILD.dhall means that file', () => {
    const root = tmp('input');
    mkdirSync(join(root, 'confess'));
    writeFileSync(join(root, 'confess', 'graph.json'), '{}');
    mkdirSync(join(root, 'migrated'));
    writeFileSync(join(root, 'migrated', 'BUILD.dhall'), '{=}');
    writeFileSync(join(root, 'actions.json'), '{}');
    expect(inputKind(join(root, 'confess'))).toEqual({ ok: true, value: { kind: 'json', path: join(root, 'confess', 'graph.json') } });
    expect(inputKind(join(root, 'migrated'))).toEqual({ ok: true, value: { kind: 'dhall', path: join(root, 'migrated', 'BUILD.dhall') } });
    expect(inputKind(join(root, 'migrated', 'BUILD.dhall'))).toEqual({ ok: true, value: { kind: 'dhall', path: join(root, 'migrated', 'BUILD.dhall') } });
    expect(inputKind(join(root, 'actions.json'))).toEqual({ ok: true, value: { kind: 'json', path: join(root, 'actions.json') } });
    expect(inputKind(root)).toEqual({ ok: false, error: `${root}: a directory without graph.json or BUILD.dhall` });
    expect(inputKind(join(root, 'nope'))).toEqual({ ok: false, error: `${join(root, 'nope')}: no such file or directory` });
  });

  it('loads a graph from its directory, lowered', async () => {
    const rig = makeRig('c-lib');
    const a = await loadBuildInput(rig.root);
    expect(a.kind).toBe('continuity-actions');
    expect(a.srcdir).toBe(rig.srcdir);
    expect(a.actions.length).toBeGreaterThan(0);
    await expect(loadBuildInput(join(rig.root, 'missing'))).rejects.toThrow(`${join(rig.root, 'missing')}: no such file or directory`);
  });
});
