import {
  AUTO_RESUME_RETRY_MS,
  type ActorRole,
  type AuditEntry,
  type AuditEvent,
  type DeferredLeg,
  type NewAuditEvent,
  type PauseBehavior,
  type RecordingStatus,
} from '@pause-recording/core';
import type Database from 'better-sqlite3';
import { AUDIT_SELECT, auditQuerySql, toAuditEvent, type AuditRow } from '../audit/audit-rows.ts';
import { isStorageError, type Db } from '../storage/database.ts';
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

export { ownerOf } from './ledger-view.ts';

interface PauseRow {
  id: number;
  task_sid: string;
  paused_at: number;
  paused_by: string;
  role: string;
  behavior: string;
  reminder_at: number | null;
  auto_resume_at: number | null;
  reminder_fired: number;
  closed_at: number | null;
  last_auto_resume_at: number | null;
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
  first_seen_at: number;
}

interface SpanRow {
  recording_sid: string;
  task_sid: string | null;
  paused_at: number;
  resumed_at: number | null;
  behavior: string;
  paused_by: string;
  role: string;
  reason: string;
  resumed_by: string | null;
}

const toPause = (r: PauseRow): PauseRecord => ({
  id: r.id,
  taskSid: r.task_sid,
  pausedAt: r.paused_at,
  pausedBy: r.paused_by,
  role: r.role as ActorRole,
  behavior: r.behavior as PauseBehavior,
  reminderAt: r.reminder_at,
  autoResumeAt: r.auto_resume_at,
  reminderFired: r.reminder_fired === 1,
  closedAt: r.closed_at,
  lastAutoResumeAttemptAt: r.last_auto_resume_at,
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
  firstSeenAt: r.first_seen_at,
});

const toSpan = (r: SpanRow): RecordingPauseRecord => ({
  recordingSid: r.recording_sid,
  taskSid: r.task_sid,
  pausedAt: r.paused_at,
  resumedAt: r.resumed_at,
  behavior: r.behavior as PauseBehavior,
  pausedBy: r.paused_by,
  role: r.role,
  reason: r.reason,
  resumedBy: r.resumed_by,
});

/**
 * The ledger on the server's SQLite file (better-sqlite3). Statements are prepared once; every
 * write is one transaction; reads never write. The methods are async to match the interface (a
 * PostgreSQL ledger is remote), though SQLite answers synchronously underneath.
 */
export class SqliteLedger implements PauseLedger {
  private readonly s: Record<string, Database.Statement>;
  private readonly settleTx: (w: LedgerWrite) => LedgerReceipt;
  private readonly endTaskTx: (taskSid: string, at: number, by: string) => void;
  private readonly claimTx: Database.Transaction<(now: number, claimant: string, leaseMs: number) => DeadlineClaim[]>;

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {
    const p = (sql: string): Database.Statement => db.prepare(sql);
    this.s = {
      recordingsOfTask: p('SELECT * FROM recordings WHERE task_sid = ? ORDER BY first_seen_at, sid'),
      recording: p('SELECT * FROM recordings WHERE sid = ?'),
      allRecordings: p('SELECT * FROM recordings ORDER BY first_seen_at, sid'),
      upsertRecording: p(`INSERT INTO recordings (sid, task_sid, call_sid, conference_sid, source, channels, status, start_time, duration, first_seen_at)
         VALUES (@sid, @taskSid, @callSid, @conferenceSid, @source, @channels, @status, @startTime, @duration, @firstSeenAt)
         ON CONFLICT(sid) DO UPDATE SET
           task_sid = COALESCE(recordings.task_sid, excluded.task_sid),
           call_sid = COALESCE(recordings.call_sid, excluded.call_sid),
           conference_sid = COALESCE(recordings.conference_sid, excluded.conference_sid),
           status = excluded.status,
           start_time = COALESCE(excluded.start_time, recordings.start_time),
           duration = COALESCE(excluded.duration, recordings.duration)`),
      spans: p('SELECT * FROM recording_pauses WHERE recording_sid = ? ORDER BY paused_at, id'),
      // Two index seeks (the open-span partial indexes), not a scan of every span ever written (an OR
      // across the two would be one); CROSS JOIN keeps the task's recordings as the outer loop.
      openSpansOfTask: p(`SELECT recording_sid, paused_at FROM recording_pauses WHERE resumed_at IS NULL AND task_sid = @taskSid
         UNION SELECT s.recording_sid, s.paused_at FROM recordings r CROSS JOIN recording_pauses s
           ON s.recording_sid = r.sid AND s.resumed_at IS NULL WHERE r.task_sid = @taskSid`),
      hasOpenSpan: p('SELECT 1 FROM recording_pauses WHERE recording_sid = ? AND resumed_at IS NULL'),
      openSpan: p(`INSERT INTO recording_pauses (recording_sid, task_sid, paused_at, behavior, paused_by, role, reason)
         VALUES (@recordingSid, @taskSid, @pausedAt, @behavior, @pausedBy, @role, @reason)`),
      closeSpan: p('UPDATE recording_pauses SET resumed_at = MAX(?, paused_at), resumed_by = ? WHERE recording_sid = ? AND resumed_at IS NULL'),
      openPause: p('SELECT * FROM pauses WHERE task_sid = ? AND closed_at IS NULL ORDER BY id DESC LIMIT 1'),
      openPauses: p('SELECT * FROM pauses WHERE closed_at IS NULL ORDER BY id'),
      startPause: p(`INSERT INTO pauses (task_sid, paused_at, paused_by, role, behavior, reminder_at, auto_resume_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`),
      closePause: p(
        'UPDATE pauses SET closed_at = ?, closed_by = ?, close_reason = ?, claimed_by = NULL, claimed_until = NULL WHERE task_sid = ? AND closed_at IS NULL',
      ),
      reminded: p('UPDATE pauses SET reminder_fired = 1 WHERE id = ?'),
      autoResumeAttempt: p('UPDATE pauses SET last_auto_resume_at = ? WHERE id = ? AND closed_at IS NULL'),
      deferredOf: p('SELECT call_sid, channels, ready FROM deferred_legs WHERE task_sid = ? ORDER BY rowid'),
      defer: p(
        'INSERT INTO deferred_legs (task_sid, call_sid, channels, ready) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET channels = excluded.channels, ready = excluded.ready',
      ),
      undefer: p('DELETE FROM deferred_legs WHERE task_sid = ? AND call_sid = ?'),
      undeferAll: p('DELETE FROM deferred_legs WHERE task_sid = ?'),
      insertAudit: p(`INSERT INTO audit_events (at, action, outcome, actor, role, task_sid, call_sid, conference_sid, recording_sids, details)
         VALUES (@at, @action, @outcome, @actor, @role, @taskSid, @callSid, @conferenceSid, @recordingSids, @details)`),
      completed: p('SELECT 1 FROM audit_outcomes WHERE event_id = ?'),
      complete: p('INSERT INTO audit_outcomes (event_id, at, outcome, details) VALUES (?, ?, ?, ?)'),
      unresolved: p(`${AUDIT_SELECT} WHERE e.outcome = 'pending' AND o.event_id IS NULL ORDER BY e.id`),
      due: p(`SELECT * FROM pauses WHERE closed_at IS NULL
         AND (claimed_until IS NULL OR claimed_until <= @now)
         AND ((reminder_fired = 0 AND reminder_at IS NOT NULL AND reminder_at <= @now)
           OR (auto_resume_at IS NOT NULL AND MAX(auto_resume_at, COALESCE(last_auto_resume_at + @retry, 0)) <= @now))
         ORDER BY id`),
      claim: p('UPDATE pauses SET claimed_by = ?, claimed_until = ? WHERE id = ?'),
      release: p('UPDATE pauses SET claimed_by = NULL, claimed_until = NULL WHERE id = ? AND claimed_by = ?'),
      ping: p('SELECT count(*) AS n FROM pauses WHERE closed_at IS NULL'),
    };
    this.settleTx = db.transaction((w: LedgerWrite) => this.applyWrite(w));
    this.endTaskTx = db.transaction((taskSid: string, at: number, by: string) => {
      for (const r of this.stmt('openSpansOfTask').all({ taskSid }) as { recording_sid: string }[]) this.stmt('closeSpan').run(at, by, r.recording_sid);
      this.stmt('closePause').run(at, by, 'call-ended', taskSid);
      this.stmt('undeferAll').run(taskSid);
    });
    this.claimTx = db.transaction((now: number, claimant: string, leaseMs: number) => {
      const rows = this.stmt('due').all({ now, retry: AUTO_RESUME_RETRY_MS }) as PauseRow[];
      return rows.map((r) => {
        this.stmt('claim').run(claimant, now + leaseMs, r.id);
        return { pause: toPause(r), until: now + leaseMs };
      });
    });
  }

  private stmt(name: string): Database.Statement {
    const st = this.s[name];
    if (st === undefined) throw new Error(`no statement ${name}`);
    return st;
  }

  private openPauseSync(taskSid: string): PauseRecord | null {
    const r = this.stmt('openPause').get(taskSid) as PauseRow | undefined;
    return r === undefined ? null : toPause(r);
  }

  private deferredSync(taskSid: string): DeferredLeg[] {
    return (this.stmt('deferredOf').all(taskSid) as { call_sid: string; channels: number; ready: number }[]).map((r) => ({
      callSid: r.call_sid,
      channels: r.channels === 1 ? 1 : 2,
      ready: r.ready === 1,
    }));
  }

  private appendSync(e: NewAuditEvent): AuditEvent {
    const at = e.at ?? new Date(this.now()).toISOString();
    const info = this.stmt('insertAudit').run({
      at,
      action: e.action,
      outcome: e.outcome,
      actor: e.actor,
      role: e.role,
      taskSid: e.taskSid,
      callSid: e.callSid,
      conferenceSid: e.conferenceSid,
      recordingSids: JSON.stringify(e.recordingSids),
      details: JSON.stringify(e.details),
    });
    return { ...e, at, id: Number(info.lastInsertRowid) };
  }

  private applyWrite(w: LedgerWrite): LedgerReceipt {
    const firstSeenAt = w.firstSeenAt ?? this.now();
    for (const r of w.remember ?? []) {
      this.stmt('upsertRecording').run({
        sid: r.sid,
        taskSid: w.taskSid,
        callSid: r.callSid,
        conferenceSid: r.conferenceSid,
        source: r.source,
        channels: r.channels,
        status: r.status,
        startTime: r.startTime ?? null,
        duration: r.duration ?? null,
        firstSeenAt,
      });
    }
    for (const c of w.spans?.close ?? []) this.stmt('closeSpan').run(c.resumedAt, c.resumedBy, c.recordingSid);
    for (const o of w.spans?.open ?? []) {
      // A recording never has two open spans.
      if (this.stmt('hasOpenSpan').get(o.recordingSid) === undefined) this.stmt('openSpan').run({ ...o, taskSid: w.taskSid === null ? null : o.taskSid });
    }
    let opened: PauseRecord | null = null;
    if (w.taskSid !== null && w.pause !== undefined) {
      if (w.pause.kind === 'open' && this.openPauseSync(w.taskSid) === null) {
        const p = w.pause.pause;
        const info = this.stmt('startPause').run(w.taskSid, p.pausedAt, p.pausedBy, p.role, p.behavior, p.reminderAt, p.autoResumeAt);
        opened = { ...p, id: Number(info.lastInsertRowid), taskSid: w.taskSid, reminderFired: false, closedAt: null, lastAutoResumeAttemptAt: null };
      } else if (w.pause.kind === 'close') {
        this.stmt('closePause').run(w.pause.at, w.pause.by, w.pause.reason, w.taskSid);
      }
    }
    if (w.taskSid !== null) {
      // Undefer first: a write may replace a deferred leg (a second transfer while paused).
      for (const callSid of w.undefer ?? []) this.stmt('undefer').run(w.taskSid, callSid);
      for (const d of w.defer ?? []) this.stmt('defer').run(w.taskSid, d.callSid, d.channels, d.ready ? 1 : 0);
    }
    if (w.reminded !== undefined) this.stmt('reminded').run(w.reminded);
    if (w.autoResumeAttempt !== undefined) this.stmt('autoResumeAttempt').run(w.autoResumeAttempt.at, w.autoResumeAttempt.pauseId);
    const c = w.complete;
    // The first completion stands: a retried settle does not complete twice.
    if (c != null && this.stmt('completed').get(c.eventId) === undefined) {
      this.stmt('complete').run(c.eventId, new Date(this.now()).toISOString(), c.outcome, JSON.stringify(c.details));
    }
    const appended = (w.append ?? []).map((e) => this.appendSync(e).id);
    return { opened, appended };
  }

  view(task: TaskRef): Promise<LedgerView> {
    const known = (this.stmt('recordingsOfTask').all(task.sid) as RecordingRow[]).map(toKnown);
    const openSpans = (this.stmt('openSpansOfTask').all({ taskSid: task.sid }) as { recording_sid: string; paused_at: number }[]).map((r) => ({
      recordingSid: r.recording_sid,
      pausedAt: r.paused_at,
    }));
    return Promise.resolve(ledgerView(task, known, this.deferredSync(task.sid), openSpans, this.openPauseSync(task.sid)));
  }

  recording(sid: string): Promise<KnownRecording | null> {
    const r = this.stmt('recording').get(sid) as RecordingRow | undefined;
    return Promise.resolve(r === undefined ? null : toKnown(r));
  }

  recordings(filter: { readonly taskSids?: readonly string[] } = {}): Promise<KnownRecording[]> {
    if (filter.taskSids === undefined) return Promise.resolve((this.stmt('allRecordings').all() as RecordingRow[]).map(toKnown));
    const rows = filter.taskSids.flatMap((sid) => this.stmt('recordingsOfTask').all(sid) as RecordingRow[]);
    rows.sort((a, b) => a.first_seen_at - b.first_seen_at || (a.sid < b.sid ? -1 : a.sid > b.sid ? 1 : 0));
    return Promise.resolve(rows.map(toKnown));
  }

  spans(recordingSid: string): Promise<RecordingPauseRecord[]> {
    return Promise.resolve((this.stmt('spans').all(recordingSid) as SpanRow[]).map(toSpan));
  }

  openPause(taskSid: string): Promise<PauseRecord | null> {
    return Promise.resolve(this.openPauseSync(taskSid));
  }

  openPauses(): Promise<PauseRecord[]> {
    return Promise.resolve((this.stmt('openPauses').all() as PauseRow[]).map(toPause));
  }

  deferredLegs(taskSid: string): Promise<DeferredLeg[]> {
    return Promise.resolve(this.deferredSync(taskSid));
  }

  audit(q: AuditQuery): Promise<AuditEvent[]> {
    const { sql, params } = auditQuerySql(q);
    return Promise.resolve((this.db.prepare(sql).all(params) as AuditRow[]).map(toAuditEvent));
  }

  unresolvedAudit(): Promise<AuditEvent[]> {
    return Promise.resolve((this.stmt('unresolved').all() as AuditRow[]).map(toAuditEvent));
  }

  // Writes: errors become rejections (async), never synchronous throws.
  private async write<T>(fn: () => T): Promise<T> {
    await Promise.resolve();
    return fn();
  }

  begin(entry: AuditEntry | Omit<NewAuditEvent, 'outcome'>): Promise<AuditEvent> {
    return this.write(() => this.appendSync({ ...entry, outcome: 'pending' }));
  }

  append(event: NewAuditEvent): Promise<AuditEvent> {
    return this.write(() => this.appendSync(event));
  }

  settle(write: LedgerWrite): Promise<LedgerReceipt> {
    return this.write(() => this.settleTx(write));
  }

  endTask(taskSid: string, at: number, by: string): Promise<void> {
    return this.write(() => this.endTaskTx(taskSid, at, by));
  }

  claimDeadlines(now: number, claimant: string, leaseMs: number): Promise<DeadlineClaim[]> {
    // IMMEDIATE: another process on the same file waits for the claim instead of reading the same due rows.
    return this.write(() => this.claimTx.immediate(now, claimant, leaseMs));
  }

  release(pauseId: number, claimant: string): Promise<void> {
    return this.write(() => {
      this.stmt('release').run(pauseId, claimant);
    });
  }

  isUnavailable(e: unknown): e is Error {
    return isStorageError(e);
  }

  /**
   * Reads the pauses table and takes the write lock for an instant (then rolls back, writing
   * nothing): a pause's first act is a write (its pending audit), so a database that is closed,
   * unreadable, or whose write lock another connection holds past the busy timeout is not ready.
   */
  ping(): Promise<void> {
    return this.write(() => {
      this.stmt('ping').get();
      this.db.exec('BEGIN IMMEDIATE');
      this.db.exec('ROLLBACK');
    });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
