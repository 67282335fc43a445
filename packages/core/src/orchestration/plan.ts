import { aggregateRecordingStatus, type TaskRecordingStatus } from '../aggregate-status.ts';
import type { PauseBehavior } from '../pause-behavior.ts';
import {
  resolveAction,
  targetStatusOf,
  type Actor,
  type AuditEntry,
  type Listing,
  type PauseAction,
  type RecordingOwner,
  type RequestedAction,
  type StartResult,
  type TaskLedger,
  type TrackedRecording,
  type UpdateResult,
} from './model.ts';

/** One provider request: set the recording's status (Twilio's `Status` and `PauseBehavior`). */
export interface RecordingUpdate {
  readonly sid: string;
  readonly owner: RecordingOwner;
  readonly status: 'paused' | 'in-progress';
  readonly pauseBehavior: PauseBehavior;
}

/** One provider request: start the deferred leg's recording. */
export interface RecordingStart {
  readonly callSid: string;
  readonly channels: 1 | 2;
}

export interface PlanInput {
  readonly action: RequestedAction;
  readonly ledger: TaskLedger;
  readonly actor: Actor;
  /** Why, kept in the audit and on the paused spans (`manual`, the agent's text, `max_pause_seconds`). */
  readonly reason: string;
  readonly behavior: PauseBehavior;
  /**
   * The provider's listing when the caller already has it (a sequential caller, or a retry). The
   * plan then covers every recording at once and phase 2 is always empty.
   */
  readonly listing?: readonly TrackedRecording[];
  /** The status `toggle` decides from; by default the ledger's known recordings (deferred legs count as paused). */
  readonly current?: TaskRecordingStatus;
}

/**
 * Phase 1: send `updates` and `starts` in parallel with the listing (when `list`), having first
 * written `audit` as pending when it is not null.
 */
export interface ChangePlan {
  readonly action: PauseAction;
  readonly target: 'paused' | 'in-progress';
  readonly behavior: PauseBehavior;
  readonly actor: Actor;
  readonly reason: string;
  readonly ledger: TaskLedger;
  readonly updates: readonly RecordingUpdate[];
  readonly starts: readonly RecordingStart[];
  /** True when the listing must be fetched alongside; false when the plan was made from one. */
  readonly list: boolean;
  /** The listing the plan was made from, when given. */
  readonly given: readonly TrackedRecording[] | null;
  readonly audit: AuditEntry | null;
}

/** Phase 2: the recordings the listing revealed that phase 1 did not address. */
export interface Phase2Plan {
  readonly updates: readonly RecordingUpdate[];
  /** A pending audit to write before phase 2, when phase 1 wrote none. */
  readonly audit: AuditEntry | null;
}

/** The status the ledger believes the task has: `toggle` decides from it when no fresher one is given. */
export function ledgerStatus(ledger: TaskLedger): TaskRecordingStatus {
  return aggregateRecordingStatus([...ledger.known.map((r) => r.status), ...ledger.deferred.map(() => 'paused' as const)]);
}

const fromStatusOf = (action: PauseAction): 'paused' | 'in-progress' => (action === 'pause' ? 'in-progress' : 'paused');

function updatesFor(recordings: readonly TrackedRecording[], action: PauseAction, behavior: PauseBehavior, skip: ReadonlySet<string>): RecordingUpdate[] {
  const from = fromStatusOf(action);
  const seen = new Set(skip);
  const out: RecordingUpdate[] = [];
  for (const r of recordings) {
    if (r.status !== from || seen.has(r.sid)) continue;
    seen.add(r.sid);
    out.push({ sid: r.sid, owner: r.owner, status: targetStatusOf(action), pauseBehavior: behavior });
  }
  return out;
}

function pendingAudit(
  ledger: TaskLedger,
  action: PauseAction,
  actor: Actor,
  reason: string,
  behavior: PauseBehavior,
  updates: readonly RecordingUpdate[],
  starts: readonly RecordingStart[],
): AuditEntry {
  return {
    action,
    actor: actor.identity,
    role: actor.role,
    taskSid: ledger.taskSid,
    callSid: ledger.callSid,
    conferenceSid: ledger.conferenceSid,
    recordingSids: updates.map((u) => u.sid),
    details: {
      reason,
      ...(action === 'pause' ? { pauseBehavior: behavior } : {}),
      ...(starts.length === 0 ? {} : { deferredRecordingCallSids: starts.map((s) => s.callSid) }),
    },
  };
}

/**
 * Phase 1 of a pause or resume: update every recording the ledger knows to be in the other
 * status (or, given a listing, every listed one), and on resume start the deferred legs that are
 * ready. Nothing here waits for the listing: issue 13's one round trip when every recording is known.
 */
export function planChange(input: PlanInput): ChangePlan {
  const { ledger, actor, reason, behavior } = input;
  const action = resolveAction(input.action, input.current ?? ledgerStatus(ledger));
  const given = input.listing ?? null;
  const updates = updatesFor(given ?? ledger.known, action, behavior, new Set());
  const starts: RecordingStart[] = action === 'pause' ? [] : ledger.deferred.filter((d) => d.ready).map((d) => ({ callSid: d.callSid, channels: d.channels }));
  const acts = updates.length > 0 || starts.length > 0;
  return {
    action,
    target: targetStatusOf(action),
    behavior,
    actor,
    reason,
    ledger,
    updates,
    starts,
    list: given === null,
    given,
    audit: acts ? pendingAudit(ledger, action, actor, reason, behavior, updates, starts) : null,
  };
}

/**
 * Phase 2: what the listing shows in the other status that phase 1 did not touch (a recording
 * the server did not know, or one whose known status was stale). Empty when the listing failed:
 * settle then reports the task unconfirmed instead of guessing.
 */
export function planPhase2(
  plan: ChangePlan,
  listing: Listing,
  phase1: { readonly starts: readonly StartResult[]; readonly updates?: readonly UpdateResult[] },
): Phase2Plan {
  if (!listing.ok || plan.given !== null) return { updates: [], audit: null };
  const skip = new Set([...plan.updates.map((u) => u.sid), ...phase1.starts.flatMap((s) => (s.kind === 'ok' ? [s.recording.sid] : []))]);
  const updates = updatesFor(listing.recordings, plan.action, plan.behavior, skip);
  const audit = updates.length > 0 && plan.audit === null ? pendingAudit(plan.ledger, plan.action, plan.actor, plan.reason, plan.behavior, updates, []) : null;
  return { updates, audit };
}
