// scripts/bench-scale.mjs (collector part) and scripts/bench.mjs: the collector benchmark loses no report
// and refuses a client without the secret; both scripts refuse bad arguments with one line. No timing is
// asserted: the figures go to BENCHMARKS.md.
import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import { execa } from 'execa';
import { REPO } from '../helpers/real-cmake.js';

const SCALE = join(REPO, 'scripts', 'bench-scale.mjs');
const BENCH = join(REPO, 'scripts', 'bench.mjs');

describe('bench-scale.mjs', () => {
  it('floods the collector with shim-like clients through the relay, directly and against a bare server, and counts every report', async () => {
    const r = await execa('node', [SCALE, '--no-confess', '--reports', '300', '--clients', '8'], { stdin: 'ignore' });
    expect(r.stdout).toMatch(/^## Scale/);
    expect(r.stdout).toContain('300 reports of');
    expect(r.stdout).toMatch(/\| reports per second \| \d+ \| \d+ \| \d+ \| [\d.]+ \| [\d.]+ \| ≥ 5,000\/s: (met|\*\*missed\*\*) \|/);
    expect(r.stdout).toMatch(/\| reports lost \| 0 \| 0 \| 0 \| \| \| none: met \|/);
    expect(r.stdout).toMatch(/\| client without the secret refused \| yes \| yes \| yes \| \| \| \|/);
    // the relay batches: fewer messages than reports reach the collector
    const m = /\| WebSocket messages the server took \| (\d+) \| 300 \| 300 \|/.exec(r.stdout);
    expect(m).not.toBeNull();
    expect(Number(m?.[1])).toBeGreaterThan(0);
    expect(Number(m?.[1])).toBeLessThan(300);
    expect(r.stdout).toMatch(/\| peak RSS of the server process \(MiB\) \| \d+ \| \d+ \| \d+ \| [\d.]+ \| [\d.]+ \| < 1 GiB: (met|\*\*missed\*\*) \|/);
  });

  it('refuses a bad argument with one line', async () => {
    const r = await execa('node', [SCALE, '--tus', 'lots'], { reject: false, stdin: 'ignore' });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe('bench-scale: --tus takes a comma-separated list of integers ≥ 10');
  });
});

describe('bench.mjs', () => {
  it('refuses an unknown benchmark name before running anything', async () => {
    const r = await execa('node', [BENCH, '--only', 'confess,speed'], { reject: false, stdin: 'ignore' });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe('bench: unknown benchmark speed (known: confess, scale, build, observe)');
  });
});
