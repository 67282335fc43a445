import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type pg from 'pg';

/** How often (in increments) rows of long-finished windows are pruned. */
const PRUNE_EVERY = 500;

/**
 * A @fastify/rate-limit store in PostgreSQL (`rate_counters`): every instance counts into the same
 * fixed window per key, so N instances behind a load balancer allow the configured rate in total,
 * not N times it. One upsert per request; a database error fails the request (closed).
 */
export function pgRateLimitStore(pool: pg.Pool, prefix: string, now: () => number = Date.now): FastifyRateLimitStoreCtor {
  let calls = 0;
  class PgRateLimitStore implements FastifyRateLimitStore {
    incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number): void {
      const at = now();
      const prune = ++calls % PRUNE_EVERY === 0;
      pool
        .query<{ count: number; window_start: string }>(
          `INSERT INTO rate_counters (key, count, window_start, last_at) VALUES ($1, 1, $2, $2)
           ON CONFLICT (key) DO UPDATE SET
             count = CASE WHEN rate_counters.window_start + $3 <= $2 THEN 1 ELSE rate_counters.count + 1 END,
             window_start = CASE WHEN rate_counters.window_start + $3 <= $2 THEN $2 ELSE rate_counters.window_start END,
             last_at = $2
           RETURNING count, window_start`,
          [prefix + key, at, timeWindow],
        )
        .then(
          (r) => {
            const row = r.rows[0]!;
            callback(null, { current: row.count, ttl: Math.max(0, Number(row.window_start) + timeWindow - at) });
          },
          (e: unknown) => callback(e instanceof Error ? e : new Error(String(e))),
        );
      if (prune) void pool.query('DELETE FROM rate_counters WHERE key LIKE $1 AND last_at < $2', [`${prefix}%`, at - 10 * timeWindow]).catch(() => undefined);
    }

    child(): FastifyRateLimitStore {
      return this;
    }
  }
  return PgRateLimitStore;
}
