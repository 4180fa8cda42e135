// A one-line progress display for long commands: a count (of a total when known), the recent rate, the
// elapsed time and the current step, redrawn in place. Drawn only on a terminal and never with --quiet;
// otherwise every call is a no-op except `log`, which prints its line like any other output.

export interface ProgressOptions {
  /** where to draw; default process.stderr */
  stream?: NodeJS.WriteStream;
  /** true: draw nothing (log lines are still the caller's to suppress) */
  quiet?: boolean;
  /** the first word of the line, e.g. `confess` */
  label?: string;
  /** what is counted, e.g. `steps` */
  unit?: string;
  total?: number;
  /** the least time between two redraws caused by ticks (ms); default 100 */
  minIntervalMs?: number;
  /** a clock, for tests; default Date.now */
  now?: () => number;
}

export interface Progress {
  /** whether anything is drawn */
  readonly enabled: boolean;
  readonly count: number;
  /** counts `by` (default 1) more and, when given, makes `step` the current step */
  tick(step?: string, by?: number): void;
  step(step: string): void;
  setTotal(total: number | undefined): void;
  /** prints a line above the progress line (clearing and redrawing it), with a newline added */
  log(line: string): void;
  /** clears the line and stops redrawing; later ticks are ignored */
  stop(): void;
}

export interface ProgressState {
  label: string;
  unit: string;
  count: number;
  total: number | undefined;
  /** per second, over the last few seconds; null until there are two samples */
  rate: number | null;
  elapsedMs: number;
  step: string;
}

function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

function rateText(rate: number): string {
  return rate >= 100 ? rate.toFixed(0) : rate >= 10 ? rate.toFixed(1) : rate.toFixed(2);
}

/** The line for a state, cut to `width` columns (the step is cut first, from the left, keeping its end). */
export function formatProgress(s: ProgressState, width: number): string {
  const count = s.total !== undefined ? `${s.count}/${s.total}` : `${s.count}`;
  const parts = [`${s.label ? `${s.label} ` : ''}${count}${s.unit ? ` ${s.unit}` : ''}`];
  if (s.total !== undefined && s.total > 0) parts.push(`${Math.min(100, Math.floor((100 * s.count) / s.total))}%`);
  if (s.rate !== null) parts.push(`${rateText(s.rate)}/s`);
  parts.push(clock(s.elapsedMs));
  const head = parts.join(' · ');
  if (head.length >= width) return head.slice(0, Math.max(0, width));
  if (!s.step) return head;
  const room = width - head.length - 3;
  if (room < 4) return head;
  const step = s.step.length <= room ? s.step : `…${s.step.slice(s.step.length - room + 1)}`;
  return `${head} · ${step}`;
}

const RATE_WINDOW_MS = 5000;

export function createProgress(opts: ProgressOptions = {}): Progress {
  const stream = opts.stream ?? process.stderr;
  const now = opts.now ?? Date.now;
  const minInterval = opts.minIntervalMs ?? 100;
  const enabled = !opts.quiet && stream.isTTY === true && process.env['TERM'] !== 'dumb';
  const started = now();
  let count = 0;
  let total = opts.total;
  let current = '';
  let drawn = false;
  let stopped = false;
  let lastDraw = -Infinity;
  // The rate counts from the first tick: time spent before anything is counted (configuring) is not slowness.
  const samples: { t: number; n: number }[] = [];
  let timer: NodeJS.Timeout | undefined;

  const rate = (t: number): number | null => {
    while (samples.length > 2 && (samples[1] as { t: number }).t < t - RATE_WINDOW_MS) samples.shift();
    const first = samples[0];
    if (first === undefined || samples.length < 2) return null;
    const dt = t - first.t;
    if (dt <= 0) return null;
    return ((count - first.n) * 1000) / dt;
  };

  const draw = (): void => {
    if (!enabled || stopped) return;
    const t = now();
    lastDraw = t;
    const width = Math.max(20, (stream.columns || 80) - 1);
    const line = formatProgress(
      { label: opts.label ?? '', unit: opts.unit ?? '', count, total, rate: rate(t), elapsedMs: t - started, step: current },
      width,
    );
    stream.write(`\r\x1b[K${line}`);
    drawn = true;
  };
  const clear = (): void => {
    if (drawn) stream.write('\r\x1b[K');
    drawn = false;
  };
  if (enabled) {
    // The elapsed time moves even when nothing is counted.
    timer = setInterval(draw, 1000);
    timer.unref();
  }

  return {
    enabled,
    get count() {
      return count;
    },
    tick(step?: string, by = 1) {
      if (stopped) return;
      count += by;
      if (step !== undefined) current = step;
      if (!enabled) return;
      const t = now();
      const last = samples[samples.length - 1];
      if (last === undefined) samples.push({ t, n: count - by });
      else if (t - last.t >= 250) samples.push({ t, n: count });
      if (t - lastDraw >= minInterval) draw();
    },
    step(step: string) {
      if (stopped) return;
      current = step;
      draw();
    },
    setTotal(n: number | undefined) {
      total = n;
      draw();
    },
    log(line: string) {
      const wasDrawn = drawn;
      clear();
      stream.write(`${line}\n`);
      if (wasDrawn) draw();
    },
    stop() {
      if (timer) clearInterval(timer);
      clear();
      stopped = true;
    },
  };
}
