import type { AuditEvent, AuditOutcome, NewAuditEvent } from '@pause-recording/core';
import type { Db } from '../storage/database.ts';
import { AUDIT_SELECT, auditQuerySql, toAuditEvent, type AuditRow } from './audit-rows.ts';

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
    return (this.db.prepare(`${AUDIT_SELECT} WHERE e.outcome = 'pending' AND o.event_id IS NULL ORDER BY e.id`).all() as AuditRow[]).map(toAuditEvent);
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
    const { sql, params } = auditQuerySql(q);
    return (this.db.prepare(sql).all(params) as AuditRow[]).map(toAuditEvent);
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM audit_events').get() as { n: number }).n;
  }
}
