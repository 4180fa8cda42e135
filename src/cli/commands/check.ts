// `continuity check [--out DIR] [-j N] -- <build command...>`: wiring only (src/confess/check.ts).
// Exit 0: the confessed and the observed graphs agree; 1: they differ (every difference printed);
// a failed build's own exit code otherwise.
import type { Argv, CommandModule } from 'yargs';
import { ExitError, UserError } from '../../model/result.js';

interface CheckArgs {
  out: string;
  j: number | undefined;
  shell: string | undefined;
  quiet: boolean;
  '--'?: (string | number)[];
}

export const checkCommand: CommandModule<object, CheckArgs> = {
  command: 'check',
  describe: 'Build twice from pristine copies (confess, observe) and report every difference between the graphs',
  builder: (y: Argv) =>
    y
      .parserConfiguration({ 'populate--': true })
      .usage('$0 check [--out DIR] [-j N] -- <build command...>')
      .option('out', { type: 'string', default: '.continuity-check', describe: 'where both runs (trees, graphs, logs) and check.json go' })
      .option('j', { type: 'number', describe: "the build's parallelism, passed to make or ninja" })
      .option('shell', { type: 'string', describe: "the shell make's recipe lines really run in (default /bin/sh)" })
      .option('quiet', { type: 'boolean', default: false, describe: 'print nothing but errors and differences' }) as unknown as Argv<CheckArgs>,
  handler: async (argv) => {
    const { runCheck, formatDifference } = await import('../../confess/check.js');
    const command = (argv['--'] ?? []).map(String);
    if (command.length === 0) throw new UserError('no build command given (usage: continuity check -- <command...>)');
    const log = (line: string): void => {
      if (!argv.quiet) process.stderr.write(`continuity: ${line}\n`);
    };
    const r = await runCheck({ command, out: argv.out, jobs: argv.j, ...(argv.shell ? { realShell: argv.shell } : {}), log });
    for (const s of [r.confess, r.observe]) {
      if (!s.complete) {
        process.stderr.write(`continuity: ${s.graph.attributes.mode} run: ${s.failure ?? 'the graph is incomplete'} (see ${s.out}/logs/build.log)\n`);
        throw new ExitError(s.exitCode !== 0 ? s.exitCode : 2);
      }
    }
    for (const d of r.differences) process.stdout.write(`${formatDifference(d)}\n`);
    const n = r.confess.graph.nodes.filter((x) => x.attributes.type === 'action').length;
    if (r.differences.length > 0) {
      process.stderr.write(`continuity: the confessed and the observed graphs differ (${r.differences.length} differences; see ${argv.out}/check.json)\n`);
      throw new ExitError(1);
    }
    log(`the confessed and the observed graphs agree (${n} actions)`);
  },
};
