// The step `continuity build` runs after a successful build: sign the build record's outputs and
// proof into the ledger (`--key FILE`, else the default key when it exists; `--ledger DIR`, else the
// ledger beside the store). No key: one line saying signing was skipped. A failure is a UserError.
import type { BuildRecord } from '../model/build-record.js';
import { UserError } from '../model/result.js';
import type { AttestSummary } from './attest.js';
import { missingDefaultKey } from './key-path.js';

export interface AfterBuildOptions {
  /** --key */
  key?: string;
  /** --ledger */
  ledger?: string;
  /** --store (the default ledger lives in it) */
  store?: string;
  /** print nothing unless something is wrong */
  quiet?: boolean;
  /** where the one-line summary goes (default: standard error) */
  log?: (line: string) => void;
}

export async function attestAfterBuild(record: BuildRecord, outDir: string, opts: AfterBuildOptions = {}): Promise<AttestSummary> {
  const log = opts.log ?? ((line: string): void => void process.stderr.write(`${line}\n`));
  // no key: said without loading the signing and ledger code
  const missing = missingDefaultKey(opts.key);
  if (missing !== null) {
    if (opts.quiet !== true) log(`continuity: not signed: ${missing}`);
    return { signed: false, reason: missing };
  }
  const { attestBuild, formatAttestError } = await import('./attest.js');
  const r = await attestBuild(record, outDir, { key: opts.key, ledger: opts.ledger, store: opts.store });
  if (!r.ok) throw new UserError(formatAttestError(r.error));
  const s = r.value;
  if (opts.quiet !== true) {
    if (!s.signed) log(`continuity: not signed: ${s.reason}`);
    else {
      const pure = s.proof.coeffects.every((c) => c.kind === 'pure');
      log(`continuity: signed build ${s.buildId} (${s.attestations} attestation${s.attestations === 1 ? '' : 's'}, ${pure ? 'pure' : `${s.proof.coeffects.length} coeffect${s.proof.coeffects.length === 1 ? '' : 's'}`}) into ${s.ledger}`);
    }
  }
  return s;
}
