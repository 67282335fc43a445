import type { AuditEvent, AuditOutcome, NewAuditEvent } from '@pause-recording/core';
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

/** What completes a pending event: the final outcome and what explains it (merged into its details). */
export type FinalOutcome = Exclude<AuditOutcome, 'pending'>;

/**
 * Append-only audit trail. There is deliberately no update or delete. An action that asks the
 * provider is written first as `pending` (`begin`) and completed once with a separate, equally
 * immutable outcome row (`complete`); reads show the event with its final outcome, so a crash or a
 * storage failure in between leaves the pending event on record.
 */
export interface AuditStore {
  append(event: NewAuditEvent): AuditEvent;
  begin(event: Omit<NewAuditEvent, 'outcome'>): AuditEvent;
  /** Completes a pending event; false when it was already completed (the first completion stands). */
  complete(eventId: number, outcome: FinalOutcome, details: Record<string, unknown>): boolean;
  /** Pending events that have no completion yet, oldest first. */
  unresolved(): AuditEvent[];
  query(q: AuditQuery): AuditEvent[];
  count(): number;
}

/** The audit trail as readers see it: the ledger is its only writer. */
export type AuditReader = Pick<AuditStore, 'query' | 'count' | 'unresolved'>;

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
  final_outcome: string | null;
  completed_at: string | null;
  completion: string | null;
}

const SELECT = `SELECT e.*, o.outcome AS final_outcome, o.at AS completed_at, o.details AS completion
  FROM audit_events e LEFT JOIN audit_outcomes o ON o.event_id = e.id`;

function toEvent(r: Row): AuditEvent {
  const completion: Record<string, unknown> =
    r.completion === null ? {} : { ...(JSON.parse(r.completion) as Record<string, unknown>), completedAt: r.completed_at };
  // Recordings the action started (unknown when it was begun) are named by its completion.
  const added = Array.isArray(completion['startedRecordingSids']) ? (completion['startedRecordingSids'] as string[]) : [];
  return {
    id: r.id,
    at: r.at,
    action: r.action as AuditEvent['action'],
    outcome: (r.final_outcome ?? r.outcome) as AuditEvent['outcome'],
    actor: r.actor,
    role: r.role as AuditEvent['role'],
    taskSid: r.task_sid,
    callSid: r.call_sid,
    conferenceSid: r.conference_sid,
    recordingSids: [...(JSON.parse(r.recording_sids) as string[]), ...added],
    details: { ...(JSON.parse(r.details) as Record<string, unknown>), ...completion },
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

  begin(e: Omit<NewAuditEvent, 'outcome'>): AuditEvent {
    return this.append({ ...e, outcome: 'pending' });
  }

  complete(eventId: number, outcome: FinalOutcome, details: Record<string, unknown>): boolean {
    if (this.db.prepare('SELECT 1 FROM audit_outcomes WHERE event_id = ?').get(eventId) !== undefined) return false;
    this.db
      .prepare('INSERT INTO audit_outcomes (event_id, at, outcome, details) VALUES (?, ?, ?, ?)')
      .run(eventId, new Date(this.now()).toISOString(), outcome, JSON.stringify(details));
    return true;
  }

  unresolved(): AuditEvent[] {
    return (this.db.prepare(`${SELECT} WHERE e.outcome = 'pending' AND o.event_id IS NULL ORDER BY e.id`).all() as Row[]).map(toEvent);
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
      where.push('e.task_sid = @taskSid');
      params['taskSid'] = q.taskSid;
    }
    if (q.actor !== undefined) {
      const own = ['e.actor = @actor'];
      params['actor'] = q.actor;
      (q.orTaskSids ?? []).forEach((sid, i) => {
        own.push(`e.task_sid = @t${i}`);
        params[`t${i}`] = sid;
      });
      where.push(`(${own.join(' OR ')})`);
    }
    if (q.from !== undefined) {
      where.push('e.at >= @from');
      params['from'] = new Date(q.from).toISOString();
    }
    if (q.to !== undefined) {
      where.push('e.at <= @to');
      params['to'] = new Date(q.to).toISOString();
    }
    params['limit'] = q.limit ?? 10_000;
    const sql = `${SELECT} ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY e.id LIMIT @limit`;
    return (this.db.prepare(sql).all(params) as Row[]).map(toEvent);
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM audit_events').get() as { n: number }).n;
  }
}
