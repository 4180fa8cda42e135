// One build's reporting: the collector on loopback, and the relay in front of it when the relay starts
// (openReporting); or, for a build nobody follows as it runs, the spool alone (spoolReporting).
// In: the relay binary, a report listener. Out: the shims' endpoint variables, and at finish() every
// report (live feed and spool merged by rid) with the malformed inputs.
// Must stay true: the spool is merged only after the relay has drained and the collector has closed, so
// the merge sees every live report first and nothing arrives after it.
import { Collector } from './server.js';
import { startRelay, type Relay, type RelayStats } from './relay.js';
import type { Report } from '../model/report.js';
import { UserError, type Result } from '../model/result.js';

export interface ReportingOptions {
  /** the shim binary's continuity-relay link; null: the shims report directly */
  relayBinary: string | null;
  onReport?: (r: Report) => void;
  log: (line: string) => void;
}

export interface ReportingEndpoint {
  endpoint: string;
  secret: string;
  relay?: string;
}

export interface Reporting {
  readonly collector: Collector;
  /** for shimEnv: the collector's endpoint and secret, and the relay's socket when it runs */
  readonly endpoint: ReportingEndpoint;
  /** Drains the relay, closes the collector, merges the spool; reports in a stable order. */
  finish(spool: string): Promise<{ reports: Report[]; malformed: readonly string[]; relay: Result<RelayStats, string> | null }>;
  /** Stops everything without merging (an error path). */
  abort(): Promise<void>;
}

async function mergeSpool(collector: Collector, spool: string): Promise<void> {
  try {
    await collector.mergeSpoolFile(spool);
  } catch (e) {
    // no spool: no reports were made; any other failure would leave the graph short
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new UserError(`cannot read the spool ${spool}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }
}

/** What finish() of a spool-only session gives: the spool's reports, in a stable order. */
export interface SpoolReporting {
  finish(spool: string): Promise<{ reports: Report[]; malformed: readonly string[] }>;
}

/**
 * Reporting for a build whose reports nobody takes as they come: no collector listens and no relay runs,
 * so the shims (given no endpoint, secret or relay) only append to the spool, the durable record, and
 * finish() merges it as openReporting's finish() would.
 */
export function spoolReporting(): SpoolReporting {
  return {
    async finish(spool) {
      const collector = new Collector();
      await mergeSpool(collector, spool);
      return { reports: collector.ordered(), malformed: collector.malformed };
    },
  };
}

export async function openReporting(opts: ReportingOptions): Promise<Reporting> {
  const collector = new Collector();
  await collector.start();
  if (opts.onReport) collector.on('report', opts.onReport);
  let relay: Relay | null = null;
  if (opts.relayBinary !== null) {
    const r = await startRelay({ binary: opts.relayBinary, endpoint: collector.endpoint, secret: collector.secret });
    if (r.ok) relay = r.value;
    else opts.log(`reporting without the relay (${r.error})`);
  }
  const endpoint: ReportingEndpoint = {
    endpoint: collector.endpoint,
    secret: collector.secret,
    ...(relay !== null ? { relay: relay.socket } : {}),
  };
  return {
    collector,
    endpoint,
    async finish(spool) {
      const stats = relay === null ? null : await relay.stop();
      if (stats !== null && !stats.ok) opts.log(`relay: ${stats.error}; the spool has every report`);
      else if (stats?.ok && stats.value.dropped > 0) opts.log(`relay: ${stats.value.dropped} reports not delivered live; the spool has them`);
      await collector.close();
      await mergeSpool(collector, spool);
      return { reports: collector.ordered(), malformed: collector.malformed, relay: stats };
    },
    async abort() {
      if (relay !== null) await relay.stop();
      await collector.close();
    },
  };
}
