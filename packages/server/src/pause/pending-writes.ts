import type { Logger } from 'pino';

/** A settle step: what it writes (for the log) and the idempotent write (usually one ledger call). */
export type Step = readonly [string, () => unknown];

/**
 * Writes that storage refused, kept per task in memory and retried until they succeed, so a full
 * disk or a foreign lock loses nothing the provider already did. Every step is idempotent
 * (running it twice records once), and a step is usually one ledger transaction.
 */
export class PendingWrites {
  private readonly left = new Map<string, Step[]>();
  private readonly firstError = new Map<string, Error>();

  constructor(
    private readonly logger: Logger,
    /** True when an error means storage refused (the ledger's `isUnavailable`). */
    private readonly refused: (e: unknown) => e is Error,
  ) {}

  /** Runs the steps; those storage refuses are kept to retry (other errors propagate). */
  async run(key: string, steps: readonly Step[]): Promise<void> {
    const left = [...(this.left.get(key) ?? [])];
    this.left.delete(key);
    for (const step of steps) {
      try {
        await step[1]();
      } catch (e) {
        if (!this.refused(e)) throw e;
        this.logger.error({ err: e, key, step: step[0] }, 'storage refused a write; kept to retry');
        if (!this.firstError.has(key)) this.firstError.set(key, e);
        left.push(step);
      }
    }
    if (left.length > 0) this.left.set(key, left);
  }

  /** Retries what was refused for the key; true when nothing is left. */
  async retry(key: string): Promise<boolean> {
    const left = this.left.get(key);
    if (left === undefined) return true;
    this.left.delete(key);
    await this.run(key, left);
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
