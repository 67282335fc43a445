import type { AuditEvent, NewAuditEvent } from '@pause-recording/core';
import type { Db } from '../storage/database.ts';

export interface AuditQuery {
  readonly taskSid?: string;
  /** Only events of this actor (agents see their own). */
  readonly actor?: string;
  /** Only events of these tasks (agents also see events on tasks they hold). */
  readonly orTaskSids?: readonly string[];
  /** ISO 8601 bounds, inclusive. */
  readonly from?: string;
  readonly to?: string;
  readonly limit?: number;
}

/** Append-only audit trail. There is deliberately no update or delete. */
export interface AuditStore {
  append(event: NewAuditEvent): AuditEvent;
  query(q: AuditQuery): AuditEvent[];
  count(): number;
}

interface Row {
  id: number;
  at: string;
  action: string;
  outcome: string;
  actor: string;
  role: string;
  task_sid: string | null;
  call_sid: string | null;
  conference_sid: string | null;
  recording_sids: string;
  details: string;
}

function toEvent(r: Row): AuditEvent {
  return {
    id: r.id,
    at: r.at,
    action: r.action as AuditEvent['action'],
    outcome: r.outcome as AuditEvent['outcome'],
    actor: r.actor,
    role: r.role as AuditEvent['role'],
    taskSid: r.task_sid,
    callSid: r.call_sid,
    conferenceSid: r.conference_sid,
    recordingSids: JSON.parse(r.recording_sids) as string[],
    details: JSON.parse(r.details) as Record<string, unknown>,
  };
}

export class SqliteAuditStore implements AuditStore {
  private readonly insert;
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {
    this.insert = db.prepare(
      `INSERT INTO audit_events (at, action, outcome, actor, role, task_sid, call_sid, conference_sid, recording_sids, details)
       VALUES (@at, @action, @outcome, @actor, @role, @taskSid, @callSid, @conferenceSid, @recordingSids, @details)`,
    );
  }

  append(e: NewAuditEvent): AuditEvent {
    const at = e.at ?? new Date(this.now()).toISOString();
    const info = this.insert.run({
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

  query(q: AuditQuery): AuditEvent[] {
    const where: string[] = [];
    const params: Record<string, string | number> = {};
    if (q.taskSid !== undefined) {
      where.push('task_sid = @taskSid');
      params['taskSid'] = q.taskSid;
    }
    if (q.actor !== undefined) {
      const own = ['actor = @actor'];
      params['actor'] = q.actor;
      (q.orTaskSids ?? []).forEach((sid, i) => {
        own.push(`task_sid = @t${i}`);
        params[`t${i}`] = sid;
      });
      where.push(`(${own.join(' OR ')})`);
    }
    if (q.from !== undefined) {
      where.push('at >= @from');
      params['from'] = new Date(q.from).toISOString();
    }
    if (q.to !== undefined) {
      where.push('at <= @to');
      params['to'] = new Date(q.to).toISOString();
    }
    params['limit'] = q.limit ?? 10_000;
    const sql = `SELECT * FROM audit_events ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id LIMIT @limit`;
    return (this.db.prepare(sql).all(params) as Row[]).map(toEvent);
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM audit_events').get() as { n: number }).n;
  }
}
