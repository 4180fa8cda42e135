// End to end through the CLI: keygen, confess a fixture, build it (sandboxed), verify its outputs,
// then tamper and verify again.
import { beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildRecord } from '../../src/model/build-record.js';
import type { CoeffectsFile } from '../../src/model/coeffects.js';
import { sha256Hex } from '../../src/model/hash.js';
import type { DischargeProof } from '../../src/model/seed.js';
import { CLI, REPO, confess } from '../helpers/real-cmake.js';
import { flipByte, gitIn, showBlob, tmp } from './helpers.js';

interface Env {
  home: string;
  env: Record<string, string>;
  store: string;
  ledger: string;
}

function freshEnv(): Env {
  const home = tmp('cli-home');
  const env = { ...(process.env as Record<string, string>), XDG_CONFIG_HOME: join(home, 'config'), XDG_CACHE_HOME: join(home, 'cache') };
  const store = join(home, 'cache', 'continuity');
  return { home, env, store, ledger: join(store, 'ledger') };
}

async function run(args: string[], env: Record<string, string>) {
  const r = await execa('node', [CLI, ...args], { env, reject: false, stdin: 'ignore', stripFinalNewline: false });
  return { code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

async function confessed(src: string, extra: string[] = []): Promise<string> {
  const conf = join(tmp('cli-conf'), 'conf');
  const r = await confess(src, conf, [], extra);
  if (r.exitCode !== 0) throw new Error(String(r.all));
  return conf;
}

const readRecord = (out: string): BuildRecord => JSON.parse(readFileSync(join(out, '.continuity', 'build-record.json'), 'utf8')) as BuildRecord;

beforeAll(() => {
  spawnSync('npx', ['tsc', '-p', REPO], { cwd: REPO, stdio: 'ignore' });
});

describe('continuity keygen', () => {
  it('writes the default key pair with the secret key at mode 0600 and prints the public key', async () => {
    const e = freshEnv();
    const r = await run(['keygen'], e.env);
    expect(r.code).toBe(0);
    const dir = join(e.home, 'config', 'continuity');
    expect(r.stdout).toBe(readFileSync(join(dir, 'signing.pub'), 'utf8'));
    expect(r.stderr).toBe(`continuity: wrote ${join(dir, 'signing.key')} (secret, mode 0600) and ${join(dir, 'signing.pub')}\n`);
    expect(statSync(join(dir, 'signing.key')).mode & 0o777).toBe(0o600);
    const again = await run(['keygen'], e.env);
    expect([again.code, again.stderr]).toEqual([2, `continuity: ${join(dir, 'signing.key')} already exists (use --force to replace it)\n`]);
    const other = join(e.home, 'k', 'ci.key');
    const out = await run(['keygen', '--out', other], e.env);
    expect(out.code).toBe(0);
    expect(statSync(other).mode & 0o777).toBe(0o600);
    expect(out.stdout).toBe(readFileSync(join(e.home, 'k', 'ci.pub'), 'utf8'));
  });
});

describe('build → sign → verify → tamper', () => {
  it('fixtures/c-static-exe: signed with a pure proof, every output verifies, tampering is caught', async () => {
    const e = freshEnv();
    expect((await run(['keygen'], e.env)).code).toBe(0);
    const publicKey = readFileSync(join(e.home, 'config', 'continuity', 'signing.pub'), 'utf8').trim();
    const conf = await confessed(join(REPO, 'fixtures', 'c-static-exe'));
    const out = join(e.home, 'out');
    const b = await run(['build', conf, '--out', out], e.env);
    expect(b.code, b.stderr).toBe(0);
    const record = readRecord(out);
    expect(b.stderr).toContain(`continuity: signed build ${record.buildId} (${record.outputs.length} attestations, pure) into ${e.ledger}\n`);

    // the proof: pure, no network, no auth; the toolchain and every input witnessed
    const proof = JSON.parse(await showBlob(e.ledger, `builds/${record.buildId}/proof.json`)) as DischargeProof;
    expect(proof.coeffects).toEqual([{ kind: 'pure' }]);
    expect(proof.networkAccess).toEqual([]);
    expect(proof.authUsage).toEqual([]);
    expect(proof.outputHashes).toEqual(record.outputs.map((o) => [o.path, o.sha256]));
    expect(proof.derivationHash).toBe(record.derivationHash);
    expect(proof.signature?.publicKey).toBe(publicKey);
    const inputs = new Set(record.actions.flatMap((a) => a.inputs.map((n) => record.inputs[n]?.path)));
    expect(inputs.has(undefined)).toBe(false);
    expect(proof.filesystemAccess.filter((f) => inputs.has(f.path)).length).toBe(inputs.size);
    expect(record.toolchainPaths.length).toBeGreaterThan(0);

    // every output verifies, by path and by build id
    const hello = join(out, 'hello');
    const v = await run(['verify', hello], e.env);
    expect(v.code, v.stderr).toBe(0);
    const sha = sha256Hex(readFileSync(hello));
    expect(v.stdout).toMatch(new RegExp(`^verified ${hello} sha256 ${sha}: build ${record.buildId}, action [0-9a-f]{64}, signed by ${publicKey} at \\S+\\n$`));
    const byId = await run(['verify', record.buildId, '--ledger', e.ledger], e.env);
    expect(byId.code, byId.stderr).toBe(0);
    expect(byId.stdout.trim().split('\n')).toHaveLength(record.outputs.length);

    // a key that is not trusted
    const others = join(e.home, 'others.keys');
    writeFileSync(others, `# someone else\n${'ab'.repeat(32)}\n`);
    const untrusted = await run(['verify', hello, '--trusted-keys', others], e.env);
    expect([untrusted.code, untrusted.stderr]).toEqual([1, `continuity: verify failed: untrusted key: ${hello} (sha256 ${sha}) is attested only by keys not trusted: ${publicKey}\n`]);

    // a byte flipped in the artifact
    chmodSync(hello, 0o755);
    writeFileSync(hello, flipByte(readFileSync(hello)));
    const flipped = sha256Hex(readFileSync(hello));
    const bad = await run(['verify', hello], e.env);
    expect([bad.code, bad.stderr]).toEqual([1, `continuity: verify failed: hash mismatch: ${hello} has sha256 ${flipped}; build ${record.buildId} attested sha256 ${sha} at this path\n`]);
    const badId = await run(['verify', record.buildId], e.env);
    expect([badId.code, badId.stderr]).toEqual([1, `continuity: verify failed: hash mismatch: ${hello} has sha256 ${flipped}; build ${record.buildId} attested sha256 ${sha}\n`]);

    // a byte flipped in the ledger
    const oid = await gitIn(e.ledger, ['rev-parse', `refs/continuity/attestations:builds/${record.buildId}/proof.json`]);
    const obj = join(e.ledger, 'objects', oid.slice(0, 2), oid.slice(2));
    chmodSync(obj, 0o644);
    writeFileSync(obj, flipByte(readFileSync(obj)));
    const lib = join(out, 'libgreet.a');
    const corrupt = await run(['verify', lib], e.env);
    expect(corrupt.code).toBe(1);
    expect(corrupt.stderr).toMatch(new RegExp(`^continuity: verify failed: ledger corrupted: ${e.ledger}: .+\\n$`));
  });

  it('a faked find_package is a filesystem coeffect of the build; the build verifies', async () => {
    const e = freshEnv();
    const keyPath = join(e.home, 'ci.key');
    expect((await run(['keygen', '--out', keyPath], e.env)).code).toBe(0);
    const conf = await confessed(join(REPO, 'test', 'attest', 'fixtures', 'unused-package'), ['--fake-packages', 'all']);
    const log = JSON.parse(readFileSync(join(conf, 'coeffects.json'), 'utf8')) as CoeffectsFile;
    const zlib = log.packages.find((p) => p.name === 'ZLIB');
    expect(zlib?.resolution).toBe('faked');
    const out = join(e.home, 'out');
    const ledger = join(e.home, 'ledger');
    const b = await run(['build', conf, '--out', out, '--key', keyPath, '--ledger', ledger, '--quiet'], e.env);
    expect([b.code, b.stderr]).toEqual([0, '']);
    const record = readRecord(out);
    const proof = JSON.parse(await showBlob(ledger, `builds/${record.buildId}/proof.json`)) as DischargeProof;
    expect(proof.coeffects).toEqual([{ kind: 'filesystem', path: zlib?.fakeRoot }]);
    expect(proof.filesystemAccess.find((f) => f.path === zlib?.fakeRoot)?.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(proof.networkAccess).toEqual([]);
    const keys = join(e.home, 'trusted');
    writeFileSync(keys, readFileSync(join(e.home, 'ci.pub')));
    const v = await run(['verify', join(out, 'tool'), '--ledger', ledger, '--trusted-keys', keys], e.env);
    expect(v.code, v.stderr).toBe(0);
    const msg = (await gitIn(ledger, ['log', '-1', '--format=%B', 'refs/continuity/attestations'])).split('\n');
    expect(msg).toContain(`coeffects filesystem:${zlib?.fakeRoot}`);
  });

  it('no key: the build succeeds unsigned with a one-line notice; a missing --key is an error', async () => {
    const e = freshEnv();
    const conf = await confessed(join(REPO, 'fixtures', 'c-static-exe'));
    const b = await run(['build', conf, '--out', join(e.home, 'out')], e.env);
    expect(b.code).toBe(0);
    const key = join(e.home, 'config', 'continuity', 'signing.key');
    expect(b.stderr.split('\n').filter((l) => l.includes('sign'))).toEqual([`continuity: not signed: no signing key at ${key} (run continuity keygen)`]);
    expect(existsSync(e.ledger)).toBe(false);
    const missing = join(e.home, 'nope.key');
    const m = await run(['build', conf, '--out', join(e.home, 'out2'), '--key', missing, '--quiet'], e.env);
    expect([m.code, m.stderr]).toEqual([2, `continuity: attest: cannot read signing key ${missing} (ENOENT)\n`]);
    // and verify without any trusted key says what to do
    const v = await run(['verify', join(e.home, 'out', 'hello')], e.env);
    expect([v.code, v.stderr]).toEqual([2, 'continuity: no trusted keys: give --trusted-keys FILE, or run continuity keygen to trust your own key\n']);
  });
});
