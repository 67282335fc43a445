import type pg from 'pg';
import type { Logger } from 'pino';
import { LoginGuard, type LoginAdmission, type LoginGuardOptions } from '../auth/login-guard.ts';

const MINUTE = 60_000;
const GLOBAL = 'login:global';

/**
 * The login guard's counts (auth/login-guard.ts: backoff per identity and address, a global
 * per-minute cap) in PostgreSQL, so guesses spread over several instances are counted together.
 * Each admission is one transaction that locks its two rows (in key order: no deadlocks), so
 * parallel attempts on different instances cannot all slip through.
 */
export class PgLoginGuard {
  private readonly rules: LoginGuard;
  private readonly now: () => number;

  constructor(
    private readonly pool: pg.Pool,
    private readonly o: LoginGuardOptions,
    private readonly logger: Logger,
  ) {
    this.rules = new LoginGuard(o);
    this.now = o.now ?? Date.now;
  }

  async admit(identity: string, address: string): Promise<LoginAdmission> {
    const now = this.now();
    // JSON keeps address and identity apart (PostgreSQL text cannot hold the NUL the in-process guard uses).
    const key = `login:${JSON.stringify([address, identity])}`;
    const c = await this.pool.connect();
    // A checked-out client has no error listener of the pool's: a dropped connection must fail the query, not the process.
    c.on('error', ignore);
    let broken: Error | undefined;
    try {
      await c.query('BEGIN');
      await c.query(`INSERT INTO rate_counters (key, count, window_start, last_at) VALUES ($1, 0, $3, 0), ($2, 0, $3, 0) ON CONFLICT (key) DO NOTHING`, [
        key,
        GLOBAL,
        now,
      ]);
      const rows = await c.query<{ key: string; count: number; window_start: string; last_at: string }>(
        'SELECT key, count, window_start, last_at FROM rate_counters WHERE key = ANY($1) ORDER BY key FOR UPDATE',
        [[key, GLOBAL]],
      );
      const entry = rows.rows.find((r) => r.key === key)!;
      const global = rows.rows.find((r) => r.key === GLOBAL)!;
      let failures = entry.count;
      const lastAt = Number(entry.last_at);
      // Quiet long enough: forgotten (as in LoginGuard).
      if (failures > 0 && now - lastAt > 4 * this.o.maxBackoffMs) failures = 0;
      const wait = this.rules.backoffAfter(failures);
      if (wait > 0 && now < lastAt + wait) {
        await c.query('ROLLBACK');
        return { ok: false, scope: 'identity', retryAfterSeconds: seconds(lastAt + wait - now) };
      }
      let start = Number(global.window_start);
      let count = global.count;
      if (now - start >= MINUTE) {
        start = now;
        count = 0;
      }
      if (count >= this.o.globalPerMinute) {
        await c.query('ROLLBACK');
        return { ok: false, scope: 'global', retryAfterSeconds: seconds(start + MINUTE - now) };
      }
      await c.query('UPDATE rate_counters SET count = $2, window_start = $3, last_at = $4 WHERE key = $1', [GLOBAL, count + 1, start, now]);
      await c.query('UPDATE rate_counters SET count = $2, last_at = $3 WHERE key = $1', [key, failures + 1, now]);
      await c.query('COMMIT');
      let reported = false;
      return {
        ok: true,
        ticket: {
          succeeded: () => {
            if (reported) return;
            reported = true;
            // The right password clears this identity+address and gives the global slot back.
            void this.pool
              .query(
                `WITH cleared AS (DELETE FROM rate_counters WHERE key = $1)
                 UPDATE rate_counters SET count = count - 1 WHERE key = $2 AND window_start = $3 AND count > 0`,
                [key, GLOBAL, start],
              )
              .catch((e: unknown) => this.logger.warn({ err: e }, 'could not clear the login count of a successful login'));
          },
          failed: () => {
            reported = true;
          },
        },
      };
    } catch (e) {
      broken = e instanceof Error ? e : new Error(String(e));
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      c.removeListener('error', ignore);
      c.release(broken);
    }
  }
}

const ignore = (): void => undefined;

function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
