/**
 * The audit trail: one event per attempted action, append-only.
 * `pause`/`resume` come from a person (agent or supervisor) or a seed route; `auto-resume` and
 * `reminder` from the pause policy; the task actions from the local contact center.
 */
export const AUDIT_ACTIONS = [
  'pause',
  'resume',
  'auto-resume',
  'reminder',
  'recording-start',
  'task-accept',
  'task-reject',
  'task-hold',
  'task-transfer',
  'task-hangup',
  'task-complete',
  /** A recording's status changed at the provider without this server asking (seen by a status callback or the reconcile). */
  'external-change',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/**
 * `ok`: everything asked for happened; `partial`: some recordings did not follow; `failed`: none did.
 * `pending`: written before the provider was asked and not completed yet (in flight, or the
 * completion could not be stored); `unknown`: the provider's answer was lost and what it did could
 * not be read back.
 */
export const AUDIT_OUTCOMES = ['ok', 'partial', 'failed', 'pending', 'unknown'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export const ACTOR_ROLES = ['agent', 'supervisor', 'system', 'flex'] as const;
export type ActorRole = (typeof ACTOR_ROLES)[number];

export interface AuditEvent {
  readonly id: number;
  /** ISO 8601 UTC. */
  readonly at: string;
  readonly action: AuditAction;
  readonly outcome: AuditOutcome;
  readonly actor: string;
  readonly role: ActorRole;
  readonly taskSid: string | null;
  readonly callSid: string | null;
  readonly conferenceSid: string | null;
  readonly recordingSids: readonly string[];
  /** Why, per recording errors, pause behaviour: whatever the action needs to explain itself. */
  readonly details: Readonly<Record<string, unknown>>;
}

export type NewAuditEvent = Omit<AuditEvent, 'id' | 'at'> & { readonly at?: string };

export function isAuditAction(value: unknown): value is AuditAction {
  return typeof value === 'string' && (AUDIT_ACTIONS as readonly string[]).includes(value);
}

const CSV_COLUMNS = ['id', 'at', 'action', 'outcome', 'actor', 'role', 'taskSid', 'callSid', 'conferenceSid', 'recordingSids', 'details'] as const;

/**
 * One RFC 4180 cell. A cell a spreadsheet would read as a formula (starting with = + - @, tab or
 * CR; OWASP "CSV injection") gets a leading `'` and quotes, so it is shown as text, never run.
 */
export function csvCell(value: string): string {
  const v = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return v !== value || /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** RFC 4180 CSV of audit events, header first, recording SIDs space-separated, details as JSON. */
export function auditEventsToCsv(events: readonly AuditEvent[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const e of events) {
    const cells: string[] = [
      String(e.id),
      e.at,
      e.action,
      e.outcome,
      e.actor,
      e.role,
      e.taskSid ?? '',
      e.callSid ?? '',
      e.conferenceSid ?? '',
      e.recordingSids.join(' '),
      JSON.stringify(e.details),
    ];
    lines.push(cells.map(csvCell).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}
