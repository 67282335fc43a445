import { pauseSchedule, type PausePolicy } from '../pause-policy.ts';
import type { PauseBehavior } from '../pause-behavior.ts';
import { confirmedStatus, type Actor, type Listing, type ObservedRecording, type TaskLedger, type TrackedRecording } from './model.ts';
import type { TaskRecordingStatus } from '../aggregate-status.ts';
import type { PauseChange, SpanClose, SpanOpen } from './settle.ts';

export interface SingleChangeInput {
  readonly ledger: TaskLedger;
  readonly actor: Actor;
  readonly change: 'pause' | 'resume';
  readonly behavior: PauseBehavior;
  /** The recording as the provider answered the update (the template routes and Functions change one). */
  readonly recording: ObservedRecording;
  /** The task's recordings listed after the change; omit when there is no task or it was not listed. */
  readonly listing?: Listing;
  readonly now: number;
  readonly policy: PausePolicy;
  readonly reason?: string;
}

export interface SingleSettlement {
  readonly spans: { readonly open: readonly SpanOpen[]; readonly close: readonly SpanClose[] };
  readonly pause: PauseChange;
  /** The task's status after the change, or null when the task's recordings could not be listed. */
  readonly status: TaskRecordingStatus | null;
  readonly remember: readonly TrackedRecording[];
  readonly alarm: { readonly capturing: readonly string[] } | null;
}

/**
 * After one recording was changed directly (a template route or a Twilio Function naming one
 * recording or `Twilio.CURRENT`): its span, then the task's pause record brought in line with what
 * the listing says. Without a listing only the span moves; the next read or reconcile catches up.
 */
export function settleSingleChange(input: SingleChangeInput): SingleSettlement {
  const { ledger, actor, recording: r, now } = input;
  const at = r.at ?? now;
  const span = ledger.openSpans.find((s) => s.recordingSid === r.sid);
  const open: SpanOpen[] = [];
  const close: SpanClose[] = [];
  if (input.change === 'pause' && r.status === 'paused' && span === undefined) {
    open.push({
      recordingSid: r.sid,
      taskSid: ledger.taskSid,
      pausedAt: at,
      behavior: input.behavior,
      pausedBy: actor.identity,
      role: actor.role,
      reason: input.reason ?? 'seed-route',
    });
  }
  if (input.change === 'resume' && r.status !== 'paused' && span !== undefined) {
    close.push({ recordingSid: r.sid, resumedAt: Math.max(at, span.pausedAt), resumedBy: actor.identity });
  }
  if (input.listing === undefined || !input.listing.ok) {
    return { spans: { open, close }, pause: { kind: 'none' }, status: null, remember: [r], alarm: null };
  }
  const listed = new Map(input.listing.recordings.map((x) => [x.sid, x]));
  listed.set(r.sid, listed.get(r.sid) ?? r);
  const view = [...listed.values()].map((recording) => ({ recording, confirmed: true }));
  const status = confirmedStatus(view, ledger.deferred.length, true);
  let pause: PauseChange = { kind: 'none' };
  if ((status === 'paused' || status === 'partially-paused') && ledger.pause === null && open.length > 0) {
    pause = {
      kind: 'open',
      pause: { pausedAt: at, pausedBy: actor.identity, role: actor.role, behavior: input.behavior, reminderFired: false, ...pauseSchedule(at, input.policy) },
    };
  } else if ((status === 'recording' || status === 'not-recording') && ledger.pause !== null) {
    pause = { kind: 'close', at: now, by: actor.identity, reason: input.change };
  }
  const capturing = view.filter((v) => v.recording.status === 'in-progress').map((v) => v.recording.sid);
  return { spans: { open, close }, pause, status, remember: [...listed.values()], alarm: status === 'partially-paused' ? { capturing } : null };
}
