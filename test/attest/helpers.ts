// Small builds to attest without a compiler: output files written by hand, a build record describing
// them, and git plumbing to tamper with a ledger the way someone with write access to it could.
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { attestBuild } from '../../src/attest/attest.js';
import { type KeyPair, generateKeyPair, writeKeyPair } from '../../src/attest/keys.js';
import { LEDGER_REF } from '../../src/attest/ledger.js';
import type { BuildRecord } from '../../src/model/build-record.js';
import { type ActionKey, sha256Hex } from '../../src/model/hash.js';
import type { Coeffect } from '../../src/model/seed.js';

export const tmp = (name: string): string => mkdtempSync(join(tmpdir(), `continuity-${name}-`));

export const NOW = 1_760_000_000_000;

export interface Rig {
  root: string;
  out: string;
  ledger: string;
  keyPath: string;
  publicKey: string;
  record: BuildRecord;
}

export async function writeKey(dir: string, pair: KeyPair = generateKeyPair()): Promise<{ keyPath: string; publicKey: string }> {
  const keyPath = join(dir, 'signing.key');
  const r = await writeKeyPair(keyPath, false, pair);
  if (!r.ok) throw new Error(r.error);
  return { keyPath, publicKey: r.value.publicKey };
}

/** Writes `files` under `out` and the build record that says one action per file made them. */
export function makeRecord(out: string, buildId: string, files: Record<string, string>, coeffects: Record<string, Coeffect[]> = {}): BuildRecord {
  const outputs = Object.entries(files).map(([path, content]) => {
    mkdirSync(dirname(join(out, path)), { recursive: true });
    writeFileSync(join(out, path), content);
    return { path, sha256: sha256Hex(content), actionKey: sha256Hex(`action for ${path}`) as string as ActionKey };
  });
  return {
    version: 2,
    buildId,
    derivationHash: sha256Hex(outputs.map((o) => o.actionKey).sort().join('\n')),
    startTime: NOW - 1000,
    endTime: NOW - 10,
    outputs,
    inputs: outputs.map((o) => ({ path: `/continuity/src/${o.path}.in`, sha256: sha256Hex(`input of ${o.path}`) })),
    actions: outputs.map((o, n) => ({
      key: o.actionKey,
      category: 'custom',
      identifier: o.path,
      cached: false,
      inputs: [n],
      coeffects: coeffects[o.path] ?? [],
    })),
    toolchainPaths: [],
    coeffectsFile: null,
  };
}

/** A signed build of two small outputs in a fresh ledger. */
export async function signedRig(files: Record<string, string> = { 'bin/app': 'app bytes\n', 'lib/libx.a': 'archive bytes\n' }): Promise<Rig> {
  const root = tmp('attest');
  const out = join(root, 'out');
  const ledger = join(root, 'ledger');
  const { keyPath, publicKey } = await writeKey(root);
  const record = makeRecord(out, 'build-1', files);
  const r = await attestBuild(record, out, { key: keyPath, ledger, now: () => NOW });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return { root, out, ledger, keyPath, publicKey, record };
}

export async function gitIn(ledger: string, args: string[], env: Record<string, string> = {}, input?: string): Promise<string> {
  const r = await execa('git', ['--git-dir', ledger, ...args], {
    env: { GIT_AUTHOR_NAME: 'x', GIT_AUTHOR_EMAIL: 'x@x', GIT_COMMITTER_NAME: 'x', GIT_COMMITTER_EMAIL: 'x@x', ...env },
    input: input ?? '',
  });
  return r.stdout.trim();
}

export const showBlob = (ledger: string, path: string): Promise<string> => gitIn(ledger, ['show', `${LEDGER_REF}:${path}`]);

/**
 * Replaces the blobs at `paths` with `edit(old)` in a new tip commit. `rewrite`: the new commit takes the
 * old tip's parents (history rewritten); otherwise it goes on top of the old tip.
 */
export async function tamperLedger(ledger: string, paths: string[], edit: (text: string) => string, rewrite: boolean): Promise<void> {
  const index = join(tmp('index'), 'index');
  const env = { GIT_INDEX_FILE: index };
  const tip = await gitIn(ledger, ['rev-parse', LEDGER_REF]);
  await gitIn(ledger, ['read-tree', tip], env);
  for (const p of paths) {
    const before = await showBlob(ledger, p);
    const after = edit(`${before}\n`);
    if (after === `${before}\n`) throw new Error(`the edit does not change ${p}`);
    const oid = await gitIn(ledger, ['hash-object', '-w', '--stdin'], env, after);
    await gitIn(ledger, ['update-index', '--add', '--cacheinfo', `100644,${oid},${p}`], env);
  }
  const tree = await gitIn(ledger, ['write-tree'], env);
  const parents = rewrite ? (await gitIn(ledger, ['rev-list', '--parents', '-n', '1', tip])).split(' ').slice(1) : [tip];
  const commit = await gitIn(ledger, ['commit-tree', tree, ...parents.flatMap((p) => ['-p', p]), '-m', 'edited'], env);
  await gitIn(ledger, ['update-ref', LEDGER_REF, commit]);
}

/** Flips one bit in the middle of a byte string. */
export function flipByte(bytes: Buffer, at = Math.floor(bytes.length / 2)): Buffer {
  const b = Buffer.from(bytes);
  b[at] = b[at]! ^ 0x01;
  return b;
}
