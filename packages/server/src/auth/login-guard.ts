/**
 * Password-guessing limits for `POST /api/auth/login`, counted BEFORE the password is checked,
 * so parallel attempts cannot all slip through while the first ones are still hashing.
 *
 * - Per identity AND client address: `freeFailures` attempts, then each further one waits a
 *   backoff that starts at `backoffMs` and doubles up to `maxBackoffMs`. Keyed by address too,
 *   so someone guessing from one place does not lock the real user out everywhere.
 * - Globally: at most `globalPerMinute` unsuccessful attempts a minute across all identities
 *   (password spraying, many addresses). A success gives its slot back.
 *
 * In-process; with DATABASE_URL every instance counts together (cluster/pg-login-guard.ts).
 */
export interface LoginGuardOptions {
  readonly freeFailures: number;
  readonly backoffMs: number;
  readonly maxBackoffMs: number;
  readonly globalPerMinute: number;
  readonly now?: () => number;
}

interface Entry {
  /** Attempts not (yet) known to have succeeded, in-flight ones included. */
  failures: number;
  /** When the last attempt was let through. */
  lastAt: number;
}

export type LoginAdmission = { ok: true; ticket: LoginAttempt } | { ok: false; retryAfterSeconds: number; scope: 'identity' | 'global' };

/** One admitted attempt: report its outcome exactly once. */
export interface LoginAttempt {
  succeeded(): void;
  failed(): void;
}

const MINUTE = 60_000;
const MAX_ENTRIES = 50_000;

export class LoginGuard {
  private readonly entries = new Map<string, Entry>();
  private global = { start: 0, count: 0 };
  private readonly now: () => number;

  constructor(private readonly o: LoginGuardOptions) {
    this.now = o.now ?? Date.now;
  }

  /** The wait after `failures` attempts (0 while free attempts remain). */
  backoffAfter(failures: number): number {
    if (failures < this.o.freeFailures) return 0;
    const doublings = Math.min(failures - this.o.freeFailures, 30);
    return Math.min(this.o.backoffMs * 2 ** doublings, this.o.maxBackoffMs);
  }

  /** Counts the attempt now (before any hashing) or refuses it with the seconds to wait. */
  admit(identity: string, address: string): LoginAdmission {
    const now = this.now();
    const key = `${address}\u0000${identity}`;
    let e = this.entries.get(key);
    // Quiet long enough: forgotten. (Four times the longest wait, so waiting out the cap does not reset it.)
    if (e !== undefined && now - e.lastAt > 4 * this.o.maxBackoffMs) {
      this.entries.delete(key);
      e = undefined;
    }
    if (e !== undefined) {
      const wait = this.backoffAfter(e.failures);
      if (wait > 0 && now < e.lastAt + wait) return { ok: false, scope: 'identity', retryAfterSeconds: seconds(e.lastAt + wait - now) };
    }
    if (now - this.global.start >= MINUTE) this.global = { start: now, count: 0 };
    if (this.global.count >= this.o.globalPerMinute) {
      return { ok: false, scope: 'global', retryAfterSeconds: seconds(this.global.start + MINUTE - now) };
    }
    this.global.count++;
    const window = this.global;
    if (e === undefined) {
      e = { failures: 0, lastAt: now };
      this.entries.set(key, e);
      if (this.entries.size > MAX_ENTRIES) this.sweep(now);
    }
    e.failures++;
    e.lastAt = now;
    const entry = e;
    let reported = false;
    return {
      ok: true,
      ticket: {
        succeeded: () => {
          if (reported) return;
          reported = true;
          // The right password clears this identity+address and gives the global slot back.
          if (this.entries.get(key) === entry) this.entries.delete(key);
          if (this.global === window && window.count > 0) window.count--;
        },
        failed: () => {
          reported = true;
        },
      },
    };
  }

  private sweep(now: number): void {
    for (const [k, e] of this.entries) if (now - e.lastAt > 4 * this.o.maxBackoffMs || this.backoffAfter(e.failures) === 0) this.entries.delete(k);
  }
}

function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
