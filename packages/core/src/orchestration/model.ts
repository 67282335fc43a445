import type { TaskRecordingStatus } from '../aggregate-status.ts';
import type { ActorRole } from '../audit-events.ts';
import type { ErrorCode } from '../errors.ts';
import type { PauseBehavior } from '../pause-behavior.ts';
import type { PausePolicy } from '../pause-policy.ts';
import { isActive } from '../recording-status.ts';
import type { RecordingFailure, RecordingSummary } from '../task-api.ts';

/**
 * Shared vocabulary of the pause orchestration core: what the ledger knows of a task, what the
 * provider answered, and what the shell must do. Everything here is data; no function does I/O.
 */

/** Which REST resource a recording hangs off: Twilio updates it through its call or its conference. */
export type RecordingOwner = { readonly kind: 'call'; readonly callSid: string } | { readonly kind: 'conference'; readonly conferenceSid: string };

/** A recording of the task, with the owner the provider must be asked through. */
export interface TrackedRecording extends RecordingSummary {
  readonly owner: RecordingOwner;
}

/** A recording the provider returned after an update or a start, with when it says the change took effect. */
export interface ObservedRecording extends TrackedRecording {
  /** Epoch ms the provider stamped the change (its `date_updated`), when it gave one. */
  readonly at?: number;
}

/**
 * A leg whose dual-channel recording starts later: a transfer while paused holds the new agent's
 * recording back until the resume. `ready` is false while the leg is not in progress yet (its
 * recording cannot start before it is answered).
 */
export interface DeferredLeg {
  readonly callSid: string;
  readonly channels: 1 | 2;
  readonly ready: boolean;
}

export interface Actor {
  readonly identity: string;
  readonly role: ActorRole;
}

/** The task's open pause as the ledger keeps it. */
export interface OpenPause {
  readonly pausedAt: number;
  readonly pausedBy: string;
  readonly role: ActorRole;
  readonly behavior: PauseBehavior;
  readonly reminderAt: number | null;
  readonly autoResumeAt: number | null;
  readonly reminderFired: boolean;
}

/** A recording's paused span that has no end yet. */
export interface OpenSpan {
  readonly recordingSid: string;
  readonly pausedAt: number;
}

/** Everything the ledger holds about one task's recordings; the input of every decision. */
export interface TaskLedger {
  readonly taskSid: string;
  readonly callSid: string | null;
  readonly conferenceSid: string | null;
  /** Recordings the server knows: its own starts and what status callbacks and listings told it. */
  readonly known: readonly TrackedRecording[];
  readonly deferred: readonly DeferredLeg[];
  readonly openSpans: readonly OpenSpan[];
  readonly pause: OpenPause | null;
}

/** What a person or the policy asks for. `toggle` is resolved against the task's current status. */
export type RequestedAction = 'pause' | 'resume' | 'auto-resume' | 'toggle';
export type PauseAction = Exclude<RequestedAction, 'toggle'>;

/** Audit actions and outcomes this core produces (a subset of the server's audit vocabulary). */
export type OrchestrationAuditAction = PauseAction | 'reminder' | 'external-change';
export type CompletionOutcome = 'ok' | 'partial' | 'failed' | 'unknown';

export interface AuditEntry {
  readonly action: OrchestrationAuditAction;
  readonly actor: string;
  readonly role: ActorRole;
  readonly taskSid: string;
  readonly callSid: string | null;
  readonly conferenceSid: string | null;
  readonly recordingSids: readonly string[];
  readonly details: Readonly<Record<string, unknown>>;
}

/** The error the shell answers with (the HTTP status follows from `code` via `httpStatusFor`). */
export interface OrchestrationError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly field?: string;
}

export interface PauseSettings {
  readonly behavior: PauseBehavior;
  readonly policy: PausePolicy;
}

export const targetStatusOf = (action: PauseAction): 'paused' | 'in-progress' => (action === 'pause' ? 'paused' : 'in-progress');

/**
 * `toggle` pauses unless the task is (fully) paused: a partial pause is finished, never undone,
 * because something still captures audio. This is the rule of the server's toggle route.
 */
export function resolveAction(requested: RequestedAction, current: TaskRecordingStatus): PauseAction {
  if (requested !== 'toggle') return requested;
  return current === 'recording' || current === 'partially-paused' ? 'pause' : 'resume';
}

/** Provider error codes that mean the answer was lost: the change may or may not have happened. */
const LOST_ANSWER_CODES: ReadonlySet<string> = new Set(['UPSTREAM_TIMEOUT', 'UPSTREAM_UNAVAILABLE']);

export function isLostAnswer(failure: RecordingFailure): boolean {
  return LOST_ANSWER_CODES.has(failure.code);
}

/** What became of one provider request of the plan. */
export type UpdateResult =
  | { readonly sid: string; readonly kind: 'ok'; readonly after: ObservedRecording }
  /** The provider answered no. */
  | { readonly sid: string; readonly kind: 'failed'; readonly failure: RecordingFailure }
  /** The answer was lost (timeout, reset): the change may have happened. */
  | { readonly sid: string; readonly kind: 'unknown'; readonly failure: RecordingFailure };

export type StartResult =
  | { readonly callSid: string; readonly kind: 'ok'; readonly recording: ObservedRecording }
  | { readonly callSid: string; readonly kind: 'failed'; readonly failure: RecordingFailure }
  | { readonly callSid: string; readonly kind: 'unknown'; readonly failure: RecordingFailure };

/** Classifies a caught provider failure: a lost answer is `unknown`, anything else `failed`. */
export function updateResultOf(sid: string, failure: RecordingFailure): UpdateResult {
  return isLostAnswer(failure) ? { sid, kind: 'unknown', failure } : { sid, kind: 'failed', failure };
}

export function startResultOf(callSid: string, failure: RecordingFailure): StartResult {
  return isLostAnswer(failure) ? { callSid, kind: 'unknown', failure } : { callSid, kind: 'failed', failure };
}

/** The provider's listing of the task's recordings, or why it could not be had. */
export type Listing = { readonly ok: true; readonly recordings: readonly TrackedRecording[] } | { readonly ok: false; readonly failure: RecordingFailure };

/** One recording as the settled view holds it: `confirmed` when the provider vouched for its status in this action. */
export interface ViewedRecording {
  readonly recording: TrackedRecording;
  readonly confirmed: boolean;
}

/**
 * The task's status when some statuses are not confirmed. `paused` only when every active
 * recording is confirmed paused and the set of recordings is complete; `recording` only when every
 * one is confirmed capturing and nothing is deferred or of unknown start. Anything uncertain is `partially-paused`,
 * the alarm: the agent must not read card data on a maybe.
 */
export function confirmedStatus(view: readonly ViewedRecording[], deferredCount: number, complete: boolean, uncertainStarts = 0): TaskRecordingStatus {
  const active = view.filter((v) => isActive(v.recording.status));
  if (active.length === 0 && deferredCount === 0) return 'not-recording';
  // A set that could not be listed, or a start whose answer was lost, may hide a capturing recording.
  if (!complete || uncertainStarts > 0) return 'partially-paused';
  const allPaused = active.every((v) => v.confirmed && v.recording.status === 'paused');
  if (allPaused) return 'paused';
  const allCapturing = deferredCount === 0 && active.every((v) => v.confirmed && v.recording.status === 'in-progress');
  return allCapturing ? 'recording' : 'partially-paused';
}

/** Active recordings that may be capturing audio: confirmed in progress, or of unconfirmed status. */
export function possiblyCapturing(view: readonly ViewedRecording[]): string[] {
  return view.filter((v) => isActive(v.recording.status) && (!v.confirmed || v.recording.status === 'in-progress')).map((v) => v.recording.sid);
}
