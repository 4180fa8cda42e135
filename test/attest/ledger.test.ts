// Creating the ledger: many builds creating it at once all get the one repository.
import { describe, expect, it } from 'vitest';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { git, openLedger } from '../../src/attest/ledger.js';

describe('openLedger', () => {
  it('eight builds creating one ledger at once all succeed, and leave one bare repository and nothing else', async () => {
    const root = await mkdtemp(join(tmpdir(), 'continuity-ledger-'));
    for (let round = 0; round < 5; round++) {
      const dir = join(root, `ledger${round}`);
      const results = await Promise.all(Array.from({ length: 8 }, () => openLedger(dir, true)));
      expect(results.map((r) => (r.ok ? 'ok' : r.error))).toEqual(Array(8).fill('ok'));
      expect((await git(dir, ['rev-parse', '--is-bare-repository'])).trim()).toBe('true');
    }
    expect((await readdir(root)).sort()).toEqual([0, 1, 2, 3, 4].map((r) => `ledger${r}`));
  });

  it('refuses a directory that holds something other than a repository, and an absent one when not asked to create it', async () => {
    const root = await mkdtemp(join(tmpdir(), 'continuity-ledger-'));
    const { writeFile, mkdir } = await import('node:fs/promises');
    await mkdir(join(root, 'full'));
    await writeFile(join(root, 'full', 'notes.txt'), 'x\n');
    const r = await openLedger(join(root, 'full'), true);
    expect(r.ok ? 'ok' : r.error).toMatch(/exists and is not a git repository/);
    const n = await openLedger(join(root, 'absent'), false);
    expect(n.ok ? 'ok' : n.error).toMatch(/no ledger at/);
  });
});
