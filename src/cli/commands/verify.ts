// `continuity verify <artifact | build id> [--ledger DIR] [--trusted-keys FILE]`: wiring only
// (src/attest/verify.ts does the work). Exit 0: verified; 1: verification failed; 2: bad usage.
import type { CommandModule } from 'yargs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ExitError, UserError } from '../../model/result.js';

interface VerifyArgs {
  target: string;
  ledger?: string;
  store?: string;
  'trusted-keys'?: string;
  json: boolean;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

export const verifyCommand: CommandModule<object, VerifyArgs> = {
  command: 'verify <target>',
  describe: 'Check that a trusted key signed exactly these bytes: an artifact file, or every output of a build id',
  builder: (y) =>
    y
      .positional('target', { type: 'string', demandOption: true, describe: 'an artifact path, or a build id from the ledger' })
      .option('ledger', { type: 'string', describe: 'the ledger repository (default: <store>/ledger)' })
      .option('store', { type: 'string', describe: 'store directory, for the default ledger (default: $XDG_CACHE_HOME/continuity or ~/.cache/continuity)' })
      .option('trusted-keys', { type: 'string', describe: 'public keys to trust, one hex key a line (default: $XDG_CONFIG_HOME/continuity/trusted-keys, else your own signing.pub)' })
      .option('json', { type: 'boolean', default: false, describe: 'print the verified attestations and proofs as JSON' }) as never,
  handler: async (argv) => {
    const { defaultLedgerDir } = await import('../../attest/attest.js');
    const { formatVerifyError, loadTrustedKeys, verifyArtifact, verifyBuild } = await import('../../attest/verify.js');
    const trusted = await loadTrustedKeys(argv['trusted-keys'] === undefined ? undefined : resolve(argv['trusted-keys']));
    if (!trusted.ok) throw new UserError(trusted.error);
    const ledger = resolve(argv.ledger ?? defaultLedgerDir(argv.store === undefined ? undefined : resolve(argv.store)));
    const opts = { ledger, trustedKeys: trusted.value.keys };
    const asFile = await isFile(argv.target);
    const r = asFile || argv.target.includes('/') ? await verifyArtifact(argv.target, opts) : await verifyBuild(argv.target, opts);
    if (!r.ok) {
      process.stderr.write(`continuity: verify failed: ${formatVerifyError(r.error)}\n`);
      throw new ExitError(1);
    }
    if (argv.json) {
      process.stdout.write(`${JSON.stringify(r.value, null, 2)}\n`);
      return;
    }
    const lines = r.value.verified.map(
      (a) => `verified ${resolve(a.outDir, a.path)} sha256 ${a.artifact}: build ${a.buildId}, action ${a.actionKey}, signed by ${a.builder} at ${new Date(a.timestamp).toISOString()}`,
    );
    process.stdout.write(`${lines.join('\n')}\n`);
  },
};
