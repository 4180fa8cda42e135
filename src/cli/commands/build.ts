// `continuity build <confess-out-dir|graph.json|actions.json|BUILD.dhall> --out DIR`: wiring only (src/execute does the work).
// Heavy modules (lowering, the executor, signing) are imported only on the paths that use them.
import type { CommandModule } from 'yargs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { ExitError, UserError } from '../../model/result.js';
import type { BuildRecord } from '../../model/build-record.js';

interface BuildArgs {
  input: string;
  out: string;
  store?: string;
  jobs: number;
  sandbox: boolean;
  quiet: boolean;
  key?: string;
  ledger?: string;
}

export const buildCommand: CommandModule<object, BuildArgs> = {
  command: 'build <input>',
  describe: 'Build a graph hermetically: each action in a sandbox, outputs in a content-addressed store',
  builder: (y) =>
    y
      .positional('input', { type: 'string', demandOption: true, describe: 'a confession\'s output directory, graph.json, actions.json, or BUILD.dhall (or a directory holding it)' })
      .option('out', { type: 'string', demandOption: true, describe: 'materialize outputs here, at their build-tree paths' })
      .option('store', { type: 'string', describe: 'store directory (default: $XDG_CACHE_HOME/continuity or ~/.cache/continuity)' })
      .option('jobs', { alias: 'j', type: 'number', default: cpus().length, describe: 'actions run at once' })
      .option('sandbox', { type: 'boolean', default: true, describe: 'run actions in a sandbox (--no-sandbox: directly; not hermetic)' })
      .option('quiet', { type: 'boolean', default: false, describe: 'print nothing but errors' })
      .option('key', { type: 'string', describe: 'sign with this secret key (default: the `continuity keygen` key, when there is one)' })
      .option('ledger', { type: 'string', describe: 'commit attestations to this git repository (default: <store>/ledger)' }) as never,
  handler: async (argv) => {
    if (!Number.isInteger(argv.jobs) || argv.jobs < 1) throw new UserError(`--jobs must be a positive integer, not ${String(argv.jobs)}`);
    const { assertOutDir } = await import('../../util/fs.js');
    const out = resolve(argv.out);
    await assertOutDir(out, '--out'); // before lowering: a wrong --out costs nothing
    const { cacheHome } = await import('../../util/dirs.js'); // the store's default home
    const storeDir = resolve(argv.store ?? cacheHome());
    const { inputKind } = await import('../../execute/input.js');
    const kind = inputKind(resolve(argv.input));
    if (!kind.ok) throw new UserError(kind.error);

    // Nothing the last build into --out rested on has changed: its record is written again, nothing else runs.
    const { forgetState, saveState, upToDate } = await import('../../execute/state.js');
    const stateDir = join(storeDir, 'outs');
    const identity = { out, input: kind.value.path, sandboxed: argv.sandbox };
    const fresh = await upToDate(stateDir, identity);
    if (fresh) {
      if (!argv.quiet) process.stderr.write(`continuity: 0 executed, ${fresh.actions} cached, 0 failed (up to date)\n`);
      await attest(fresh.record, out, storeDir, argv);
      return;
    }
    await forgetState(stateDir, out).catch(() => undefined); // this build may change --out; an unusable store is reported below

    const { loadBuildInputCached } = await import('../../execute/input.js');
    const { Store } = await import('../../execute/store.js');
    const { detectSandbox } = await import('../../execute/sandbox.js');
    const { buildActions } = await import('../../execute/build.js');
    const { progressPrinter } = await import('../../execute/progress.js');
    const { loadHashMemo, saveHashMemo } = await import('../../util/hash-memo.js');
    await loadHashMemo(join(storeDir, 'hash-memo.json')); // sources and outputs unchanged since last time are not rehashed
    const loaded = await loadBuildInputCached(kind.value.path, join(storeDir, 'lowered'));
    const sandbox = detectSandbox(!argv.sandbox);
    if (!sandbox.ok) throw new UserError(sandbox.error);
    const store = await Store.open(storeDir);
    if (!store.ok) throw new UserError(store.error);
    const progress = progressPrinter(process.stderr, !argv.quiet && process.stderr.isTTY === true);
    const r = await buildActions(loaded.actions, { out, store: store.value, sandbox: sandbox.value, jobs: argv.jobs, onProgress: progress.update });
    progress.clear();
    if (r.ok && r.value.record && loaded.witnesses) {
      const { record, sources, materialized } = r.value;
      await saveState(stateDir, identity, { witnesses: loaded.witnesses, sources, materialized, record }).catch(() => false);
    }
    await saveHashMemo();
    if (!r.ok) throw new UserError(r.error);
    const s = r.value;
    for (const f of s.failures) {
      process.stderr.write(`continuity: action ${f.id} (${f.kind} ${f.identifier}) failed: ${f.failure.message}\n`);
      if (f.failure.stderr.trim()) process.stderr.write(`${f.failure.stderr.trimEnd()}\n`);
    }
    if (!argv.quiet || s.failed > 0) {
      process.stderr.write(`continuity: ${s.executed} executed, ${s.cached} cached, ${s.failed} failed${s.skipped ? `, ${s.skipped} not run` : ''}\n`);
    }
    if (s.failed > 0) throw new ExitError(1);
    if (s.record) await attest(s.record, out, store.value.root, argv);
  },
};

/** Signing is src/attest's concern: it signs the build record's outputs and proof into the ledger. */
async function attest(record: BuildRecord, out: string, storeRoot: string, argv: BuildArgs): Promise<void> {
  const { attestAfterBuild } = await import('../../attest/after-build.js');
  await attestAfterBuild(record, out, {
    key: argv.key === undefined ? undefined : resolve(argv.key),
    ledger: argv.ledger === undefined ? undefined : resolve(argv.ledger),
    store: storeRoot,
    quiet: argv.quiet,
  });
}
