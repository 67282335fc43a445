import type pg from 'pg';
import type { Logger } from 'pino';
import type { PgEventBus } from '../events/pg-event-bus.ts';
import type { Db } from '../storage/database.ts';
import type { NewTask, TaskPatch, TaskRecord, TaskStore } from '../tasks/task-store.ts';

const COLUMNS = [
  'sid',
  'status',
  'worker',
  'queue',
  'call_sid',
  'conference_sid',
  'worker_call_sid',
  'attributes',
  'rejected_by',
  'created_at',
  'updated_at',
  'accepted_at',
] as const;
type Row = Record<(typeof COLUMNS)[number], string | null>;

const SIGNAL = 'task';

/**
 * The local contact center's tasks, shared by every instance on one PostgreSQL. The contact
 * center reads tasks synchronously, so each instance keeps a replica in its own SQLite and reads
 * that; every change is written to `cluster_tasks` (the shared truth: the last committed row
 * wins) and signalled to the other instances, which load the row into their replica. After each
 * write the row PostgreSQL holds is applied locally too, so all replicas converge on the same
 * row. A reconnecting listener reloads every row (what changed meanwhile).
 *
 * An interim bridge for the embedded contact center: with tasks read from TaskRouter (issue 11)
 * the provider is the shared truth and this goes away.
 */
export class SharedTaskStore implements TaskStore {
  private tail: Promise<void> = Promise.resolve();
  private readonly selectRow: (sid: string) => Row | undefined;
  private readonly upsert: (r: Row) => void;

  constructor(
    private readonly local: TaskStore,
    db: Db,
    private readonly pool: pg.Pool,
    private readonly bus: PgEventBus,
    private readonly logger: Logger,
  ) {
    const select = db.prepare(`SELECT ${COLUMNS.join(', ')} FROM tasks WHERE sid = ?`);
    this.selectRow = (sid) => select.get(sid) as Row | undefined;
    const upsert = db.prepare(
      `INSERT INTO tasks (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((c) => '@' + c).join(', ')})
       ON CONFLICT (sid) DO UPDATE SET ${COLUMNS.filter((c) => c !== 'sid')
         .map((c) => `${c} = excluded.${c}`)
         .join(', ')}`,
    );
    this.upsert = (r) => upsert.run(r);
    bus.on(SIGNAL, (data) => this.pull(typeof data === 'string' ? data : null));
    bus.onListening(async () => {
      await this.loadAll();
    });
  }

  /** Loads every shared task into the local replica (at start and after the listener reconnects). */
  async loadAll(): Promise<number> {
    const rows = await this.pool.query<{ row: Row }>('SELECT row FROM cluster_tasks');
    for (const r of rows.rows) this.apply(r.row);
    return rows.rows.length;
  }

  /** Resolves once every local change so far is in PostgreSQL and signalled. */
  flush(): Promise<void> {
    return this.tail;
  }

  create(t: NewTask): TaskRecord {
    return this.push(this.local.create(t));
  }

  update(sid: string, patch: TaskPatch): TaskRecord {
    return this.push(this.local.update(sid, patch));
  }

  get(sid: string): TaskRecord | null {
    return this.local.get(sid);
  }

  byCallSid(callSid: string): TaskRecord | null {
    return this.local.byCallSid(callSid);
  }

  byConference(conference: string): TaskRecord | null {
    return this.local.byConference(conference);
  }

  list(filter?: Parameters<TaskStore['list']>[0]): TaskRecord[] {
    return this.local.list(filter);
  }

  private push(t: TaskRecord): TaskRecord {
    const row = this.selectRow(t.sid);
    if (row === undefined) return t;
    this.tail = this.tail.then(async () => {
      try {
        const stored = await this.pool.query<{ row: Row }>(
          `INSERT INTO cluster_tasks (sid, row) VALUES ($1, $2)
           ON CONFLICT (sid) DO UPDATE SET row = excluded.row, version = cluster_tasks.version + 1
           RETURNING row`,
          [row.sid, JSON.stringify(row)],
        );
        const now = stored.rows[0]?.row;
        if (now !== undefined) this.apply(now);
        await this.bus.signal(SIGNAL, row.sid);
      } catch (e) {
        this.logger.error({ err: e, taskSid: row.sid }, 'could not share a task change with the other instances');
      }
    });
    return t;
  }

  private async pull(sid: string | null): Promise<void> {
    if (sid === null) return;
    const r = await this.pool.query<{ row: Row }>('SELECT row FROM cluster_tasks WHERE sid = $1', [sid]);
    const row = r.rows[0]?.row;
    if (row !== undefined) this.apply(row);
  }

  private apply(row: Row): void {
    const r = Object.fromEntries(COLUMNS.map((c) => [c, row[c] ?? null])) as Row;
    this.upsert(r);
  }
}
