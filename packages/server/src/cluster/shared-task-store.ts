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
 * wins) and signalled to the other instances, which load the row into their replica, so all
 * replicas converge on the last committed row. A reconnecting listener reloads every row.
 * Two instances changing one task at the same moment: the later commit wins (the contact
 * center's accept, hang-up and wrap-up are not locked across instances).
 *
 * An interim bridge for the embedded contact center: with tasks read from TaskRouter (issue 11)
 * the provider is the shared truth and this goes away.
 */
export class SharedTaskStore implements TaskStore {
  private tail: Promise<void> = Promise.resolve();
  /** Local changes per task not yet stored in PostgreSQL. */
  private readonly pending = new Map<string, number>();
  /** Tasks whose last local change PostgreSQL refused: sent again before the next full load. */
  private readonly unsent = new Set<string>();
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
    // What could not be sent is newer than what PostgreSQL holds: sent first, not overwritten.
    for (const sid of [...this.unsent]) this.send(sid);
    await this.tail;
    const rows = await this.pool.query<{ row: Row }>('SELECT row FROM cluster_tasks');
    for (const r of rows.rows) if (!this.pending.has(r.row.sid ?? '') && !this.unsent.has(r.row.sid ?? '')) this.apply(r.row);
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
    this.send(t.sid);
    return t;
  }

  private send(sid: string): void {
    this.pending.set(sid, (this.pending.get(sid) ?? 0) + 1);
    this.tail = this.tail.then(async () => {
      try {
        // The row as it is now (later local changes included): what this instance last decided.
        const row = this.selectRow(sid);
        if (row === undefined) return;
        await this.pool.query(
          `INSERT INTO cluster_tasks (sid, row) VALUES ($1, $2)
           ON CONFLICT (sid) DO UPDATE SET row = excluded.row, version = cluster_tasks.version + 1`,
          [sid, JSON.stringify(row)],
        );
        this.unsent.delete(sid);
        await this.bus.signal(SIGNAL, sid);
      } catch (e) {
        this.unsent.add(sid);
        this.logger.error({ err: e, taskSid: sid }, 'could not share a task change with the other instances (sent again on reconnect)');
      } finally {
        const n = (this.pending.get(sid) ?? 1) - 1;
        if (n === 0) this.pending.delete(sid);
        else this.pending.set(sid, n);
      }
    });
  }

  /**
   * Loads another instance's change, in turn with this instance's own writes: while a change of
   * ours is still on its way it is the later one (last commit wins), so the remote row is skipped;
   * once ours is stored, the row read back is PostgreSQL's latest.
   */
  private pull(sid: string | null): void {
    if (sid === null) return;
    this.tail = this.tail.then(async () => {
      if (this.pending.has(sid) || this.unsent.has(sid)) return;
      try {
        const r = await this.pool.query<{ row: Row }>('SELECT row FROM cluster_tasks WHERE sid = $1', [sid]);
        const row = r.rows[0]?.row;
        if (row !== undefined && !this.pending.has(sid)) this.apply(row);
      } catch (e) {
        this.logger.error({ err: e, taskSid: sid }, "could not load another instance's task change");
      }
    });
  }

  private apply(row: Row): void {
    const r = Object.fromEntries(COLUMNS.map((c) => [c, row[c] ?? null])) as Row;
    this.upsert(r);
  }
}
