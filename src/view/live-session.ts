// `--live` for a command that runs a build: a live graph fed by shim reports, served by the view
// server from before the build starts until the user stops it after the build ends.
import type { Report } from '../model/report.js';
import type { SerializedGraph } from '../model/graph.js';
import { LiveGraph } from './live.js';
import { startView, serveUntilStopped } from './serve.js';
import type { ViewServer } from './server.js';

export interface LiveSession {
  readonly url: string;
  readonly graph: LiveGraph;
  /** feed to the collector's `report` event */
  report(r: Report): void;
  /** the finished graph.json replaces the provisional graph */
  finish(graph: SerializedGraph): void;
  /** the build failed: pages show the reason, then the server closes */
  fail(message: string): Promise<void>;
  /** keeps serving until SIGINT or SIGTERM */
  serveUntilStopped(): Promise<void>;
  close(): Promise<void>;
}

export async function startLiveSession(opts: {
  port: number;
  open: boolean;
  log: (line: string) => void;
  srcdir?: string;
  builddir?: string;
}): Promise<LiveSession> {
  const graph = new LiveGraph({ srcdir: opts.srcdir ?? '', builddir: opts.builddir ?? '' });
  const server: ViewServer = await startView({ source: { kind: 'live', live: graph }, port: opts.port, open: opts.open, log: opts.log });
  return {
    url: server.url,
    graph,
    report: (r) => graph.addReport(r),
    finish: (g) => graph.finish(g),
    fail: async (message) => {
      graph.fail(message);
      await server.close();
    },
    serveUntilStopped: () => serveUntilStopped(server, opts.log),
    close: () => server.close(),
  };
}
