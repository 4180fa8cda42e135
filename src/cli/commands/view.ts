// `continuity view <graph.json | confession dir> [--port N] [--no-open] [--lower]`: wiring only (src/view).
import type { Argv, CommandModule } from 'yargs';
import { UserError } from '../../model/result.js';

interface ViewArgs {
  graph: string;
  port: number;
  open: boolean;
  lower: boolean;
  actions: string | undefined;
  quiet: boolean;
}

export const viewCommand: CommandModule<object, ViewArgs> = {
  command: 'view <graph>',
  describe: 'Serve a page on 127.0.0.1 that draws a confessed graph: targets, actions, files, paths between them',
  builder: (y: Argv) =>
    y
      .positional('graph', { type: 'string', demandOption: true, describe: 'graph.json, or the directory `confess --out` wrote' })
      .option('port', { type: 'number', default: 0, describe: 'the port to listen on (0: any free port)' })
      .option('open', { type: 'boolean', default: true, describe: 'open the page in a browser (--no-open: only print its address)' })
      .option('actions', { type: 'string', describe: 'actions.json for the action keys (default: actions.json beside graph.json)' })
      .option('lower', { type: 'boolean', default: false, describe: 'lower the graph now to show action keys (hashes every source)' })
      .option('quiet', { type: 'boolean', default: false, describe: 'print nothing but the address and errors' }) as unknown as Argv<ViewArgs>,
  handler: async (argv) => {
    const port = argv.port;
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserError(`--port ${String(port)}: not a port number`);
    const { loadViewInput, loadActionKeys, actionsBeside } = await import('../../view/input.js');
    const { startView, serveUntilStopped } = await import('../../view/serve.js');
    const log = (line: string): void => {
      if (!argv.quiet) process.stderr.write(`continuity: ${line}\n`);
    };
    const { graphPath, graph } = await loadViewInput(argv.graph);
    let keys = await loadActionKeys(argv.actions ?? actionsBeside(graphPath), graph);
    if (argv.actions && keys === null) throw new UserError(`${argv.actions}: not made from ${graphPath} (another build tree)`);
    if (!keys && argv.lower) {
      const { lowerGraph } = await import('../../lower/lower.js');
      log('lowering the graph for its action keys');
      const r = await lowerGraph(graph, { graphPath });
      if (!r.ok) throw new UserError(`${graphPath}: cannot lower: ${r.error.message}`);
      keys = new Map(r.value.actions.map((a) => [a.id, a.key as string]));
    }
    const server = await startView({
      source: { kind: 'static', graph }, port, open: argv.open, log: (l) => process.stderr.write(`continuity: ${l}\n`),
      ...(keys ? { actionKeys: keys } : {}),
    });
    await serveUntilStopped(server, log);
  },
};
