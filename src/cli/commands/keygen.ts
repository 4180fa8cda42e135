// `continuity keygen [--out FILE] [--force]`: wiring only (src/attest/keys.ts does the work).
import type { CommandModule } from 'yargs';
import { resolve } from 'node:path';
import { UserError } from '../../model/result.js';

interface KeygenArgs {
  out?: string;
  force: boolean;
}

export const keygenCommand: CommandModule<object, KeygenArgs> = {
  command: 'keygen',
  describe: 'Make an ed25519 signing key pair; `continuity build` signs with it from then on',
  builder: (y) =>
    y
      .option('out', { type: 'string', describe: 'the secret key file (default: $XDG_CONFIG_HOME/continuity/signing.key or ~/.config/continuity/signing.key); the public key goes beside it as .pub' })
      .option('force', { type: 'boolean', default: false, describe: 'replace an existing key' }) as never,
  handler: async (argv) => {
    const { defaultSecretKeyPath, writeKeyPair } = await import('../../attest/keys.js');
    const path = resolve(argv.out ?? defaultSecretKeyPath());
    const r = await writeKeyPair(path, argv.force);
    if (!r.ok) throw new UserError(r.error);
    process.stdout.write(`${r.value.publicKey}\n`);
    process.stderr.write(`continuity: wrote ${r.value.secretPath} (secret, mode 0600) and ${r.value.publicPath}\n`);
  },
};
