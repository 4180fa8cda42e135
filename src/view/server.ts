// The view's HTTP server, on 127.0.0.1 only: the page and its assets, the graph as JSON, node keys, and
// for a live graph a WebSocket (`/live`) that sends a snapshot and then every event as it happens.
// Requests naming another host (DNS rebinding) and sockets from another origin are refused.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { NodeAttributes, SerializedGraph } from '../model/graph.js';
import { UserError } from '../model/result.js';
import { PAGE_HTML } from './page/html.js';
import { CORE_JS } from './page/core.js';
import { APP_JS } from './page/app.js';
import { STYLE_CSS } from './page/style.js';
import { nodeKeyInfo } from './node-key.js';
import type { LiveGraph } from './live.js';
import type { SnapshotMessage, ViewEvent } from './events.js';

export type ViewSource =
  | { kind: 'static'; graph: SerializedGraph }
  | { kind: 'live'; live: LiveGraph };

export interface ViewServerOptions {
  source: ViewSource;
  /** 0 picks a free port */
  port?: number;
  /** graph node key → lowered action key, when known (may be filled in after the server starts) */
  actionKeys?: Map<string, string>;
}

const ASSETS: Record<string, { type: string; body: string }> = {
  '/': { type: 'text/html; charset=utf-8', body: PAGE_HTML },
  '/index.html': { type: 'text/html; charset=utf-8', body: PAGE_HTML },
  '/assets/view.css': { type: 'text/css; charset=utf-8', body: STYLE_CSS },
  '/assets/core.js': { type: 'text/javascript; charset=utf-8', body: CORE_JS },
  '/assets/view.js': { type: 'text/javascript; charset=utf-8', body: APP_JS },
};

export class ViewServer {
  private readonly source: ViewSource;
  private readonly wantedPort: number;
  readonly actionKeys: Map<string, string>;
  private server: Server | undefined;
  private wss: WebSocketServer | undefined;
  private staticNodes: Map<string, NodeAttributes> | undefined;
  private staticJson: string | undefined;
  private port = 0;

  constructor(opts: ViewServerOptions) {
    this.source = opts.source;
    this.wantedPort = opts.port ?? 0;
    this.actionKeys = opts.actionKeys ?? new Map();
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => this.handle(req, res));
    const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
    server.on('upgrade', (req, socket, head) => this.upgrade(wss, req, socket, head));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'EADDRINUSE') reject(new UserError(`port ${this.wantedPort} on 127.0.0.1 is already in use`));
        else if (e.code === 'EACCES') reject(new UserError(`not allowed to listen on port ${this.wantedPort}`));
        else reject(e);
      });
      server.listen(this.wantedPort, '127.0.0.1', () => resolve());
    });
    const addr = server.address();
    if (addr === null || typeof addr === 'string') throw new Error('view server: no TCP address');
    this.port = addr.port;
    this.server = server;
    this.wss = wss;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    const wss = this.wss;
    this.wss = undefined;
    if (wss) {
      // A closing handshake lets what is queued (a last `failed` event) reach the page first.
      const closing = [...wss.clients].map(
        (c) => new Promise<void>((resolve) => {
          c.once('close', () => resolve());
          c.close(1001, 'server stopping');
        }),
      );
      await Promise.race([Promise.all(closing), new Promise((r) => setTimeout(r, 500).unref())]);
      for (const c of wss.clients) c.terminate();
      wss.close();
    }
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private hostAllowed(host: string | undefined): boolean {
    return host === `127.0.0.1:${this.port}` || host === `localhost:${this.port}`;
  }

  private originAllowed(origin: string | undefined): boolean {
    return origin === undefined || origin === `http://127.0.0.1:${this.port}` || origin === `http://localhost:${this.port}`;
  }

  private node(key: string): NodeAttributes | undefined {
    if (this.source.kind === 'live') return this.source.live.node(key);
    if (!this.staticNodes) this.staticNodes = new Map(this.source.graph.nodes.map((n) => [n.key, n.attributes]));
    return this.staticNodes.get(key);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const send = (status: number, type: string, body: string, extra: Record<string, string> = {}): void => {
      res.writeHead(status, {
        'content-type': type,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'content-security-policy':
          `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; ` +
          `connect-src 'self' ws://127.0.0.1:${this.port} ws://localhost:${this.port}; ` +
          `base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
        ...extra,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const json = (status: number, value: unknown): void => send(status, 'application/json; charset=utf-8', JSON.stringify(value));

    if (!this.hostAllowed(req.headers.host)) return send(403, 'text/plain; charset=utf-8', 'forbidden host\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain; charset=utf-8', 'method not allowed\n', { allow: 'GET, HEAD' });
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${this.port}`);
    const asset = ASSETS[url.pathname];
    if (asset) return send(200, asset.type, asset.body);
    switch (url.pathname) {
      case '/api/graph':
        if (this.source.kind === 'live') return json(200, { live: true });
        this.staticJson ??= JSON.stringify({ live: false, graph: this.source.graph });
        return send(200, 'application/json; charset=utf-8', this.staticJson);
      case '/api/key': {
        const key = url.searchParams.get('node') ?? '';
        const attrs = this.node(key);
        if (!attrs) return json(404, { error: `no node ${key}` });
        return json(200, nodeKeyInfo(attrs, attrs.type === 'action' ? this.actionKeys.get(key) : undefined));
      }
      case '/favicon.ico':
        return send(204, 'text/plain; charset=utf-8', '');
      default:
        return send(404, 'text/plain; charset=utf-8', 'not found\n');
    }
  }

  private upgrade(wss: WebSocketServer, req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const refuse = (status: string): void => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (!this.hostAllowed(req.headers.host) || !this.originAllowed(req.headers.origin)) return refuse('403 Forbidden');
    if (path !== '/live' || this.source.kind !== 'live') return refuse('404 Not Found');
    const live = this.source.live;
    wss.handleUpgrade(req, socket, head, (ws) => this.stream(ws, live));
  }

  private stream(ws: WebSocket, live: LiveGraph): void {
    const onEvent = (e: ViewEvent): void => ws.send(JSON.stringify(e));
    const onReset = (m: SnapshotMessage): void => ws.send(JSON.stringify(m));
    ws.send(JSON.stringify(live.snapshot()));
    live.on('event', onEvent);
    live.on('reset', onReset);
    const stop = (): void => {
      live.off('event', onEvent);
      live.off('reset', onReset);
    };
    ws.on('close', stop);
    ws.on('error', () => {
      stop();
      ws.terminate();
    });
    // The page sends nothing; anything it does send is ignored.
    ws.on('message', () => {});
  }
}
