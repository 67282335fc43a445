import { AUTO_RESUME_RETRY_MS, type ActorRole, type AuditEntry, type AuditEvent, type DeferredLeg, type NewAuditEvent } from '@pause-recording/core';
import type { PauseBehavior, RecordingStatus } from '@pause-recording/core';
import pg from 'pg';
import { AUDIT_SELECT, auditQuerySql, toAuditEvent, type AuditRow } from '../audit/audit-rows.ts';
import type {
  AuditQuery,
  DeadlineClaim,
  KnownRecording,
  LedgerReceipt,
  LedgerView,
  LedgerWrite,
  PauseLedger,
  PauseRecord,
  RecordingPauseRecord,
  TaskRef,
} from './ledger.ts';
import { ledgerView } from './ledger-view.ts';
import { checkout } from './pg-client.ts';
import { isPostgresUnavailable } from './pg-errors.ts';
import { migrate } from './pg-migrations.ts';

/** BIGINT columns arrive as strings (node-postgres keeps 64-bit exact); epoch ms and ids fit a number. */
type Big = string | number;
const num = (v: Big): number => Number(v);
const numOrNull = (v: Big | null): number | null => (v === null ? null : Number(v));

interface PauseRow {
  id: Big;
  task_sid: string;
  paused_at: Big;
  paused_by: string;
  role: string;
  behavior: string;
  reminder_at: Big | null;
  auto_resume_at: Big | null;
  reminder_fired: boolean;
  closed_at: Big | null;
  last_auto_resume_at: Big | null;
}

interface RecordingRow {
  sid: string;
  task_sid: string | null;
  call_sid: string | null;
  conference_sid: string | null;
  source: string;
  channels: number;
  status: string;
  start_time: string | null;
  duration: string | null;
  first_seen_at: Big;
}

interface SpanRow {
  recording_sid: string;
  task_sid: string | null;
  paused_at: Big;
  resumed_at: Big | null;
  behavior: string;
  paused_by: string;
  role: string;
  reason: string;
  resumed_by: string | null;
}

const toPause = (r: PauseRow): PauseRecord => ({
  id: num(r.id),
  taskSid: r.task_sid,
  pausedAt: num(r.paused_at),
  pausedBy: r.paused_by,
  role: r.role as ActorRole,
  behavior: r.behavior as PauseBehavior,
  reminderAt: numOrNull(r.reminder_at),
  autoResumeAt: numOrNull(r.auto_resume_at),
  reminderFired: r.reminder_fired,
  closedAt: numOrNull(r.closed_at),
  lastAutoResumeAttemptAt: numOrNull(r.last_auto_resume_at),
});

const toKnown = (r: RecordingRow): KnownRecording => ({
  sid: r.sid,
  taskSid: r.task_sid,
  callSid: r.call_sid,
  conferenceSid: r.conference_sid,
  source: r.source,
  channels: r.channels,
  status: r.status as RecordingStatus,
  startTime: r.start_time,
  duration: r.duration,
  firstSeenAt: num(r.first_seen_at),
});

const toSpan = (r: SpanRow): RecordingPauseRecord => ({
  recordingSid: r.recording_sid,
  taskSid: r.task_sid,
  pausedAt: num(r.paused_at),
  resumedAt: numOrNull(r.resumed_at),
  behavior: r.behavior as PauseBehavior,
  pausedBy: r.paused_by,
  role: r.role,
  reason: r.reason,
  resumedBy: r.resumed_by,
});

const toAudit = (r: AuditRow & { id: Big }): AuditEvent => toAuditEvent({ ...r, id: num(r.id) });

/** The shared audit filter's `@name` parameters as PostgreSQL's `$n`. */
function positional(sql: string, params: Record<string, string | number>): { text: string; values: (string | number)[] } {
  const values: (string | number)[] = [];
  const text = sql.replace(/@(\w+)/g, (_, name: string) => {
    const v = params[name];
    if (v === undefined) throw new Error(`no value for @${name}`);
    values.push(v);
    return `$${values.length}`;
  });
  return { text, values };
}

// Sids sort by their bytes whatever the database's collation, as SQLite sorts them.
const RECORDING_ORDER = 'ORDER BY first_seen_at, sid COLLATE "C"';
const OPEN_SPANS_OF_TASK = `SELECT recording_sid, paused_at FROM recording_pauses
  WHERE resumed_at IS NULL AND (task_sid = $1 OR recording_sid IN (SELECT sid FROM recordings WHERE task_sid = $1)) ORDER BY id`;
const OPEN_PAUSE = 'SELECT * FROM pauses WHERE task_sid = $1 AND closed_at IS NULL ORDER BY id DESC LIMIT 1';
const CLOSE_PAUSE = `UPDATE pauses SET closed_at = $1, closed_by = $2, close_reason = $3, claimed_by = NULL, claimed_until = NULL
  WHERE task_sid = $4 AND closed_at IS NULL`;
const DEFERRED_OF = 'SELECT call_sid, channels, ready FROM deferred_legs WHERE task_sid = $1 ORDER BY seq';

type Queryable = Pick<pg.PoolClient, 'query'>;

export interface PostgresLedgerOptions {
  readonly now?: () => number;
  /** Errors of idle connections (the server went away): logged, never thrown at the process. */
  readonly onIdleError?: (e: Error) => void;
}

/**
 * The ledger on PostgreSQL (node-postgres `Pool`), for several server instances sharing one truth.
 * Every write is one transaction; reads of the view share one snapshot. What must hold across
 * instances is enforced by the database, not by process memory: one open pause per task and one
 * open span per recording (partial unique indexes), one completion per pending event, deadline
 * claims by `FOR UPDATE SKIP LOCKED` with a lease. The pool reconnects by itself once the
 * database is back; until then every call rejects with an error `isUnavailable` recognises.
 */
export class PostgresLedger implements PauseLedger {
  private readonly now: () => number;
  private closed = false;

  /** Opens a pool on `url`, applies the migrations, and returns the ledger (it owns the pool). */
  static async open(url: string, opts: PostgresLedgerOptions & { readonly poolSize?: number } = {}): Promise<PostgresLedger> {
    const pool = new pg.Pool({
      connectionString: url,
      max: opts.poolSize ?? 10,
      // A stopped database refuses at once; an unreachable one must not hang a request for long.
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30_000,
      // A statement stuck behind a lock fails (as unavailable) instead of holding a request forever,
      // and a transaction left open by an instance cut off mid-way does not hold its locks for long.
      statement_timeout: 10_000,
      idle_in_transaction_session_timeout: 30_000,
      application_name: 'pause-recording',
    });
    const ledger = new PostgresLedger(pool, opts);
    try {
      await migrate(pool);
    } catch (e) {
      await pool.end().catch(() => undefined);
      throw e;
    }
    return ledger;
  }

  /**
   * @param pool shared with what else needs the same database (cross-instance locks, LISTEN/NOTIFY);
   *   the ledger ends it on `close()`. Migrations are the caller's (`open` applies them).
   */
  constructor(
    readonly pool: pg.Pool,
    opts: PostgresLedgerOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    // Without a listener an idle connection's error (database restarted) would crash the process.
    pool.on('error', (e) => opts.onIdleError?.(e));
  }

  /** One transaction on one connection; a connection that failed is discarded, not reused. */
  private async tx<T>(fn: (c: Queryable) => Promise<T>, mode: 'write' | 'read' = 'write'): Promise<T> {
    const guarded = await checkout(this.pool);
    const c = guarded.client;
    let discard: Error | undefined;
    try {
      await c.query(mode === 'read' ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'BEGIN');
      const r = await fn(c);
      await c.query('COMMIT');
      return r;
    } catch (e) {
      if (isPostgresUnavailable(e)) discard = e;
      await c.query('ROLLBACK').catch((x: unknown) => {
        discard = x instanceof Error ? x : new Error(String(x));
      });
      throw e;
    } finally {
      guarded.release(discard);
    }
  }

  private async rows<R>(text: string, values: unknown[] = []): Promise<R[]> {
    return (await this.pool.query(text, values)).rows as R[];
  }

  private async openPauseOf(q: Queryable, taskSid: string): Promise<PauseRecord | null> {
    const r = (await q.query(OPEN_PAUSE, [taskSid])).rows[0] as PauseRow | undefined;
    return r === undefined ? null : toPause(r);
  }

  private async deferredOf(q: Queryable, taskSid: string): Promise<DeferredLeg[]> {
    return ((await q.query(DEFERRED_OF, [taskSid])).rows as { call_sid: string; channels: number; ready: boolean }[]).map((r) => ({
      callSid: r.call_sid,
      channels: r.channels === 1 ? 1 : 2,
      ready: r.ready,
    }));
  }

  private async appendTo(q: Queryable, e: NewAuditEvent): Promise<AuditEvent> {
    const at = e.at ?? new Date(this.now()).toISOString();
    const r = await q.query(
      `INSERT INTO audit_events (at, action, outcome, actor, role, task_sid, call_sid, conference_sid, recording_sids, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
      [at, e.action, e.outcome, e.actor, e.role, e.taskSid, e.callSid, e.conferenceSid, JSON.stringify(e.recordingSids), JSON.stringify(e.details)],
    );
    return { ...e, at, id: num((r.rows[0] as { id: Big }).id) };
  }

  private async applyWrite(q: Queryable, w: LedgerWrite): Promise<LedgerReceipt> {
    const firstSeenAt = w.firstSeenAt ?? this.now();
    for (const r of w.remember ?? []) {
      await q.query(
        `INSERT INTO recordings (sid, task_sid, call_sid, conference_sid, source, channels, status, start_time, duration, first_seen_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (sid) DO UPDATE SET
           task_sid = COALESCE(recordings.task_sid, EXCLUDED.task_sid),
           call_sid = COALESCE(recordings.call_sid, EXCLUDED.call_sid),
           conference_sid = COALESCE(recordings.conference_sid, EXCLUDED.conference_sid),
           status = EXCLUDED.status,
           start_time = COALESCE(EXCLUDED.start_time, recordings.start_time),
           duration = COALESCE(EXCLUDED.duration, recordings.duration)`,
        [r.sid, w.taskSid, r.callSid, r.conferenceSid, r.source, r.channels, r.status, r.startTime ?? null, r.duration ?? null, firstSeenAt],
      );
    }
    for (const c of w.spans?.close ?? []) {
      await q.query(
        'UPDATE recording_pauses SET resumed_at = GREATEST($1::bigint, paused_at), resumed_by = $2 WHERE recording_sid = $3 AND resumed_at IS NULL',
        [c.resumedAt, c.resumedBy, c.recordingSid],
      );
    }
    for (const o of w.spans?.open ?? []) {
      // A recording never has two open spans (the partial unique index decides, whoever writes).
      await q.query(
        `INSERT INTO recording_pauses (recording_sid, task_sid, paused_at, behavior, paused_by, role, reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (recording_sid) WHERE resumed_at IS NULL DO NOTHING`,
        [o.recordingSid, w.taskSid === null ? null : o.taskSid, o.pausedAt, o.behavior, o.pausedBy, o.role, o.reason],
      );
    }
    let opened: PauseRecord | null = null;
    if (w.taskSid !== null && w.pause !== undefined) {
      if (w.pause.kind === 'open') {
        const p = w.pause.pause;
        const r = await q.query(
          `INSERT INTO pauses (task_sid, paused_at, paused_by, role, behavior, reminder_at, auto_resume_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (task_sid) WHERE closed_at IS NULL DO NOTHING RETURNING id`,
          [w.taskSid, p.pausedAt, p.pausedBy, p.role, p.behavior, p.reminderAt, p.autoResumeAt],
        );
        const row = r.rows[0] as { id: Big } | undefined;
        if (row !== undefined) {
          opened = { ...p, id: num(row.id), taskSid: w.taskSid, reminderFired: false, closedAt: null, lastAutoResumeAttemptAt: null };
        }
      } else if (w.pause.kind === 'close') {
        await q.query(CLOSE_PAUSE, [w.pause.at, w.pause.by, w.pause.reason, w.taskSid]);
      }
    }
    if (w.taskSid !== null) {
      // Undefer first: a write may replace a deferred leg (a second transfer while paused).
      for (const callSid of w.undefer ?? []) await q.query('DELETE FROM deferred_legs WHERE task_sid = $1 AND call_sid = $2', [w.taskSid, callSid]);
      for (const d of w.defer ?? []) {
        await q.query(
          `INSERT INTO deferred_legs (task_sid, call_sid, channels, ready) VALUES ($1, $2, $3, $4)
           ON CONFLICT (task_sid, call_sid) DO UPDATE SET channels = EXCLUDED.channels, ready = EXCLUDED.ready`,
          [w.taskSid, d.callSid, d.channels, d.ready],
        );
      }
    }
    if (w.reminded !== undefined) await q.query('UPDATE pauses SET reminder_fired = TRUE WHERE id = $1', [w.reminded]);
    if (w.autoResumeAttempt !== undefined) {
      await q.query('UPDATE pauses SET last_auto_resume_at = $1 WHERE id = $2 AND closed_at IS NULL', [w.autoResumeAttempt.at, w.autoResumeAttempt.pauseId]);
    }
    const c = w.complete;
    if (c != null) {
      // The first completion stands (a retried settle, or another instance, does not complete twice);
      // the trigger refuses completing an event that is not pending.
      await q.query('INSERT INTO audit_outcomes (event_id, at, outcome, details) VALUES ($1, $2, $3, $4) ON CONFLICT (event_id) DO NOTHING', [
        c.eventId,
        new Date(this.now()).toISOString(),
        c.outcome,
        JSON.stringify(c.details),
      ]);
    }
    const appended: number[] = [];
    for (const e of w.append ?? []) appended.push((await this.appendTo(q, e)).id);
    return { opened, appended };
  }

  view(task: TaskRef): Promise<LedgerView> {
    return this.tx(async (q) => {
      const known = ((await q.query(`SELECT * FROM recordings WHERE task_sid = $1 ${RECORDING_ORDER}`, [task.sid])).rows as RecordingRow[]).map(toKnown);
      const openSpans = ((await q.query(OPEN_SPANS_OF_TASK, [task.sid])).rows as { recording_sid: string; paused_at: Big }[]).map((r) => ({
        recordingSid: r.recording_sid,
        pausedAt: num(r.paused_at),
      }));
      return ledgerView(task, known, await this.deferredOf(q, task.sid), openSpans, await this.openPauseOf(q, task.sid));
    }, 'read');
  }

  async recording(sid: string): Promise<KnownRecording | null> {
    const [r] = await this.rows<RecordingRow>('SELECT * FROM recordings WHERE sid = $1', [sid]);
    return r === undefined ? null : toKnown(r);
  }

  async recordings(filter: { readonly taskSids?: readonly string[] } = {}): Promise<KnownRecording[]> {
    const rows =
      filter.taskSids === undefined
        ? await this.rows<RecordingRow>(`SELECT * FROM recordings ${RECORDING_ORDER}`)
        : await this.rows<RecordingRow>(`SELECT * FROM recordings WHERE task_sid = ANY($1::text[]) ${RECORDING_ORDER}`, [[...filter.taskSids]]);
    return rows.map(toKnown);
  }

  async spans(recordingSid: string): Promise<RecordingPauseRecord[]> {
    return (await this.rows<SpanRow>('SELECT * FROM recording_pauses WHERE recording_sid = $1 ORDER BY paused_at, id', [recordingSid])).map(toSpan);
  }

  openPause(taskSid: string): Promise<PauseRecord | null> {
    return this.openPauseOf(this.pool, taskSid);
  }

  async openPauses(): Promise<PauseRecord[]> {
    return (await this.rows<PauseRow>('SELECT * FROM pauses WHERE closed_at IS NULL ORDER BY id')).map(toPause);
  }

  deferredLegs(taskSid: string): Promise<DeferredLeg[]> {
    return this.deferredOf(this.pool, taskSid);
  }

  async audit(q: AuditQuery): Promise<AuditEvent[]> {
    const { sql, params } = auditQuerySql(q);
    const { text, values } = positional(sql, params);
    return (await this.rows<AuditRow & { id: Big }>(text, values)).map(toAudit);
  }

  async unresolvedAudit(): Promise<AuditEvent[]> {
    return (await this.rows<AuditRow & { id: Big }>(`${AUDIT_SELECT} WHERE e.outcome = 'pending' AND o.event_id IS NULL ORDER BY e.id`)).map(toAudit);
  }

  begin(entry: AuditEntry | Omit<NewAuditEvent, 'outcome'>): Promise<AuditEvent> {
    return this.tx((q) => this.appendTo(q, { ...entry, outcome: 'pending' }));
  }

  append(event: NewAuditEvent): Promise<AuditEvent> {
    return this.tx((q) => this.appendTo(q, event));
  }

  settle(write: LedgerWrite): Promise<LedgerReceipt> {
    return this.tx((q) => this.applyWrite(q, write));
  }

  endTask(taskSid: string, at: number, by: string): Promise<void> {
    return this.tx(async (q) => {
      await q.query(
        `UPDATE recording_pauses SET resumed_at = GREATEST($2::bigint, paused_at), resumed_by = $3
         WHERE resumed_at IS NULL AND (task_sid = $1 OR recording_sid IN (SELECT sid FROM recordings WHERE task_sid = $1))`,
        [taskSid, at, by],
      );
      await q.query(CLOSE_PAUSE, [at, by, 'call-ended', taskSid]);
      await q.query('DELETE FROM deferred_legs WHERE task_sid = $1', [taskSid]);
    });
  }

  claimDeadlines(now: number, claimant: string, leaseMs: number): Promise<DeadlineClaim[]> {
    const until = now + leaseMs;
    return this.tx(async (q) => {
      // Rows another claimant is locking right now are skipped, and a row it claimed and committed
      // is re-checked against the lease: each due pause goes to exactly one claimant.
      const r = await q.query(
        `WITH due AS (
           SELECT id FROM pauses
           WHERE closed_at IS NULL
             AND (claimed_until IS NULL OR claimed_until <= $1::bigint)
             AND ((NOT reminder_fired AND reminder_at IS NOT NULL AND reminder_at <= $1::bigint)
               OR (auto_resume_at IS NOT NULL AND GREATEST(auto_resume_at, COALESCE(last_auto_resume_at + $2::bigint, 0)) <= $1::bigint))
           ORDER BY id
           FOR UPDATE SKIP LOCKED)
         UPDATE pauses p SET claimed_by = $3, claimed_until = $4::bigint FROM due WHERE p.id = due.id RETURNING p.*`,
        [now, AUTO_RESUME_RETRY_MS, claimant, until],
      );
      return (r.rows as PauseRow[])
        .map(toPause)
        .sort((a, b) => a.id - b.id)
        .map((pause) => ({ pause, until }));
    });
  }

  async release(pauseId: number, claimant: string): Promise<void> {
    await this.tx((q) => q.query('UPDATE pauses SET claimed_by = NULL, claimed_until = NULL WHERE id = $1 AND claimed_by = $2', [pauseId, claimant]));
  }

  isUnavailable(e: unknown): e is Error {
    return isPostgresUnavailable(e);
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
