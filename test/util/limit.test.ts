// eachLimit and gate: never more at once than allowed, everything run, waiting calls admitted in order.
import { describe, expect, it } from 'vitest';
import { eachLimit, gate } from '../../src/util/limit.js';

const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('limits', () => {
  it('eachLimit runs every item, at most `limit` at a time', async () => {
    let now = 0;
    let most = 0;
    const done: number[] = [];
    await eachLimit([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      most = Math.max(most, ++now);
      await tick(5);
      now -= 1;
      done.push(n);
    });
    expect(most).toBe(3);
    expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('gate admits at most n calls at once, in the order they came, and passes results and errors through', async () => {
    const admit = gate(2);
    let now = 0;
    let most = 0;
    const started: number[] = [];
    const calls = [0, 1, 2, 3, 4, 5].map((n) =>
      admit(async () => {
        started.push(n);
        most = Math.max(most, ++now);
        await tick(n === 0 ? 20 : 5);
        now -= 1;
        if (n === 4) throw new Error('four');
        return n * 10;
      }),
    );
    const results = await Promise.allSettled(calls);
    expect(most).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([0, 10, 20, 30, 'four', 50]);
    expect(await admit(async () => 'after')).toBe('after');
  });
});
