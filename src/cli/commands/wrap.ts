// `continuity wrap [--mode confess|observe] [--out DIR] [-j N] -- <build command...>`: wiring only
// (src/confess/wrap.ts does the work). A failed build's exit code is passed through.
import type { Argv, CommandModule } from 'yargs';
import { ExitError, UserError } from '../../model/result.js';

interface WrapArgs {
  mode: 'confess' | 'observe';
  out: string;
  j: number | undefined;
  shell: string;
  quiet: boolean;
  live: boolean;
  port: number;
  open: boolean;
  'scan-cache': boolean;
  '--'?: (string | number)[];
}

/** --scan-cache / --no-scan-cache, for every command that confesses. */
export const SCAN_CACHE_OPTION = {
  type: 'boolean',
  default: true,
  describe: 'confess mode: reuse header scans kept in $XDG_CACHE_HOME/continuity/scan while their sources, headers and search directories are unchanged (--no-scan-cache: scan every source afresh)',
} as const;

export const wrapCommand: CommandModule<object, WrapArgs> = {
  command: 'wrap',
  describe: 'Run any build (make, ninja, a script) through the shims and write its graph',
  builder: (y: Argv) =>
    y
      .parserConfiguration({ 'populate--': true })
      .usage('$0 wrap [--mode confess|observe] [--out DIR] [-j N] [--no-scan-cache] -- <build command...>')
      .option('mode', { choices: ['confess', 'observe'] as const, default: 'confess' as const, describe: 'confess: compile nothing (outputs are tokens); observe: run the real tools and record them' })
      .option('out', { type: 'string', default: '.continuity', describe: 'where graph.json, compile_commands.json, graph.dot and the logs go' })
      .option('j', { type: 'number', describe: "the build's parallelism, passed to make or ninja" })
      .option('shell', { type: 'string', default: '/bin/sh', describe: "the shell make's recipe lines really run in" })
      .option('live', { type: 'boolean', default: false, describe: 'serve a page that draws the graph as the shims report it, and keep serving it afterwards until Ctrl-C' })
      .option('port', { type: 'number', default: 0, describe: 'with --live: the port to listen on (0: any free port)' })
      .option('open', { type: 'boolean', default: true, describe: 'with --live: open the page in a browser (--no-open: only print its address)' })
      .option('scan-cache', SCAN_CACHE_OPTION)
      .option('quiet', { type: 'boolean', default: false, describe: 'print nothing but errors' }) as unknown as Argv<WrapArgs>,
  handler: async (argv) => {
    const { runWrap } = await import('../../confess/wrap.js');
    const command = (argv['--'] ?? []).map(String);
    if (command.length === 0) throw new UserError('no build command given (usage: continuity wrap -- <command...>)');
    const { startWatch } = await import('../watch.js');
    const watch = await startWatch({ quiet: argv.quiet, label: argv.mode, live: argv.live, port: argv.port, open: argv.open });
    const log = watch.log;
    let s;
    try {
      s = await runWrap({
        command, out: argv.out, mode: argv.mode, jobs: argv.j, realShell: argv.shell, log,
        ...(watch.listening ? { onReport: watch.onReport } : {}),
        ...(argv['scan-cache'] ? {} : { scanCache: null }),
      });
    } catch (e: unknown) {
      await watch.fail(e instanceof Error ? e.message : String(e));
      throw e;
    }
    watch.stop();
    if (!s.complete) {
      const why = `${s.failure ?? 'the graph is incomplete'}; the graph so far is in ${s.graphFile} (see ${s.out}/logs/build.log)`;
      process.stderr.write(`continuity: ${why}\n`);
      await watch.fail(why);
      throw new ExitError(s.exitCode !== 0 ? s.exitCode : 2);
    }
    const counts = Object.entries(s.actions).map(([k, v]) => `${v} ${k}`).join(', ');
    log(`${s.graph.attributes.mode === 'confess' ? 'confessed' : 'observed'} ${counts || 'no actions'} in ${s.seconds.toFixed(1)} s` +
      (s.materialized.length ? `; materialized ${s.materialized.length} program run(s)` : ''));
    log(`wrote ${s.out}/graph.json, compile_commands.json, graph.dot`);
    await watch.finish(s.graph);
  },
};

interface AutotoolsArgs {
  srcdir: string;
  out: string;
  mode: 'confess' | 'observe';
  j: number | undefined;
  check: boolean;
  'scan-cache': boolean;
  quiet: boolean;
  '--'?: (string | number)[];
}

/** `continuity confess autotools <srcdir> [--out DIR] [-j N] [--check] [-- <configure args>]` (registered under `confess`). */
export const autotoolsCommand: CommandModule<object, AutotoolsArgs> = {
  command: 'autotools <srcdir>',
  describe: 'Configure an autotools project (autoreconf -fi when there is no configure) and confess its make build',
  builder: (y: Argv) =>
    y
      .parserConfiguration({ 'populate--': true })
      .usage('$0 confess autotools <srcdir> [--out DIR] [-j N] [--check] [--no-scan-cache] [-- <configure args>]')
      .positional('srcdir', { type: 'string', demandOption: true, describe: 'the source directory (with configure or configure.ac)' })
      .option('out', { type: 'string', default: '.continuity', describe: 'where graph.json, compile_commands.json, graph.dot, the build tree and the logs go' })
      .option('mode', { choices: ['confess', 'observe'] as const, default: 'confess' as const, describe: 'confess: compile nothing; observe: build for real and record' })
      .option('j', { type: 'number', describe: "make's parallelism" })
      .option('check', { type: 'boolean', default: false, describe: 'also build what `make check` builds (its test programs), running no test' })
      .option('scan-cache', SCAN_CACHE_OPTION)
      .option('quiet', { type: 'boolean', default: false, describe: 'print nothing but errors' }) as unknown as Argv<AutotoolsArgs>,
  handler: async (argv) => {
    const { confessAutotools } = await import('../../confess/autotools.js');
    const log = (line: string): void => {
      if (!argv.quiet) process.stderr.write(`continuity: ${line}\n`);
    };
    const s = await confessAutotools({
      srcdir: argv.srcdir, out: argv.out, mode: argv.mode, jobs: argv.j, configureArgs: (argv['--'] ?? []).map(String), log,
      check: argv.check, ...(argv['scan-cache'] ? {} : { scanCache: null }),
    });
    if (!s.complete) {
      process.stderr.write(`continuity: ${s.failure ?? 'the graph is incomplete'}; the graph so far is in ${s.graphFile} (see ${s.out}/logs/build.log)\n`);
      throw new ExitError(s.exitCode !== 0 ? s.exitCode : 2);
    }
    const counts = Object.entries(s.actions).map(([k, v]) => `${v} ${k}`).join(', ');
    log(`confessed ${counts || 'no actions'} in ${s.seconds.toFixed(1)} s`);
    log(`wrote ${s.out}/graph.json, compile_commands.json, graph.dot`);
  },
};
