// The collector: a WebSocket server on loopback that receives shim reports during a build.
// In: reports from authenticated clients (live: one report or a batch of lines per message, from shims or
// from the build's relay) and the spool file (durable). Out: reports keyed by rid, each counted once, and
// a list of malformed inputs. Nothing else is trusted.
// Must stay true: a report is parsed once; the spool's copy of a report taken live is skipped unparsed only
// when it has the same rid and the same length (a torn copy is shorter, and is reported as malformed).
import { EventEmitter } from 'node:events';
import { open } from 'node:fs/promises';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { WebSocketServer, WebSocket } from 'ws';
import type { IncomingMessage } from 'node:http';
import { parseReport, type Report } from '../model/report.js';

export interface CollectorEvents {
  report: [Report];
  malformed: [string];
}

/** Largest report accepted: a link of tens of thousands of objects stays well below this. */
export const MAX_REPORT_BYTES = 64 * 1024 * 1024;

/** The rid at the start of a line as the shims write it (`{"v":1,"rid":"<16 hex>-<pid>"`), or null. */
function leadingRid(line: string): string | null {
  const m = /^\{"v":1,"rid":"([0-9a-f]{16}-\d+)"/.exec(line.slice(0, 64));
  return m ? (m[1] as string) : null;
}

export class Collector extends EventEmitter<CollectorEvents> {
  readonly secret: string;
  readonly reports = new Map<string, Report>();
  readonly malformed: string[] = [];
  rejectedClients = 0;
  /** the length of the line each stored report came in */
  private readonly lengths = new Map<string, number>();
  /** one copy of each path and argument: a large build's reports repeat the same headers and flags */
  private readonly strings = new Map<string, string>();
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
    // loaded here: merging a spool needs no server
    const { WebSocketServer: Server } = await import('ws');
    const wss = new Server({
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
    if (origin === 'spool') {
      const rid = leadingRid(line);
      if (rid !== null && this.lengths.get(rid) === line.length) return;
    }
    const parsed = parseReport(line);
    if (!parsed.ok) {
      this.malformed.push(`${origin}: ${parsed.error}: ${line.slice(0, 200)}`);
      this.emit('malformed', parsed.error);
      return;
    }
    const r = parsed.value;
    if (this.reports.has(r.rid)) return;
    this.reports.set(r.rid, this.intern(r));
    this.lengths.set(r.rid, line.length);
    this.emit('report', r);
  }

  /** Replaces a report's paths and arguments by the copies already held, in place. */
  private intern(r: Report): Report {
    const pool = this.strings;
    const one = (x: string): string => {
      const y = pool.get(x);
      if (y !== undefined) return y;
      pool.set(x, x);
      return x;
    };
    const all = (xs: string[]): void => {
      for (let i = 0; i < xs.length; i++) xs[i] = one(xs[i] as string);
    };
    r.tool = one(r.tool);
    r.real = one(r.real);
    r.cwd = one(r.cwd);
    all(r.argv);
    all(r.args);
    all(r.deps);
    for (const f of r.inputs) f.path = one(f.path);
    for (const f of r.outputs) f.path = one(f.path);
    if (r.depfile !== null) r.depfile = one(r.depfile);
    return r;
  }

  private spoolLine(line: string): void {
    if (line === '' || line.trim() === '') return;
    this.accept(line, 'spool');
  }

  /** Merges a spool's text (JSON lines). A torn last line (a shim killed mid-write) is malformed, not fatal. */
  mergeSpoolText(text: string): void {
    for (const line of text.split('\n')) this.spoolLine(line);
  }

  /** Merges a spool file like mergeSpoolText, read a piece at a time (a large build's spool is longer than a string can be). */
  async mergeSpoolFile(file: string): Promise<void> {
    const fh = await open(file, 'r');
    try {
      const chunk = Buffer.alloc(1 << 20);
      let pieces: Buffer[] = []; // the line begun in earlier chunks
      for (;;) {
        const { bytesRead } = await fh.read(chunk, 0, chunk.length, null);
        if (bytesRead === 0) break;
        const data = chunk.subarray(0, bytesRead);
        let start = 0;
        for (let nl = data.indexOf(10); nl >= 0; nl = data.indexOf(10, start)) {
          // '\n' is never inside a UTF-8 sequence: each line decodes alone
          const tail = data.subarray(start, nl);
          this.spoolLine(pieces.length === 0 ? tail.toString('utf8') : Buffer.concat([...pieces, tail]).toString('utf8'));
          pieces = [];
          start = nl + 1;
        }
        if (start < data.length) pieces.push(Buffer.from(data.subarray(start)));
      }
      if (pieces.length > 0) this.spoolLine(Buffer.concat(pieces).toString('utf8'));
    } finally {
      await fh.close();
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
