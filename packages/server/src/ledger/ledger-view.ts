import { isActive, type DeferredLeg, type TrackedRecording } from '@pause-recording/core';
import type { KnownRecording, LedgerView, PauseRecord, TaskRef } from './ledger.ts';

/** Which REST resource the provider updates a known recording through (a conference's own recording, or a call's). */
export function ownerOf(r: Pick<KnownRecording, 'callSid' | 'conferenceSid' | 'source'>): TrackedRecording['owner'] | null {
  if (r.conferenceSid !== null && (r.callSid === null || /conference/i.test(r.source))) return { kind: 'conference', conferenceSid: r.conferenceSid };
  if (r.callSid !== null) return { kind: 'call', callSid: r.callSid };
  return null;
}

function tracked(r: KnownRecording, task: TaskRef): TrackedRecording | null {
  const owner = ownerOf(r);
  if (owner === null) return null;
  // Only the task's recordings now: those of its current legs and of its conference.
  if (owner.kind === 'call' ? !task.legs.includes(owner.callSid) : owner.conferenceSid !== task.conferenceSid) return null;
  return { sid: r.sid, status: r.status, source: r.source, channels: r.channels, callSid: r.callSid, conferenceSid: r.conferenceSid, owner };
}

/** The view the core decides from, built the same way by every ledger from what it read. */
export function ledgerView(
  task: TaskRef,
  recordings: readonly KnownRecording[],
  deferred: DeferredLeg[],
  openSpans: { recordingSid: string; pausedAt: number }[],
  p: PauseRecord | null,
): LedgerView {
  return {
    taskSid: task.sid,
    callSid: task.callSid,
    conferenceSid: task.conferenceSid,
    known: recordings.filter((r) => isActive(r.status)).flatMap((r) => tracked(r, task) ?? []),
    deferred,
    openSpans,
    pause:
      p === null
        ? null
        : {
            pausedAt: p.pausedAt,
            pausedBy: p.pausedBy,
            role: p.role,
            behavior: p.behavior,
            reminderAt: p.reminderAt,
            autoResumeAt: p.autoResumeAt,
            reminderFired: p.reminderFired,
          },
    pauseId: p?.id ?? null,
  };
}
