// Running the view for a command: start the server, say where it is, open a browser unless told not to,
// and (for `continuity view`, or after a live confession) keep serving until SIGINT or SIGTERM.
import { ViewServer, type ViewServerOptions } from './server.js';
import { openInBrowser } from './browser.js';

export interface StartViewOptions extends ViewServerOptions {
  open: boolean;
  log: (line: string) => void;
}

export async function startView(opts: StartViewOptions): Promise<ViewServer> {
  const server = new ViewServer(opts);
  await server.start();
  opts.log(`view at ${server.url}`);
  if (opts.open && !(await openInBrowser(server.url))) opts.log('no browser opener found; open the address above');
  return server;
}

/** Resolves once the process is asked to stop; the server is closed by then. */
export async function serveUntilStopped(server: ViewServer, log: (line: string) => void): Promise<void> {
  log('serving the view; press Ctrl-C to stop');
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await server.close();
}
