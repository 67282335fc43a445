import type { RecordingStatus } from '@pause-recording/core';
import type { Db } from '../storage/database.ts';

/** What the server has seen of a recording (from listing it or from its status callbacks). */
export interface KnownRecording {
  readonly sid: string;
  readonly taskSid: string | null;
  readonly callSid: string | null;
  readonly conferenceSid: string | null;
  readonly source: string;
  readonly channels: number;
  readonly status: RecordingStatus;
  readonly startTime: string | null;
  readonly duration: string | null;
  /** Epoch ms when the server first saw it (the reference for pause offsets). */
  readonly firstSeenAt: number;
}

export interface RecordingStore {
  /**
   * Adds a recording or refreshes its status and duration. Which task, call and conference it
   * belongs to is set once, by whoever saw it first, and never changed afterwards: a callback
   * cannot hand a recording (and so its download) to another task.
   */
  upsert(r: Omit<KnownRecording, 'firstSeenAt'> & { firstSeenAt?: number }): void;
  get(sid: string): KnownRecording | null;
  list(filter?: { taskSids?: readonly string[] }): KnownRecording[];
}

interface Row {
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

function toKnown(r: Row): KnownRecording {
  return {
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
  };
}

export class SqliteRecordingStore implements RecordingStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  upsert(r: Omit<KnownRecording, 'firstSeenAt'> & { firstSeenAt?: number }): void {
    this.db
      .prepare(
        `INSERT INTO recordings (sid, task_sid, call_sid, conference_sid, source, channels, status, start_time, duration, first_seen_at)
         VALUES (@sid, @taskSid, @callSid, @conferenceSid, @source, @channels, @status, @startTime, @duration, @firstSeenAt)
         ON CONFLICT(sid) DO UPDATE SET
           task_sid = COALESCE(recordings.task_sid, excluded.task_sid),
           call_sid = COALESCE(recordings.call_sid, excluded.call_sid),
           conference_sid = COALESCE(recordings.conference_sid, excluded.conference_sid),
           status = excluded.status,
           start_time = COALESCE(excluded.start_time, recordings.start_time),
           duration = COALESCE(excluded.duration, recordings.duration)`,
      )
      .run({ ...r, firstSeenAt: r.firstSeenAt ?? this.now() });
  }

  get(sid: string): KnownRecording | null {
    const r = this.db.prepare('SELECT * FROM recordings WHERE sid = ?').get(sid) as Row | undefined;
    return r === undefined ? null : toKnown(r);
  }

  list(filter: { taskSids?: readonly string[] } = {}): KnownRecording[] {
    if (filter.taskSids !== undefined) {
      if (filter.taskSids.length === 0) return [];
      const q = filter.taskSids.map(() => '?').join(',');
      return (
        this.db.prepare(`SELECT * FROM recordings WHERE task_sid IN (${q}) ORDER BY first_seen_at, sid`).all(...filter.taskSids) as Row[]
      ).map(toKnown);
    }
    return (this.db.prepare('SELECT * FROM recordings ORDER BY first_seen_at, sid').all() as Row[]).map(toKnown);
  }
}
