import type { AuditEvent } from '@pause-recording/core';

/** An audit event's row joined with its completion (audit_outcomes), as both readers select it. */
export interface AuditRow {
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

/** The filters an audit read takes (the audit store's and the ledger's queries alike). */
export interface AuditFilter {
  readonly taskSid?: string;
  readonly actor?: string;
  readonly orTaskSids?: readonly string[];
  readonly from?: string;
  readonly to?: string;
  readonly limit?: number;
}

export const AUDIT_SELECT = `SELECT e.*, o.outcome AS final_outcome, o.at AS completed_at, o.details AS completion
  FROM audit_events e LEFT JOIN audit_outcomes o ON o.event_id = e.id`;

/** Reads merge the completion into the event: one attempt stays one event with its id and time. */
export function toAuditEvent(r: AuditRow): AuditEvent {
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

/** The SQL and named parameters of a filtered audit read, oldest first. */
export function auditQuerySql(q: AuditFilter): { sql: string; params: Record<string, string | number> } {
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
  return { sql: `${AUDIT_SELECT} ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY e.id LIMIT @limit`, params };
}
