// `continuity lower <graph.json|confess-out-dir> [-o actions.json]`: wiring only (src/lower does the work).
import type { CommandModule } from 'yargs';
import { resolve } from 'node:path';

interface LowerArgs {
  graph: string;
  output?: string;
}

export const lowerCommand: CommandModule<object, LowerArgs> = {
  command: 'lower <graph>',
  describe: 'Lower a confessed graph.json to typed, keyed actions (actions.json)',
  builder: (y) =>
    y
      .positional('graph', { type: 'string', demandOption: true, describe: 'graph.json written by `continuity confess`, or the directory holding it' })
      .option('output', { alias: 'o', type: 'string', describe: 'write actions.json here (default: standard output)' }) as never,
  handler: async (argv) => {
    const { loadBuildInput } = await import('../../execute/input.js');
    const { writeFileAtomic } = await import('../../execute/atomic.js');
    const { jsonChunks } = await import('../../util/json-chunks.js');
    const actions = await loadBuildInput(resolve(argv.graph));
    // one action at a time: the actions of a large project are more text than one string may hold
    const text = function* (): Generator<string> {
      yield* jsonChunks(actions);
      yield '\n';
    };
    if (argv.output) await writeFileAtomic(argv.output, text());
    else for (const piece of text()) if (!process.stdout.write(piece)) await new Promise((r) => process.stdout.once('drain', r));
  },
};
