import type { Logger } from 'pino';
import { isStorageError } from '../storage/database.ts';

/** A settle step: what it writes (for the log) and the idempotent write. */
export type Step = readonly [string, () => unknown];

/**
 * Writes that storage (SQLite) refused, kept per task in memory and retried until they succeed,
 * so a full disk or a foreign lock loses nothing the provider already did. Every step is
 * idempotent: running it twice records once.
 */
export class PendingWrites {
  private readonly left = new Map<string, Step[]>();
  private readonly firstError = new Map<string, Error>();

  constructor(private readonly logger: Logger) {}

  /** Runs the steps; those storage refuses are kept to retry (other errors propagate). */
  run(key: string, steps: readonly Step[]): void {
    const left = [...(this.left.get(key) ?? [])];
    this.left.delete(key);
    for (const step of steps) {
      try {
        step[1]();
      } catch (e) {
        if (!isStorageError(e)) throw e;
        this.logger.error({ err: e, key, step: step[0] }, 'storage refused a write; kept to retry');
        if (!this.firstError.has(key)) this.firstError.set(key, e);
        left.push(step);
      }
    }
    if (left.length > 0) this.left.set(key, left);
  }

  /** Retries what was refused for the key; true when nothing is left. */
  retry(key: string): boolean {
    const left = this.left.get(key);
    if (left === undefined) return true;
    this.left.delete(key);
    this.run(key, left);
    return !this.left.has(key);
  }

  has(key: string): boolean {
    return this.left.has(key);
  }

  keys(): string[] {
    return [...this.left.keys()];
  }

  drop(key: string): void {
    this.left.delete(key);
  }

  /** Starts a new settle: forgets the key's last error. */
  begin(key: string): void {
    this.firstError.delete(key);
  }

  /** The first storage error since `begin`, or null. */
  error(key: string): Error | null {
    return this.firstError.get(key) ?? null;
  }
}
