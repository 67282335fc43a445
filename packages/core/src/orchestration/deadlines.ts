import type { TaskRecordingStatus } from '../aggregate-status.ts';
import type { Actor, AuditEntry, OpenPause, TaskLedger } from './model.ts';

/** How soon an auto-resume that left something paused is tried again. */
export const AUTO_RESUME_RETRY_MS = 2000;

export const SYSTEM_ACTOR: Actor = { identity: 'system', role: 'system' };
/** The reason an auto-resume is audited with: the policy that caused it. */
export const AUTO_RESUME_REASON = 'max_pause_seconds';

export interface DeadlineInput {
  readonly pause: OpenPause;
  readonly now: number;
  /** The task's status now: a reminder is only worth sending while something is paused. */
  readonly status: TaskRecordingStatus;
  /** When the last auto-resume of this pause was tried (it left the pause open), or null. */
  readonly lastAutoResumeAttemptAt: number | null;
}

export interface DeadlineDecision {
  readonly remind: boolean;
  /** Mark the reminder as done without sending it (nothing is paused any more). */
  readonly dropReminder: boolean;
  /** Run `planChange({ action: 'auto-resume', actor: SYSTEM_ACTOR, reason: AUTO_RESUME_REASON, ... })`. */
  readonly autoResume: boolean;
  /** When to look again (epoch ms), or null when nothing more is due for this pause. */
  readonly nextAt: number | null;
}

/**
 * What is due for an open pause at `now`: the reminder after `reminder_seconds` (dropped when the
 * auto-resume is due too: the resume says more), the auto-resume after `max_pause_seconds`, and
 * after an auto-resume that left the pause open, a retry every AUTO_RESUME_RETRY_MS until it sticks.
 */
export function dueDeadlines(input: DeadlineInput): DeadlineDecision {
  const { pause, now, lastAutoResumeAttemptAt: last } = input;
  const resumeAt = pause.autoResumeAt === null ? null : last === null ? pause.autoResumeAt : Math.max(pause.autoResumeAt, last + AUTO_RESUME_RETRY_MS);
  const autoResume = resumeAt !== null && now >= resumeAt;
  const reminderDue = !pause.reminderFired && pause.reminderAt !== null && now >= pause.reminderAt && !autoResume;
  const pausedNow = input.status === 'paused' || input.status === 'partially-paused';
  const remind = reminderDue && pausedNow;
  const dropReminder = reminderDue && !pausedNow;
  const pending: number[] = [];
  if (!pause.reminderFired && pause.reminderAt !== null && now < pause.reminderAt && (resumeAt === null || pause.reminderAt < resumeAt)) {
    pending.push(pause.reminderAt);
  }
  // After an attempt the caller reports it back; until then the retry is the next look.
  if (resumeAt !== null) pending.push(autoResume ? now + AUTO_RESUME_RETRY_MS : resumeAt);
  return { remind, dropReminder, autoResume, nextAt: pending.length === 0 ? null : Math.min(...pending) };
}

/** The `reminder` audit event of a pause that is still open when its reminder falls due. */
export function reminderAudit(
  ledger: TaskLedger,
  pause: OpenPause,
  recordingSids: readonly string[],
  reminderSeconds: number,
): AuditEntry & { readonly outcome: 'ok' } {
  return {
    action: 'reminder',
    outcome: 'ok',
    actor: SYSTEM_ACTOR.identity,
    role: SYSTEM_ACTOR.role,
    taskSid: ledger.taskSid,
    callSid: ledger.callSid,
    conferenceSid: ledger.conferenceSid,
    recordingSids,
    details: { pausedAt: new Date(pause.pausedAt).toISOString(), pausedBy: pause.pausedBy, reminderSeconds },
  };
}
