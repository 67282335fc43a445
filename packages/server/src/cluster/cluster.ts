import pg from 'pg';
import type { Logger } from 'pino';
import { PgEventBus } from '../events/pg-event-bus.ts';
import { migrate } from '../ledger/pg-migrations.ts';
import type { TokenRevocations } from '../auth/revocations.ts';
import type { Db } from '../storage/database.ts';
import type { TaskStore } from '../tasks/task-store.ts';
import { CLUSTER_MIGRATIONS } from './cluster-schema.ts';
import type { FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { LoginGuardOptions } from '../auth/login-guard.ts';
import { PgAdvisoryLock } from './pg-advisory-lock.ts';
import { PgLoginGuard } from './pg-login-guard.ts';
import { pgRateLimitStore } from './pg-rate-limit-store.ts';
import { PgStreamTickets } from './pg-stream-tickets.ts';
import { SharedRevocations } from './shared-revocations.ts';
import { SharedTaskStore } from './shared-task-store.ts';

/**
 * What one instance shares with the others through PostgreSQL besides the ledger: per-task
 * locks, live events, the contact center's tasks, revoked sessions, stream tickets, login
 * limits and request rate limits. Chosen when `DATABASE_URL` is set; the
 * embedded SQLite mode keeps the in-process versions.
 */
export interface Cluster {
  readonly bus: PgEventBus;
  readonly lock: PgAdvisoryLock;
  readonly tasks: SharedTaskStore;
  readonly revocations: SharedRevocations;
  readonly tickets: PgStreamTickets;
  /** The request rate limit's store (counts of every instance together). */
  readonly rateLimitStore: FastifyRateLimitStoreCtor;
  loginGuard(o: LoginGuardOptions): PgLoginGuard;
  close(): Promise<void>;
}

export interface ClusterOptions {
  readonly url: string;
  /** The ledger's pool: short queries (notifications, task rows) share it. */
  readonly pool: pg.Pool;
  readonly db: Db;
  readonly localTasks: TaskStore;
  /** This instance's revocations (its SQLite): the replica every request checks. */
  readonly localRevocations: TokenRevocations;
  /** Ends this instance's event streams of a session another instance signed out. */
  readonly revokedElsewhere: (jti: string) => void;
  readonly logger: Logger;
}

export async function joinCluster(o: ClusterOptions): Promise<Cluster> {
  await migrate(o.pool, CLUSTER_MIGRATIONS);
  // Locks get a pool of their own: a lock holder's operation needs ledger connections meanwhile,
  // and sharing one pool would let lock holders take every connection and wait for each other.
  const lockPool = new pg.Pool({ connectionString: o.url, max: 20, connectionTimeoutMillis: 5000, application_name: 'pause-recording-locks' });
  lockPool.on('error', (e) => o.logger.warn({ err: String(e) }, 'a PostgreSQL lock connection failed'));
  const bus = new PgEventBus({ url: o.url, pool: o.pool, logger: o.logger });
  // Registered before the listener starts: its first connect loads what is shared so far.
  const tasks = new SharedTaskStore(o.localTasks, o.db, o.pool, bus, o.logger);
  const revocations = new SharedRevocations(o.localRevocations, o.pool, bus, o.logger, o.revokedElsewhere);
  // Events published while a task is locked reach PostgreSQL before the next holder acts, so
  // every instance sees one task's events in the order they happened.
  const lock = new PgAdvisoryLock(lockPool, () => bus.flush());
  try {
    await bus.start();
  } catch (e) {
    await lockPool.end().catch(() => undefined);
    throw e;
  }
  return {
    bus,
    lock,
    tasks,
    revocations,
    tickets: new PgStreamTickets(o.pool),
    rateLimitStore: pgRateLimitStore(o.pool, 'requests:'),
    loginGuard: (g) => new PgLoginGuard(o.pool, g, o.logger),
    async close() {
      await tasks.flush();
      await bus.close();
      await lockPool.end().catch(() => undefined);
    },
  };
}
