/**
 * Retries an operation while it fails transiently, with full-jitter exponential backoff,
 * within a bounded total time. Permanent failures are rethrown at once.
 */
export interface RetryPolicy {
  /** Give up once this much time has passed (a retry is not started if its wait would cross it). */
  readonly budgetMs: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** At most this many retries after the first try (none: only the budget bounds them). */
  readonly maxRetries?: number;
}

export interface RetryHooks {
  readonly random?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
  readonly onRetry?: (attempt: number, delayMs: number, error: unknown) => void;
}

export const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function withRetry<T>(
  op: (attempt: number) => Promise<T>,
  isTransient: (e: unknown) => boolean,
  policy: RetryPolicy,
  hooks: RetryHooks = {},
): Promise<T> {
  const random = hooks.random ?? Math.random;
  const sleep = hooks.sleep ?? defaultSleep;
  const now = hooks.now ?? Date.now;
  const started = now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await op(attempt);
    } catch (e) {
      if (!isTransient(e) || (policy.maxRetries !== undefined && attempt >= policy.maxRetries)) throw e;
      const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
      const delay = Math.floor(random() * cap);
      if (now() - started + delay >= policy.budgetMs) throw e;
      hooks.onRetry?.(attempt + 1, delay, e);
      await sleep(delay);
    }
  }
}
