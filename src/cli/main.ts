// The CLI only wires stages together: each command module parses its flags and calls into src/.
// Heavy modules are imported lazily inside the handlers so `--help` stays fast.
import yargs from 'yargs';
import { UserError, ExitError } from '../model/result.js';
import { commands } from './commands/index.js';

/** Whether help is asked for (before any `--`): the only time yargs prints it (failures print one line). */
function wantsHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const parser = yargs(argv)
    .scriptName('continuity')
    .usage('$0 <command> [options]\n\nMake C/C++/CUDA build systems confess their build graph, then build it hermetically.')
    .strict()
    .demandCommand(1, 'Name a command; see --help.')
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version(false)
    // yargs lays out every command's help text as it runs the command (in case it is asked for): wrapping
    // that text costs a command ~40 ms, so lines are wrapped only when help can be shown
    .wrap(wantsHelp(argv) ? Math.min(110, process.stdout.columns ?? 110) : null)
    .fail((msg, error) => {
      if (error) throw error;
      throw new UserError(msg ?? 'invalid arguments');
    });
  for (const c of commands) parser.command(c);
  try {
    const result = (await parser.parseAsync()) as { _exit?: number };
    exitCode = typeof result._exit === 'number' ? result._exit : 0;
  } catch (e: unknown) {
    if (e instanceof UserError) {
      process.stderr.write(`continuity: ${e.message}\n`);
      return 2;
    }
    if (e instanceof ExitError) return e.code;
    const msg = e instanceof Error ? (e.stack ?? e.message) : String(e);
    process.stderr.write(`continuity: internal error: ${msg}\n`);
    return 70;
  }
  return exitCode;
}
