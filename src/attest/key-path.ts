// Where the signing key lives by default, and what is said when there is none. Kept apart from keys.ts
// (which loads the ed25519 code) so that a build with no key to sign with loads no signing code at all.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultKeyDir(): string {
  const xdg = process.env['XDG_CONFIG_HOME'];
  return join(xdg && xdg.startsWith('/') ? xdg : join(homedir(), '.config'), 'continuity');
}

export const defaultSecretKeyPath = (): string => join(defaultKeyDir(), 'signing.key');

/** Why a build is not signed when no key was named and there is none at the default place; else null. */
export function missingDefaultKey(key: string | undefined): string | null {
  if (key !== undefined) return null;
  const path = defaultSecretKeyPath();
  return existsSync(path) ? null : `no signing key at ${path} (run continuity keygen)`;
}
