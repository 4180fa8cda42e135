// `continuity migrate <graph.json|confess-out-dir> --to DIR`: wiring only (src/migrate does the work).
import type { CommandModule } from 'yargs';
import { UserError } from '../../model/result.js';

interface MigrateArgs {
  graph: string;
  to: string;
  quiet: boolean;
}

export const migrateCommand: CommandModule<object, MigrateArgs> = {
  command: 'migrate <graph>',
  describe: 'Write typed BUILD.dhall files (one per source directory with targets) from a confessed graph',
  builder: (y) =>
    y
      .positional('graph', { type: 'string', demandOption: true, describe: 'graph.json, or the directory `continuity confess` wrote' })
      .option('to', { type: 'string', demandOption: true, describe: 'write BUILD.dhall files and continuity/*.dhall here (usually the source tree)' })
      .option('quiet', { type: 'boolean', default: false, describe: 'print nothing but errors' }) as never,
  handler: async (argv) => {
    const { migrate } = await import('../../migrate/migrate.js');
    const { assertOutDir } = await import('../../util/fs.js');
    await assertOutDir(argv.to, '--to');
    const r = await migrate(argv.graph, argv.to);
    if (!r.ok) throw new UserError(r.error);
    if (!argv.quiet) process.stderr.write(`continuity: wrote ${r.value.targets} targets in ${r.value.files.length} files under ${argv.to}\n`);
  },
};
