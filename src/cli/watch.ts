// What a long build command shows while it runs: a progress line on a terminal, and with --live a page
// that draws the graph as the shims report it. Shared by `confess cmake` and `wrap`.
import type { Report } from '../model/report.js';
import type { SerializedGraph } from '../model/graph.js';
import { createProgress } from '../util/progress.js';

export interface WatchOptions {
  quiet: boolean;
  label: string;
  live: boolean;
  port: number;
  open: boolean;
}

export interface Watch {
  /** a `continuity: ...` line, drawn around the progress line (nothing with --quiet) */
  log(line: string): void;
  /** the collector's report listener */
  onReport(r: Report): void;
  /** whether anything is done with reports as they come (a page, or a progress line being drawn) */
  readonly listening: boolean;
  /** the run failed: the page shows why */
  fail(message: string): Promise<void>;
  /** the run ended with this graph: the page shows it and is served until Ctrl-C */
  finish(graph: SerializedGraph): Promise<void>;
  /** the progress line is taken down (before the final output) */
  stop(): void;
}

export async function startWatch(o: WatchOptions): Promise<Watch> {
  const progress = createProgress({ quiet: o.quiet, label: o.label, unit: 'steps' });
  const live = o.live
    ? await (await import('../view/live-session.js')).startLiveSession({ port: o.port, open: o.open, log: (l) => progress.log(`continuity: ${l}`) })
    : null;
  return {
    listening: live !== null || progress.enabled,
    log: (line) => {
      if (!o.quiet) progress.log(`continuity: ${line}`);
    },
    onReport: (r) => {
      live?.report(r);
      if (r.role !== 'query' && r.role !== 'ranlib') progress.tick(`${r.role} ${r.outputs[0]?.path.split('/').pop() ?? ''}`);
    },
    fail: async (message) => {
      progress.stop();
      await live?.fail(message);
    },
    finish: async (graph) => {
      if (!live) return;
      live.finish(graph);
      await live.serveUntilStopped();
    },
    stop: () => progress.stop(),
  };
}
