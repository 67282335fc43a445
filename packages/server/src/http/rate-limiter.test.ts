import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter.ts';

describe('RateLimiter', () => {
  it('allows `limit` hits per window per key, then says how long to wait', () => {
    let now = 0;
    const rl = new RateLimiter(2, 60_000, () => now);
    expect(rl.hit('alice')).toEqual({ ok: true });
    expect(rl.hit('alice')).toEqual({ ok: true });
    expect(rl.exhausted('alice')).toBe(true);
    now = 15_000;
    expect(rl.hit('alice')).toEqual({ ok: false, retryAfterSeconds: 45 });
    expect(rl.hit('bob')).toEqual({ ok: true });
    now = 60_000;
    expect(rl.exhausted('alice')).toBe(false);
    expect(rl.hit('alice')).toEqual({ ok: true });
  });
  it('is off with a limit of 0', () => {
    const rl = new RateLimiter(0, 1000);
    for (let i = 0; i < 100; i++) expect(rl.hit('x').ok).toBe(true);
  });
});
