// `continuity confess cmake|autotools <srcdir> ...`
import type { Argv, CommandModule } from 'yargs';
import { SCAN_CACHE_OPTION, autotoolsCommand } from './wrap.js';

interface CmakeArgs {
  srcdir: string;
  out: string;
  'fake-packages': 'missing' | 'all' | 'none';
  j: number | undefined;
  quiet: boolean;
  live: boolean;
  port: number;
  open: boolean;
  'scan-cache': boolean;
  '--'?: (string | number)[];
}

const cmakeCommand: CommandModule<object, CmakeArgs> = {
  command: 'cmake <srcdir>',
  describe: 'Configure and "build" a CMake project with shims: nothing is compiled, the whole graph is written',
  builder: (y: Argv) =>
    y
      .parserConfiguration({ 'populate--': true })
      .usage('$0 confess cmake <srcdir> [--out DIR] [--fake-packages missing|all|none] [-j N] [--no-scan-cache] [-- <cmake args>]')
      .positional('srcdir', { type: 'string', demandOption: true, describe: 'the CMake source directory' })
      .option('out', { type: 'string', default: '.continuity', describe: 'where graph.json, compile_commands.json, graph.dot, coeffects.json and the build tree go' })
      .option('fake-packages', { choices: ['missing', 'all', 'none'] as const, default: 'missing' as const, describe: 'which find_package calls to fake' })
      .option('j', { type: 'number', describe: "the build's parallelism (default: number of cores)" })
      .option('live', { type: 'boolean', default: false, describe: 'serve a page that draws the graph as the shims report it, and keep serving it after the confession until Ctrl-C' })
      .option('port', { type: 'number', default: 0, describe: 'with --live: the port to listen on (0: any free port)' })
      .option('open', { type: 'boolean', default: true, describe: 'with --live: open the page in a browser (--no-open: only print its address)' })
      .option('scan-cache', SCAN_CACHE_OPTION)
      .option('quiet', { type: 'boolean', default: false, describe: 'print nothing but errors' }) as unknown as Argv<CmakeArgs>,
  handler: async (argv) => {
    const { confessCmake } = await import('../../confess/cmake.js');
    const { startWatch } = await import('../watch.js');
    const watch = await startWatch({ quiet: argv.quiet, label: 'confess', live: argv.live, port: argv.port, open: argv.open });
    const log = watch.log;
    let summary;
    try {
      summary = await confessCmake({
        srcdir: argv.srcdir,
        out: argv.out,
        fakePackages: argv['fake-packages'],
        jobs: argv.j,
        cmakeArgs: (argv['--'] ?? []).map(String),
        log,
        ...(watch.listening ? { onReport: watch.onReport } : {}),
        ...(argv['scan-cache'] ? {} : { scanCache: null }),
      });
    } catch (e: unknown) {
      await watch.fail(e instanceof Error ? e.message : String(e));
      throw e;
    }
    watch.stop();
    const counts = Object.entries(summary.actions).map(([k, v]) => `${v} ${k}`).join(', ');
    const faked = summary.coeffects.packages.filter((p) => p.resolution === 'faked').map((p) => p.name);
    log(`confessed ${counts || 'no actions'} in ${summary.seconds.total.toFixed(1)} s (configure ${summary.seconds.configure.toFixed(1)} s, build ${summary.seconds.build.toFixed(1)} s, graph ${summary.seconds.graph.toFixed(1)} s)` + (faked.length ? `; faked packages: ${faked.join(', ')}` : ''));
    log(`wrote ${summary.out}/graph.json, compile_commands.json, graph.dot, coeffects.json`);
    await watch.finish(summary.graph);
  },
};

export const confessCommand: CommandModule = {
  command: 'confess <system>',
  describe: "Make a build system confess its build graph without compiling (systems: cmake, autotools)",
  builder: (y: Argv) => y.command(cmakeCommand as unknown as CommandModule).command(autotoolsCommand as unknown as CommandModule).demandCommand(1, 'Name a build system: cmake or autotools'),
  handler: () => {},
};
