import { describe, expect, it } from 'vitest';
import { ManualClock, RealtimeClock } from './clock.ts';

const waitUntil = async (cond: () => boolean, what: string) => {
  for (let i = 0; i < 2000; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
};

/** Blocks the event loop for `ms` of wall time, as a slow request handler would. */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
}

describe('ManualClock', () => {
  it('processes frames only when advanced, in order, with tick already past the frame', () => {
    const c = new ManualClock();
    const seen: [number, number][] = [];
    c.start((t) => seen.push([t, c.tick]));
    expect(c.tick).toBe(0);
    expect(seen).toEqual([]);
    c.advance(3);
    expect(seen).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
    c.advance(0);
    c.advance(2);
    expect(seen.map(([t]) => t)).toEqual([0, 1, 2, 3, 4]);
    expect(c.tick).toBe(5);
  });

  it('advancing a stopped clock moves time but calls nobody; start picks up at the current tick', () => {
    const c = new ManualClock();
    const seen: number[] = [];
    c.start((t) => seen.push(t));
    c.advance(2);
    c.stop();
    c.advance(3);
    expect(seen).toEqual([0, 1]);
    expect(c.tick).toBe(5);
    c.start((t) => seen.push(t * 10));
    c.advance(1);
    expect(seen).toEqual([0, 1, 50]);
  });

  it('runs at speed 1: 20 ms frames, never lags', () => {
    const c = new ManualClock();
    expect(c.speed).toBe(1);
    expect(c.maxLagFrames).toBe(0);
    expect(c.wallMsFor(1)).toBe(20);
    expect(c.wallMsFor(50)).toBe(1000);
  });
});

describe('RealtimeClock', () => {
  it('refuses a speed that is not a positive finite number', () => {
    for (const s of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => new RealtimeClock(s)).toThrow('clock speed must be a positive number');
  });

  it('speed scales wall time per frame', () => {
    expect(new RealtimeClock().wallMsFor(50)).toBe(1000);
    expect(new RealtimeClock(10).wallMsFor(50)).toBe(100);
    expect(new RealtimeClock(0.5).wallMsFor(1)).toBe(40);
    expect(new RealtimeClock(4).speed).toBe(4);
  });

  it('at a speed factor, processes every frame once, in order, with tick past the frame', async () => {
    const c = new RealtimeClock(50); // 0.4 ms of wall time per frame
    const seen: number[] = [];
    let consistent = true;
    c.start((t) => {
      if (c.tick !== t + 1) consistent = false;
      seen.push(t);
    });
    await waitUntil(() => seen.length >= 300, '300 frames');
    c.stop();
    const n = seen.length;
    expect(seen).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(consistent).toBe(true);
    expect(c.tick).toBe(n);
  });

  it('catches up after the event loop was blocked: the missed frames run in a burst, in order', async () => {
    const c = new RealtimeClock(10); // 2 ms per frame
    const seen: number[] = [];
    c.start((t) => seen.push(t));
    await waitUntil(() => seen.length >= 5, 'first frames');
    const before = seen.length;
    busy(100); // at least 50 frames fall due while nothing can run
    await waitUntil(() => seen.length >= before + 50, 'catch-up');
    c.stop();
    expect(seen).toEqual(Array.from({ length: seen.length }, (_, i) => i));
    // The clock saw (and reports) that it ran behind by the blocked span.
    expect(c.maxLagFrames).toBeGreaterThanOrEqual(50 - 1);
  });

  it('a catch-up burst is capped so other work (I/O, HTTP handlers) gets a turn in between', async () => {
    const c = new RealtimeClock(100); // 0.2 ms per frame: 600 ms blocked = 3000 frames due
    const seen: number[] = [];
    c.start((t) => seen.push(t));
    await waitUntil(() => seen.length >= 5, 'first frames');
    const before = seen.length;
    busy(600);
    let atImmediate = -1;
    setImmediate(() => (atImmediate = seen.length));
    await waitUntil(() => seen.length >= before + 2900, 'catch-up');
    c.stop();
    expect(seen).toEqual(Array.from({ length: seen.length }, (_, i) => i));
    // The immediate ran while most of the 3000 due frames were still to come.
    expect(atImmediate).toBeGreaterThanOrEqual(before);
    expect(atImmediate - before).toBeLessThanOrEqual(1000);
  });

  it('stop halts frames; start again continues from the same tick without repeating or skipping', async () => {
    const c = new RealtimeClock(50);
    const seen: number[] = [];
    c.start((t) => seen.push(t));
    await waitUntil(() => seen.length >= 20, 'frames');
    c.stop();
    const stoppedAt = c.tick;
    await new Promise((r) => setTimeout(r, 50));
    expect(c.tick).toBe(stoppedAt);
    expect(seen.length).toBe(stoppedAt);
    c.start((t) => seen.push(t));
    c.start((t) => seen.push(-t)); // already running: ignored
    await waitUntil(() => seen.length >= stoppedAt + 20, 'more frames');
    c.stop();
    expect(seen).toEqual(Array.from({ length: seen.length }, (_, i) => i));
  });
});
