/**
 * Per-key mutual exclusion: a pause and a resume of one task never interleave. In process
 * (`KeyedLock`) for the embedded SQLite mode; across instances sharing one PostgreSQL
 * (`PgAdvisoryLock`, cluster/pg-advisory-lock.ts) when `DATABASE_URL` is set.
 */
export interface TaskLock {
  run<T>(key: string, op: () => Promise<T>): Promise<T>;
}

/** Runs operations on the same key one after another, in this process. */
export class KeyedLock implements TaskLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, op: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const next = prev.then(op, op);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }
}
