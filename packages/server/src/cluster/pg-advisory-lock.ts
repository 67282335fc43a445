import { createHash } from 'node:crypto';
import type pg from 'pg';
import { KeyedLock, type TaskLock } from '../pause/keyed-lock.ts';

/** The first argument of the two-key advisory lock: keeps these locks apart from any other user of the database. */
export const TASK_LOCK_NAMESPACE = 0x70617573; // 'paus'

/** A key's 32-bit advisory lock id (sha256: stable across processes and versions, unlike a JS string hash). */
export function lockId(key: string): number {
  return createHash('sha256').update(key).digest().readInt32BE(0);
}

/**
 * Mutual exclusion per key across every instance sharing one PostgreSQL: a session-level
 * `pg_advisory_lock(namespace, hash(key))` held on a dedicated pooled client for the length of
 * the operation. An instance that dies (kill -9) loses its connection, and with it the lock, so
 * nothing is left for the others to wait on. Operations on one key within this process queue in
 * memory first, so waiting for one busy task holds at most one connection.
 */
export class PgAdvisoryLock implements TaskLock {
  private readonly local = new KeyedLock();

  constructor(
    private readonly pool: pg.Pool,
    /** Runs before the lock is given back (the event bus flushes its notifications, so they keep the lock's order). */
    private readonly beforeUnlock: () => Promise<void> = async () => undefined,
  ) {}

  run<T>(key: string, op: () => Promise<T>): Promise<T> {
    return this.local.run(key, async () => {
      const id = lockId(key);
      const client = await this.checkout();
      // Handed back to the pool only when the lock is known to be given back; otherwise destroyed,
      // which ends the session and releases the lock with it.
      let clean = false;
      try {
        await client.query('SELECT pg_advisory_lock($1, $2)', [TASK_LOCK_NAMESPACE, id]);
        try {
          return await op();
        } finally {
          await this.beforeUnlock().catch(() => undefined);
          clean = await client.query('SELECT pg_advisory_unlock($1, $2)', [TASK_LOCK_NAMESPACE, id]).then(
            () => true,
            () => false,
          );
        }
      } finally {
        this.checkin(client, clean);
      }
    });
  }

  /** Runs `op` only when no instance holds `key`; null (without waiting) when one does. */
  async tryRun<T>(key: string, op: () => Promise<T>): Promise<{ value: T } | null> {
    const id = lockId(key);
    const client = await this.checkout();
    let clean = false;
    try {
      const got = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [TASK_LOCK_NAMESPACE, id]);
      if (got.rows[0]?.ok !== true) {
        clean = true;
        return null;
      }
      try {
        return { value: await op() };
      } finally {
        clean = await client.query('SELECT pg_advisory_unlock($1, $2)', [TASK_LOCK_NAMESPACE, id]).then(
          () => true,
          () => false,
        );
      }
    } finally {
      this.checkin(client, clean);
    }
  }

  /** A pooled client that reports a lost connection through its pending query instead of an unhandled `error` event. */
  private async checkout(): Promise<pg.PoolClient> {
    const client = await this.pool.connect();
    client.on('error', ignore);
    return client;
  }

  private checkin(client: pg.PoolClient, clean: boolean): void {
    client.removeListener('error', ignore);
    client.release(!clean);
  }
}

const ignore = (): void => undefined;
