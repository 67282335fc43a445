import type { ActorRole, PauseBehavior } from '@pause-recording/core';
import type { Db } from '../storage/database.ts';

/** One open-or-closed pause of a task. Open pauses survive restarts so their timers do too. */
export interface PauseRecord {
  readonly id: number;
  readonly taskSid: string;
  readonly pausedAt: number;
  readonly pausedBy: string;
  readonly role: ActorRole;
  readonly behavior: PauseBehavior;
  readonly reminderAt: number | null;
  readonly autoResumeAt: number | null;
  readonly reminderFired: boolean;
  readonly closedAt: number | null;
}

/** The paused span of one recording, for annotations on the recordings page. */
export interface RecordingPauseRecord {
  readonly recordingSid: string;
  readonly taskSid: string | null;
  readonly pausedAt: number;
  readonly resumedAt: number | null;
  readonly behavior: PauseBehavior;
  readonly pausedBy: string;
  readonly role: string;
  /** Why: `manual`, `seed-route`, or the reason the agent typed. */
  readonly reason: string;
  readonly resumedBy: string | null;
}

export interface PauseStore {
  open(taskSid: string): PauseRecord | null;
  allOpen(): PauseRecord[];
  start(p: Omit<PauseRecord, 'id' | 'reminderFired' | 'closedAt'>): PauseRecord;
  markReminded(id: number): void;
  close(id: number, at: number, by: string, reason: string): void;
  startRecordingSpan(s: Omit<RecordingPauseRecord, 'resumedAt' | 'resumedBy'>): void;
  endRecordingSpan(recordingSid: string, at: number, by: string): void;
  /** True when the recording has an open paused span. */
  hasOpenSpan(recordingSid: string): boolean;
  spans(recordingSid: string): RecordingPauseRecord[];
}

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
}

function toPause(r: PauseRow): PauseRecord {
  return {
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
  };
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

export class SqlitePauseStore implements PauseStore {
  constructor(private readonly db: Db) {}

  open(taskSid: string): PauseRecord | null {
    const r = this.db
      .prepare('SELECT * FROM pauses WHERE task_sid = ? AND closed_at IS NULL ORDER BY id DESC LIMIT 1')
      .get(taskSid) as PauseRow | undefined;
    return r === undefined ? null : toPause(r);
  }

  allOpen(): PauseRecord[] {
    return (this.db.prepare('SELECT * FROM pauses WHERE closed_at IS NULL ORDER BY id').all() as PauseRow[]).map(toPause);
  }

  start(p: Omit<PauseRecord, 'id' | 'reminderFired' | 'closedAt'>): PauseRecord {
    const info = this.db
      .prepare(
        `INSERT INTO pauses (task_sid, paused_at, paused_by, role, behavior, reminder_at, auto_resume_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(p.taskSid, p.pausedAt, p.pausedBy, p.role, p.behavior, p.reminderAt, p.autoResumeAt);
    return { ...p, id: Number(info.lastInsertRowid), reminderFired: false, closedAt: null };
  }

  markReminded(id: number): void {
    this.db.prepare('UPDATE pauses SET reminder_fired = 1 WHERE id = ?').run(id);
  }

  close(id: number, at: number, by: string, reason: string): void {
    this.db
      .prepare('UPDATE pauses SET closed_at = ?, closed_by = ?, close_reason = ? WHERE id = ? AND closed_at IS NULL')
      .run(at, by, reason, id);
  }

  startRecordingSpan(s: Omit<RecordingPauseRecord, 'resumedAt' | 'resumedBy'>): void {
    this.db
      .prepare(
        `INSERT INTO recording_pauses (recording_sid, task_sid, paused_at, behavior, paused_by, role, reason)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(s.recordingSid, s.taskSid, s.pausedAt, s.behavior, s.pausedBy, s.role, s.reason);
  }

  endRecordingSpan(recordingSid: string, at: number, by: string): void {
    this.db
      .prepare('UPDATE recording_pauses SET resumed_at = ?, resumed_by = ? WHERE recording_sid = ? AND resumed_at IS NULL')
      .run(at, by, recordingSid);
  }

  hasOpenSpan(recordingSid: string): boolean {
    return (
      this.db.prepare('SELECT 1 FROM recording_pauses WHERE recording_sid = ? AND resumed_at IS NULL').get(recordingSid) !==
      undefined
    );
  }

  spans(recordingSid: string): RecordingPauseRecord[] {
    const rows = this.db
      .prepare('SELECT * FROM recording_pauses WHERE recording_sid = ? ORDER BY paused_at, id')
      .all(recordingSid) as SpanRow[];
    return rows.map((r) => ({
      recordingSid: r.recording_sid,
      taskSid: r.task_sid,
      pausedAt: r.paused_at,
      resumedAt: r.resumed_at,
      behavior: r.behavior as PauseBehavior,
      pausedBy: r.paused_by,
      role: r.role,
      reason: r.reason,
      resumedBy: r.resumed_by,
    }));
  }
}
