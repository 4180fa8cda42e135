// The build's report relay: the shim binary under the name continuity-relay (shims/relay.c), run for the
// length of one build. In: the collector's endpoint and secret. Out: a Unix socket in a private 0700
// directory for the shims (CONTINUITY_RELAY), and the relay's counts once stop() has drained it.
// Must stay true: stop() resolves only after the relay process has ended; a relay that cannot start is a
// reason, not an exception (the shims then report to the collector directly).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Result, ok, err } from '../model/result.js';

/** What the relay counted (its last line on stdout). */
export interface RelayStats {
  /** shim connections accepted */
  connections: number;
  /** reports handed to the collector's connection */
  forwarded: number;
  /** WebSocket messages those reports went in */
  messages: number;
  /** connections without the exact secret: nothing of theirs was forwarded */
  refused: number;
  /** connections whose last line was cut off (a writer killed mid-send): that line was not forwarded */
  torn: number;
  /** reports over the collector's MAX_REPORT_BYTES */
  oversized: number;
  /** reports that are not UTF-8 (a text frame must be) */
  invalid: number;
  /** reports accepted but not delivered (the collector was gone) */
  dropped: number;
  cpuSeconds: number;
  maxRssKiB: number;
}

export interface Relay {
  /** the Unix socket the shims connect to */
  readonly socket: string;
  readonly pid: number;
  /** Ends the relay: it takes every connection made so far, forwards them, closes its WebSocket, exits. */
  stop(): Promise<Result<RelayStats, string>>;
}

export interface RelayOptions {
  /** the shim binary's `continuity-relay` link */
  binary: string;
  endpoint: string;
  secret: string;
  /** how long to wait for `ready` (default 10 s) */
  startMs?: number;
  /** how long stop() waits for the relay to drain (default 30 s; the relay gives up by itself after 20) */
  stopMs?: number;
}

/** sockaddr_un.sun_path holds 107 bytes and a NUL. */
const SUN_PATH_MAX = 107;

/** A fresh 0700 directory (mkdtemp's mode) whose socket path fits in sun_path. */
async function privateDir(): Promise<string | null> {
  for (const base of [tmpdir(), '/tmp']) {
    const d = await mkdtemp(join(base, 'continuity-relay-')).catch(() => null);
    if (d === null) continue;
    if (Buffer.byteLength(join(d, 'sock')) <= SUN_PATH_MAX) return d;
    await rm(d, { recursive: true, force: true });
  }
  return null;
}

function firstLine(text: string): string {
  return text.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? '';
}

const STAT_KEYS = ['connections', 'forwarded', 'messages', 'refused', 'torn', 'oversized', 'invalid', 'dropped', 'cpuSeconds', 'maxRssKiB'] as const;

export function parseRelayStats(line: string): Result<RelayStats, string> {
  let x: unknown;
  try {
    x = JSON.parse(line);
  } catch {
    return err(`the relay's counts are not JSON: ${line.slice(0, 120)}`);
  }
  if (typeof x !== 'object' || x === null) return err('the relay printed no counts');
  const r = x as Record<string, unknown>;
  for (const k of STAT_KEYS) if (typeof r[k] !== 'number') return err(`the relay's counts lack ${k}`);
  return ok(r as unknown as RelayStats);
}

/** Starts the relay and waits until it listens and holds its connection to the collector. */
export async function startRelay(opts: RelayOptions): Promise<Result<Relay, string>> {
  const dir = await privateDir();
  if (dir === null) return err('no directory for the relay socket');
  const socket = join(dir, 'sock');
  let child: ChildProcess;
  try {
    // The secret goes in the environment (readable by the user only), never on the command line.
    child = spawn(opts.binary, [socket], {
      env: { CONTINUITY_ENDPOINT: opts.endpoint, CONTINUITY_SECRET: opts.secret },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    return err(`cannot run ${opts.binary}: ${e instanceof Error ? e.message : String(e)}`);
  }
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  child.stdin?.on('error', () => undefined); // a relay that is gone: stop() says so
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  const state: { exited: { code: number | null; signal: NodeJS.Signals | null } | null } = { exited: null };
  void ended.then((e) => { state.exited = e; });

  const started = await new Promise<'ready' | 'ended' | 'timeout'>((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), opts.startMs ?? 10_000);
    const onData = (): void => {
      if (stdout.startsWith('ready\n')) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve('ready');
      }
    };
    child.stdout?.on('data', onData);
    void ended.then(() => { clearTimeout(timer); resolve('ended'); });
  });
  if (started !== 'ready') {
    if (started === 'timeout') child.kill('SIGKILL');
    const e = await ended;
    await rm(dir, { recursive: true, force: true });
    if (started === 'timeout') return err(`the relay did not start in ${opts.startMs ?? 10_000} ms`);
    const why = e.error?.message ?? (firstLine(stderr) || `exit ${e.code ?? e.signal}`);
    return err(`the relay did not start: ${why}`);
  }

  let stopping: Promise<Result<RelayStats, string>> | null = null;
  const stop = (): Promise<Result<RelayStats, string>> => {
    stopping ??= (async () => {
      try {
        const early = state.exited;
        if (early !== null) return err(`the relay ended during the build (${early.signal ?? `exit ${early.code}`})`);
        child.stdin?.end();
        const timer = setTimeout(() => child.kill('SIGKILL'), opts.stopMs ?? 30_000);
        const e = await ended;
        clearTimeout(timer);
        if (e.signal !== null || e.code !== 0) return err(`the relay did not drain (${e.signal ?? `exit ${e.code}`}): ${firstLine(stderr)}`);
        const last = stdout.trimEnd().split('\n').at(-1) ?? '';
        return parseRelayStats(last);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    })();
    return stopping;
  };
  return ok({ socket, pid: child.pid ?? -1, stop });
}
