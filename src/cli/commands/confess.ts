// `continuity confess cmake|autotools <srcdir> ...`
import type { Argv, CommandModule } from 'yargs';

interface CmakeArgs {
  srcdir: string;
  out: string;
  'fake-packages': 'missing' | 'all' | 'none';
  j: number | undefined;
  quiet: boolean;
  '--'?: (string | number)[];
}

const cmakeCommand: CommandModule<object, CmakeArgs> = {
  command: 'cmake <srcdir>',
  describe: 'Configure and "build" a CMake project with shims: nothing is compiled, the whole graph is written',
  builder: (y: Argv) =>
    y
      .parserConfiguration({ 'populate--': true })
      .usage('$0 confess cmake <srcdir> [--out DIR] [--fake-packages missing|all|none] [-j N] [-- <cmake args>]')
      .positional('srcdir', { type: 'string', demandOption: true, describe: 'the CMake source directory' })
      .option('out', { type: 'string', default: '.continuity', describe: 'where graph.json, compile_commands.json, graph.dot, coeffects.json and the build tree go' })
      .option('fake-packages', { choices: ['missing', 'all', 'none'] as const, default: 'missing' as const, describe: 'which find_package calls to fake' })
      .option('j', { type: 'number', describe: "the build's parallelism (default: number of cores)" })
      .option('quiet', { type: 'boolean', default: false, describe: 'print nothing but errors' }) as unknown as Argv<CmakeArgs>,
  handler: async (argv) => {
    const { confessCmake } = await import('../../confess/cmake.js');
    const log = (line: string): void => {
      if (!argv.quiet) process.stderr.write(`continuity: ${line}\n`);
    };
    const summary = await confessCmake({
      srcdir: argv.srcdir,
      out: argv.out,
      fakePackages: argv['fake-packages'],
      jobs: argv.j,
      cmakeArgs: (argv['--'] ?? []).map(String),
      log,
    });
    const counts = Object.entries(summary.actions).map(([k, v]) => `${v} ${k}`).join(', ');
    const faked = summary.coeffects.packages.filter((p) => p.resolution === 'faked').map((p) => p.name);
    log(`confessed ${counts || 'no actions'} in ${summary.seconds.total.toFixed(1)} s` + (faked.length ? `; faked packages: ${faked.join(', ')}` : ''));
    log(`wrote ${summary.out}/graph.json, compile_commands.json, graph.dot, coeffects.json`);
  },
};

export const confessCommand: CommandModule = {
  command: 'confess <system>',
  describe: "Make a build system confess its build graph without compiling (systems: cmake)",
  builder: (y: Argv) => y.command(cmakeCommand as unknown as CommandModule).demandCommand(1, 'Name a build system: cmake'),
  handler: () => {},
};
