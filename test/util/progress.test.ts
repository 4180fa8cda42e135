import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createProgress, formatProgress, type ProgressState } from '../../src/util/progress.js';

/** A stream that records what is written; a terminal when `tty`. */
function fakeStream(tty: boolean, columns = 80): NodeJS.WriteStream & { text: () => string } {
  const chunks: string[] = [];
  return {
    isTTY: tty,
    columns,
    write: (s: string) => {
      chunks.push(s);
      return true;
    },
    text: () => chunks.join(''),
  } as unknown as NodeJS.WriteStream & { text: () => string };
}

const base: ProgressState = { label: 'confess', unit: 'steps', count: 12, total: undefined, rate: null, elapsedMs: 65_000, step: '' };

describe('formatProgress', () => {
  it('shows the count, the total and percentage when known, the rate and the elapsed time', () => {
    expect(formatProgress(base, 80)).toBe('confess 12 steps · 1:05');
    expect(formatProgress({ ...base, total: 48, rate: 3.25, step: 'compile a.c.o' }, 80)).toBe('confess 12/48 steps · 25% · 3.25/s · 1:05 · compile a.c.o');
    expect(formatProgress({ ...base, rate: 1234.4, elapsedMs: 3_725_000 }, 80)).toBe('confess 12 steps · 1234/s · 1:02:05');
  });

  it('cuts the step from the left to fit the width, never the counts', () => {
    const line = formatProgress({ ...base, step: `compile ${'x'.repeat(100)}.c.o` }, 50);
    expect(line).toHaveLength(50);
    expect(line.startsWith('confess 12 steps · 1:05 · …')).toBe(true);
    expect(line.endsWith('x.c.o')).toBe(true);
    expect(formatProgress({ ...base, step: 'compile a.c.o' }, 10)).toHaveLength(10);
  });
});

describe('createProgress', () => {
  // A dumb terminal gets no progress line; these tests stand in for a real one.
  const term = process.env['TERM'];
  beforeAll(() => {
    process.env['TERM'] = 'xterm';
  });
  afterAll(() => {
    if (term === undefined) delete process.env['TERM'];
    else process.env['TERM'] = term;
  });

  it('draws in place on a terminal and clears the line when stopped', () => {
    let t = 0;
    const stream = fakeStream(true);
    const p = createProgress({ stream, label: 'confess', unit: 'steps', now: () => t, minIntervalMs: 0 });
    expect(p.enabled).toBe(true);
    p.tick('compile a.c.o');
    t = 1000;
    p.tick('compile b.c.o');
    expect(stream.text()).toBe('\r\x1b[Kconfess 1 steps · 0:00 · compile a.c.o\r\x1b[Kconfess 2 steps · 2.00/s · 0:01 · compile b.c.o');
    p.stop();
    expect(stream.text().endsWith('\r\x1b[K')).toBe(true);
    p.tick('late');
    expect(p.count).toBe(2);
  });

  it('measures the rate from the first tick, not from the start', () => {
    let t = 0;
    const stream = fakeStream(true);
    const p = createProgress({ stream, now: () => t, minIntervalMs: 0 });
    t = 10_000;
    p.tick('a');
    t = 11_000;
    p.tick('b');
    p.stop();
    expect(stream.text()).toContain('2 · 2.00/s · 0:11 · b');
  });

  it('redraws at most every minIntervalMs for ticks', () => {
    let t = 0;
    const stream = fakeStream(true);
    const p = createProgress({ stream, now: () => t, minIntervalMs: 100 });
    for (let i = 0; i < 50; i++) {
      t += 10;
      p.tick();
    }
    p.stop();
    expect(p.count).toBe(50);
    expect(stream.text().split('\r\x1b[K').filter((s) => s !== '')).toHaveLength(5);
  });

  it('prints log lines above the progress line and redraws it', () => {
    const stream = fakeStream(true);
    const p = createProgress({ stream, label: 'x', now: () => 0, minIntervalMs: 0 });
    p.tick('one');
    p.log('continuity: hello');
    p.stop();
    expect(stream.text()).toBe('\r\x1b[Kx 1 · 0:00 · one\r\x1b[Kcontinuity: hello\n\r\x1b[Kx 1 · 0:00 · one\r\x1b[K');
  });

  it('is silent when not on a terminal and with quiet, but still counts and still prints log lines', () => {
    for (const [tty, quiet] of [[false, false], [true, true]] as const) {
      const stream = fakeStream(tty);
      const p = createProgress({ stream, quiet, minIntervalMs: 0 });
      expect(p.enabled).toBe(false);
      p.tick('a');
      p.step('b');
      p.setTotal(10);
      p.log('line');
      p.stop();
      expect(p.count).toBe(1);
      expect(stream.text()).toBe('line\n');
    }
  });
});
