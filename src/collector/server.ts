// The collector: a WebSocket server on loopback that receives shim reports during a build.
// In: reports from authenticated clients (live: one report or a batch of lines per message, from shims or
// from the build's relay) and the spool file (durable). Out: reports keyed by rid, each counted once, and
// a list of malformed inputs. Nothing else is trusted.
import { EventEmitter } from 'node:events';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import type { IncomingMessage } from 'node:http';
import { parseReport, type Report } from '../model/report.js';

export interface CollectorEvents {
  report: [Report];
  malformed: [string];
}

/** Largest report accepted: a link of tens of thousands of objects stays well below this. */
export const MAX_REPORT_BYTES = 64 * 1024 * 1024;

export class Collector extends EventEmitter<CollectorEvents> {
  readonly secret: string;
  readonly reports = new Map<string, Report>();
  readonly malformed: string[] = [];
  rejectedClients = 0;
  private wss: WebSocketServer | undefined;
  private port = 0;

  constructor(secret?: string) {
    super();
    this.secret = secret ?? randomBytes(32).toString('hex');
  }

  get endpoint(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const expected = Buffer.from(`Bearer ${this.secret}`);
    const wss = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      maxPayload: MAX_REPORT_BYTES,
      verifyClient: (info: { req: IncomingMessage }, cb: (ok: boolean, code?: number) => void) => {
        const got = Buffer.from(info.req.headers.authorization ?? '');
        const good = got.length === expected.length && timingSafeEqual(got, expected);
        if (!good) this.rejectedClients++;
        cb(good, 401);
      },
    });
    this.wss = wss;
    wss.on('connection', (ws: WebSocket) => {
      ws.on('message', (data, isBinary) => {
        if (isBinary) this.accept('', 'socket');
        else this.acceptMessage(data.toString());
      });
      // A shim that dies mid-message leaves a broken connection: that is not our failure.
      ws.on('error', () => ws.terminate());
    });
    await new Promise<void>((resolve, reject) => {
      wss.once('listening', resolve);
      wss.once('error', reject);
    });
    const addr = wss.address();
    if (typeof addr === 'string' || addr === null) throw new Error('collector: no TCP address');
    this.port = addr.port;
  }

  /**
   * Takes one WebSocket message: a report, or a batch of reports one per line (the relay's). A trailing
   * newline is allowed; every other line, empty ones included, must be a report.
   */
  acceptMessage(text: string): void {
    const body = text.endsWith('\n') ? text.slice(0, -1) : text;
    if (!body.includes('\n')) {
      this.accept(body, 'socket');
      return;
    }
    for (const line of body.split('\n')) this.accept(line, 'socket');
  }

  /** Takes one report line from either channel; the first copy of a rid wins. */
  accept(line: string, origin: 'socket' | 'spool'): void {
    const parsed = parseReport(line);
    if (!parsed.ok) {
      this.malformed.push(`${origin}: ${parsed.error}: ${line.slice(0, 200)}`);
      this.emit('malformed', parsed.error);
      return;
    }
    const r = parsed.value;
    if (this.reports.has(r.rid)) return;
    this.reports.set(r.rid, r);
    this.emit('report', r);
  }

  /** Merges a spool file (JSON lines). A torn last line (a shim killed mid-write) is malformed, not fatal. */
  mergeSpoolText(text: string): void {
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      this.accept(line, 'spool');
    }
  }

  async close(): Promise<void> {
    const wss = this.wss;
    if (!wss) return;
    this.wss = undefined;
    for (const c of wss.clients) c.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  }

  /** Reports in a stable order: by start time, then rid. */
  ordered(): Report[] {
    return [...this.reports.values()].sort((a, b) => a.t0 - b.t0 || (a.rid < b.rid ? -1 : a.rid > b.rid ? 1 : 0));
  }
}
