import { aggregateRecordingStatus, type TaskRecordingStatus } from '../aggregate-status.ts';
import type { PauseBehavior } from '../pause-behavior.ts';
import { pauseSchedule, type PausePolicy } from '../pause-policy.ts';
import { isActive } from '../recording-status.ts';
import type { Actor, AuditEntry, OpenPause, TaskLedger, TrackedRecording } from './model.ts';
import type { SpanClose, SpanOpen } from './settle.ts';

/** Who a change nobody here asked for is attributed to. */
export const EXTERNAL_ACTOR: Actor = { identity: 'external', role: 'system' };

export interface ExternalInput {
  readonly ledger: TaskLedger;
  /** What the provider reports: one recording (a status callback) or the task's listing (the reconcile). */
  readonly observed: readonly TrackedRecording[];
  readonly seenBy: 'reconcile' | 'status-callback';
  readonly now: number;
  /** The behaviour a pause made elsewhere is recorded with (the provider does not report it). */
  readonly behavior: PauseBehavior;
  readonly policy: PausePolicy;
}

export interface ExternalDecision {
  /** Recordings capturing although their span says paused. */
  readonly resumed: readonly string[];
  /** Recordings paused although no span says so. */
  readonly paused: readonly string[];
  readonly spans: { readonly open: readonly SpanOpen[]; readonly close: readonly SpanClose[] };
  /** `contradicted`: the open pause stays (its auto-resume still runs) but the alarm says the truth. */
  readonly pause: { readonly kind: 'none' } | { readonly kind: 'open'; readonly pause: OpenPause } | { readonly kind: 'contradicted' };
  /** An `external-change` event to append (outcome `ok`: it is an observation), or null when nothing differed. */
  readonly audit: AuditEntry | null;
  readonly status: TaskRecordingStatus;
  /** Raised when something captures while the task counts as paused. */
  readonly alarm: { readonly capturing: readonly string[] } | null;
  readonly remember: readonly TrackedRecording[];
}

/**
 * A recording status the ledger did not cause (a status callback, or the reconcile's listing).
 * A recording that ended closes its span quietly; a pause or resume made elsewhere is audited as
 * `external-change`, and a resume made elsewhere while the task is paused raises the alarm.
 */
export function decideExternalChange(input: ExternalInput): ExternalDecision {
  const { ledger, observed, now } = input;
  const open = new Map(ledger.openSpans.map((s) => [s.recordingSid, s]));
  const resumed = observed.filter((r) => r.status === 'in-progress' && open.has(r.sid)).map((r) => r.sid);
  const paused = observed.filter((r) => r.status === 'paused' && !open.has(r.sid)).map((r) => r.sid);
  const ended = observed.filter((r) => !isActive(r.status) && open.has(r.sid)).map((r) => r.sid);
  const at = (sid: string): number => Math.max(now, open.get(sid)?.pausedAt ?? now);
  const close: SpanClose[] = [
    ...resumed.map((sid) => ({ recordingSid: sid, resumedAt: at(sid), resumedBy: EXTERNAL_ACTOR.identity })),
    ...ended.map((sid) => ({ recordingSid: sid, resumedAt: at(sid), resumedBy: 'recording-ended' })),
  ];
  const spanOpen: SpanOpen[] = paused.map((sid) => ({
    recordingSid: sid,
    taskSid: ledger.taskSid,
    pausedAt: now,
    behavior: input.behavior,
    pausedBy: EXTERNAL_ACTOR.identity,
    role: EXTERNAL_ACTOR.role,
    reason: 'external-change',
  }));
  const bySid = new Map(ledger.known.map((r) => [r.sid, r]));
  for (const r of observed) bySid.set(r.sid, r);
  const all = [...bySid.values()];
  const status = aggregateRecordingStatus([...all.map((r) => r.status), ...ledger.deferred.map(() => 'paused' as const)]);
  let pause: ExternalDecision['pause'] = { kind: 'none' };
  if (paused.length > 0 && ledger.pause === null) {
    pause = {
      kind: 'open',
      pause: {
        pausedAt: now,
        pausedBy: EXTERNAL_ACTOR.identity,
        role: EXTERNAL_ACTOR.role,
        behavior: input.behavior,
        reminderFired: false,
        ...pauseSchedule(now, input.policy),
      },
    };
  } else if (resumed.length > 0 && ledger.pause !== null) {
    pause = { kind: 'contradicted' };
  }
  const differs = resumed.length > 0 || paused.length > 0;
  const audit: AuditEntry | null = differs
    ? {
        action: 'external-change',
        actor: EXTERNAL_ACTOR.identity,
        role: EXTERNAL_ACTOR.role,
        taskSid: ledger.taskSid,
        callSid: ledger.callSid,
        conferenceSid: ledger.conferenceSid,
        recordingSids: [...resumed, ...paused],
        details: { seenBy: input.seenBy, resumed, paused, providerStatus: status },
      }
    : null;
  const capturing = all.filter((r) => r.status === 'in-progress').map((r) => r.sid);
  const alarm = status === 'partially-paused' || (resumed.length > 0 && (ledger.pause !== null || status !== 'recording')) ? { capturing } : null;
  return { resumed, paused, spans: { open: spanOpen, close }, pause, audit, status, alarm, remember: observed };
}
