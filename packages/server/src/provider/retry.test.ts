import { describe, expect, it } from 'vitest';
import { withRetry } from './retry.ts';

class Transient extends Error {}

function fakeClock() {
  let t = 0;
  const waits: number[] = [];
  return {
    waits,
    now: () => t,
    sleep: async (ms: number) => {
      waits.push(ms);
      t += ms;
    },
  };
}

const isTransient = (e: unknown): boolean => e instanceof Transient;
const policy = { budgetMs: 1000, baseDelayMs: 100, maxDelayMs: 400 };

describe('withRetry', () => {
  it('retries transient failures with jittered, growing, capped waits', async () => {
    const clock = fakeClock();
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls++;
        if (calls < 5) throw new Transient('busy');
        return 'done';
      },
      isTransient,
      policy,
      { ...clock, random: () => 0.5 },
    );
    expect(result).toBe('done');
    expect(clock.waits).toEqual([50, 100, 200, 200]);
  });

  it('stops after maxRetries retries even with budget left', async () => {
    const clock = fakeClock();
    let calls = 0;
    const failing = withRetry(
      async () => {
        calls++;
        throw new Transient('still busy');
      },
      isTransient,
      { budgetMs: 60_000, baseDelayMs: 100, maxDelayMs: 300, maxRetries: 5 },
      { ...clock, random: () => 0.99 },
    );
    await expect(failing).rejects.toThrow('still busy');
    expect(calls).toBe(6);
    expect(clock.waits.reduce((a, b) => a + b, 0)).toBeLessThan(1500);
  });

  it('rethrows permanent failures at once', async () => {
    const clock = fakeClock();
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new Error('not found');
        },
        isTransient,
        policy,
        clock,
      ),
    ).rejects.toThrow('not found');
    expect(calls).toBe(1);
    expect(clock.waits).toEqual([]);
  });

  it('gives up within the budget', async () => {
    const clock = fakeClock();
    await expect(
      withRetry(
        async () => {
          throw new Transient('down');
        },
        isTransient,
        policy,
        { ...clock, random: () => 0.99 },
      ),
    ).rejects.toThrow('down');
    expect(clock.now()).toBeLessThan(1000);
    expect(clock.waits.length).toBeGreaterThan(1);
  });
});
