import type { TaskRecordingStatus } from '../aggregate-status.ts';
import type { ErrorCode } from '../errors.ts';
import { pauseSchedule, type PausePolicy } from '../pause-policy.ts';
import { isActive } from '../recording-status.ts';
import type { RecordingFailure, TaskRecordingState } from '../task-api.ts';
import {
  confirmedStatus,
  possiblyCapturing,
  type AuditEntry,
  type CompletionOutcome,
  type DeferredLeg,
  type Listing,
  type OpenPause,
  type OrchestrationError,
  type StartResult,
  type TrackedRecording,
  type UpdateResult,
  type ViewedRecording,
} from './model.ts';
import type { ChangePlan, Phase2Plan } from './plan.ts';

export interface SettleInput {
  readonly plan: ChangePlan;
  readonly phase2?: Phase2Plan | null;
  /** The listing fetched with phase 1 (omit when the plan was made from a listing). */
  readonly listing?: Listing | null;
  /** Results of every update of phase 1 and phase 2. */
  readonly updates: readonly UpdateResult[];
  readonly starts: readonly StartResult[];
  /** A listing taken after an update failed or lost its answer (see `needsReread`); omit when none was taken. */
  readonly reread?: Listing | null;
  readonly now: number;
  readonly policy: PausePolicy;
}

export interface SpanOpen {
  readonly recordingSid: string;
  readonly taskSid: string;
  readonly pausedAt: number;
  readonly behavior: OpenPause['behavior'];
  readonly pausedBy: string;
  readonly role: string;
  readonly reason: string;
}

export interface SpanClose {
  readonly recordingSid: string;
  readonly resumedAt: number;
  readonly resumedBy: string;
}

export type PauseChange =
  | { readonly kind: 'none' }
  | { readonly kind: 'open'; readonly pause: OpenPause }
  | { readonly kind: 'close'; readonly at: number; readonly by: string; readonly reason: string };

export interface AuditCompletion {
  readonly outcome: CompletionOutcome;
  readonly details: Readonly<Record<string, unknown>>;
}

export interface Settlement {
  readonly status: TaskRecordingStatus;
  readonly state: TaskRecordingState;
  /** Acted-on recordings by what became of them; each appears in exactly one list. */
  readonly changed: readonly string[];
  readonly failed: readonly string[];
  readonly unknown: readonly string[];
  readonly ended: readonly string[];
  readonly failures: readonly RecordingFailure[];
  readonly spans: { readonly open: readonly SpanOpen[]; readonly close: readonly SpanClose[] };
  readonly pause: PauseChange;
  /** Completes the pending audit written before the provider was asked (null: none was written). */
  readonly complete: AuditCompletion | null;
  /** A whole audit event to append when nothing was pending (a listing that failed before anything was asked). */
  readonly append: (AuditEntry & { readonly outcome: CompletionOutcome }) | null;
  /** Recordings whose status the provider vouched for: the ledger's new view of them. */
  readonly remember: readonly TrackedRecording[];
  /** Deferred legs whose recording started: no longer deferred. */
  readonly startedLegs: readonly string[];
  readonly alarm: { readonly capturing: readonly string[] } | null;
  readonly error: OrchestrationError | null;
}

/**
 * True when the shell should list once more before settling: an update failed or its answer was
 * lost (it may have happened anyway). A refusal of a recording the listing already shows ended
 * needs no second look: an ended recording stays ended.
 */
export function needsReread(updates: readonly UpdateResult[], starts: readonly StartResult[], listing?: Listing | null): boolean {
  const ended = (sid: string): boolean => listing?.ok === true && listing.recordings.some((r) => r.sid === sid && !isActive(r.status));
  return updates.some((u) => u.kind !== 'ok' && !(u.kind === 'failed' && ended(u.sid))) || starts.some((s) => s.kind !== 'ok');
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function upstreamCode(failures: readonly RecordingFailure[]): ErrorCode {
  return failures.some((f) => f.code === 'UPSTREAM_TIMEOUT') ? 'UPSTREAM_TIMEOUT' : 'UPSTREAM_UNAVAILABLE';
}

/** The settled view: the freshest provider word on each recording, and whether it is vouched for. */
function buildView(input: SettleInput, listing: Listing | null): { view: Map<string, ViewedRecording>; complete: boolean } {
  const { plan, reread } = input;
  const view = new Map<string, ViewedRecording>();
  const fresh = reread?.ok === true ? reread : null;
  const base = fresh ?? (listing?.ok === true ? listing : null);
  if (base !== null) for (const r of base.recordings) view.set(r.sid, { recording: r, confirmed: true });
  else for (const r of plan.ledger.known) view.set(r.sid, { recording: r, confirmed: false });
  for (const u of input.updates) {
    const cur = view.get(u.sid);
    if (u.kind === 'ok') {
      // A re-read is later than the update's answer; otherwise the answer is the latest word.
      if (fresh === null || cur === undefined) view.set(u.sid, { recording: u.after, confirmed: true });
    } else if (u.kind === 'unknown' && fresh === null) {
      const known = cur?.recording ?? plan.ledger.known.find((r) => r.sid === u.sid);
      if (known !== undefined) view.set(u.sid, { recording: known, confirmed: false });
    }
  }
  for (const s of input.starts) {
    if (s.kind === 'ok' && !(fresh !== null && view.has(s.recording.sid))) view.set(s.recording.sid, { recording: s.recording, confirmed: true });
  }
  return { view, complete: base !== null };
}

/**
 * Settles a pause or resume from what the provider answered: the task's new status (`paused` only
 * when every active recording is confirmed paused), the per-recording outcome, spans to open and
 * close, the pause record, the audit completion, and the error to answer. Pure: the shell applies it.
 */
export function settleChange(input: SettleInput): Settlement {
  const { plan, now } = input;
  const { ledger, target, actor } = plan;
  const pausing = plan.action === 'pause';
  const listing: Listing | null = input.listing ?? (plan.given === null ? null : { ok: true, recordings: plan.given });
  const { view, complete } = buildView(input, listing);
  const fresh = input.reread?.ok === true ? input.reread : null;
  const knownSids = new Set([...ledger.known.map((r) => r.sid), ...(listing?.ok === true ? listing.recordings.map((r) => r.sid) : [])]);

  const phase2 = input.phase2?.updates ?? [];
  const acted = [...plan.updates, ...phase2];
  const changed: string[] = [];
  const failed: string[] = [];
  const unknown: string[] = [];
  const ended: string[] = [];
  const failures: RecordingFailure[] = [];
  const changedAt = new Map<string, number>();

  for (const u of acted) {
    const result = input.updates.find((r) => r.sid === u.sid);
    const v = view.get(u.sid);
    if (v !== undefined && v.confirmed && v.recording.status === target) {
      changed.push(u.sid);
      changedAt.set(u.sid, result?.kind === 'ok' && fresh === null ? (result.after.at ?? now) : now);
    } else if ((v === undefined && complete) || (v !== undefined && !isActive(v.recording.status))) {
      ended.push(u.sid);
    } else if (result === undefined || (result.kind === 'unknown' && v?.confirmed !== true)) {
      // The answer was lost and nothing read since vouches for the status: whether it happened is unknown.
      unknown.push(u.sid);
      failures.push(
        result?.failure ?? { recordingSid: u.sid, code: 'UPSTREAM_UNAVAILABLE', message: `no answer for recording ${u.sid}`, twilioErrorCode: null },
      );
    } else {
      failed.push(u.sid);
      failures.push(
        result.kind !== 'ok'
          ? result.failure
          : {
              recordingSid: u.sid,
              code: 'CONFLICT',
              message: `the provider accepted the change of ${u.sid} but now reports it ${v?.recording.status ?? 'missing'}`,
              twilioErrorCode: null,
            },
      );
    }
  }

  // Deferred legs: a start that answered ok, or a lost answer the re-read shows took effect.
  const startedLegs: string[] = [];
  const startedSids: string[] = [];
  for (const st of plan.starts) {
    const r = input.starts.find((s) => s.callSid === st.callSid);
    const seen = r?.kind === 'ok' ? r.recording : fresh?.recordings.find((x) => x.callSid === st.callSid && isActive(x.status) && !knownSids.has(x.sid));
    if (seen !== undefined) {
      startedLegs.push(st.callSid);
      startedSids.push(seen.sid);
      changed.push(seen.sid);
      if (!view.has(seen.sid)) view.set(seen.sid, { recording: seen, confirmed: true });
    } else if (r === undefined || (r.kind === 'unknown' && fresh === null)) {
      unknown.push(`leg:${st.callSid}`);
      failures.push(
        r?.failure ?? { recordingSid: '', code: 'UPSTREAM_UNAVAILABLE', message: `no answer for the recording of ${st.callSid}`, twilioErrorCode: null },
      );
    } else if (r.kind !== 'ok') {
      failed.push(`leg:${st.callSid}`);
      failures.push(r.failure);
    }
  }

  const deferred: DeferredLeg[] = ledger.deferred.filter((d) => !startedLegs.includes(d.callSid));
  const viewed = [...view.values()];
  const uncertainStarts = unknown.filter((u) => u.startsWith('leg:')).length;
  const status = confirmedStatus(viewed, deferred.length, complete, uncertainStarts);
  const activeCount = viewed.filter((v) => isActive(v.recording.status)).length;
  const didAct = acted.length > 0 || plan.starts.length > 0;

  // Spans: opened for what this pause confirmed, closed for what this resume confirmed or what ended.
  const openSpans = new Map(ledger.openSpans.map((s) => [s.recordingSid, s]));
  const spanOpen: SpanOpen[] = [];
  const spanClose: SpanClose[] = [];
  const updatedChanged = changed.filter((sid) => changedAt.has(sid));
  for (const sid of updatedChanged) {
    const at = changedAt.get(sid) ?? now;
    const span = openSpans.get(sid);
    if (pausing && span === undefined) {
      spanOpen.push({
        recordingSid: sid,
        taskSid: ledger.taskSid,
        pausedAt: at,
        behavior: plan.behavior,
        pausedBy: actor.identity,
        role: actor.role,
        reason: plan.reason,
      });
    } else if (!pausing && span !== undefined) {
      spanClose.push({ recordingSid: sid, resumedAt: Math.max(at, span.pausedAt), resumedBy: actor.identity });
    }
  }
  for (const span of ledger.openSpans) {
    const v = view.get(span.recordingSid);
    const gone = v === undefined ? complete : !isActive(v.recording.status);
    if (gone && !spanClose.some((c) => c.recordingSid === span.recordingSid)) {
      spanClose.push({ recordingSid: span.recordingSid, resumedAt: Math.max(now, span.pausedAt), resumedBy: 'recording-ended' });
    }
  }

  // The pause record: opened by the first confirmed pause, closed once nothing is or may be paused.
  let pause: PauseChange = { kind: 'none' };
  let openPause: OpenPause | null = ledger.pause;
  if (pausing && updatedChanged.length > 0 && ledger.pause === null) {
    const pausedAt = Math.min(...updatedChanged.map((sid) => changedAt.get(sid) ?? now));
    openPause = {
      pausedAt,
      pausedBy: actor.identity,
      role: actor.role,
      behavior: plan.behavior,
      reminderFired: false,
      ...pauseSchedule(pausedAt, input.policy),
    };
    pause = { kind: 'open', pause: openPause };
  } else if (ledger.pause !== null && (status === 'recording' || status === 'not-recording')) {
    const reason = didAct ? plan.action : activeCount === 0 ? 'no-active-recording' : 'already-resumed';
    pause = { kind: 'close', at: now, by: actor.identity, reason };
    openPause = null;
  }

  // Outcome and the error to answer.
  let outcome: CompletionOutcome | null = null;
  let error: OrchestrationError | null = null;
  const verb = pausing ? 'pause' : 'resume';
  const listingFailure = fresh === null && listing !== null && !listing.ok ? listing.failure : null;
  if (didAct) {
    const allEnded = failures.every((f) => f.code === 'CALL_NOT_IN_PROGRESS');
    if (unknown.length > 0) outcome = 'unknown';
    else if (failed.length > 0) outcome = changed.length === 0 ? 'failed' : 'partial';
    else if (changed.length === 0 && status === 'not-recording') outcome = 'failed';
    else outcome = complete ? 'ok' : 'unknown';
    if (changed.length === 0 && unknown.length === 0 && status === 'not-recording' && allEnded) {
      // The recordings ended under us (the call hung up meanwhile): a conflict, not an upstream outage.
      error = { code: 'CONFLICT', message: `task ${ledger.taskSid} has no active recording to ${verb}: its recordings ended`, field: 'taskSid' };
    } else if (changed.length === 0 && failures.length > 0) {
      const why = outcome === 'unknown' ? ": the provider's answer was lost and it could not be asked again, so whether it happened is unknown" : '';
      error = { code: upstreamCode(failures), message: `could not ${verb} any recording of task ${ledger.taskSid}${why}` };
    } else if (!complete && listingFailure !== null) {
      error = {
        code: upstreamCode([listingFailure]),
        message: `${verb}d ${changed.length} recording(s) of task ${ledger.taskSid}, but the provider could not list them all to confirm the rest: ${listingFailure.message}`,
      };
    }
  } else if (listingFailure !== null) {
    error = { code: upstreamCode([listingFailure]), message: `could not ${verb} task ${ledger.taskSid}: ${listingFailure.message}` };
  } else if (activeCount === 0 && !(pausing && deferred.length > 0)) {
    error = { code: 'CONFLICT', message: `task ${ledger.taskSid} has no active recording to ${verb}`, field: 'taskSid' };
  }

  const failureDetails = listingFailure === null ? {} : { listingFailure };
  const complete_: AuditCompletion | null =
    outcome === null
      ? null
      : {
          outcome,
          details: {
            changed,
            failures,
            unknown,
            ended,
            resultStatus: status,
            ...(phase2.length === 0 ? {} : { addedRecordingSids: phase2.map((u) => u.sid) }),
            ...(plan.starts.length === 0 ? {} : { startedRecordingSids: startedSids }),
            ...failureDetails,
          },
        };
  const append =
    !didAct && listingFailure !== null
      ? {
          action: plan.action,
          outcome: 'failed' as const,
          actor: actor.identity,
          role: actor.role,
          taskSid: ledger.taskSid,
          callSid: ledger.callSid,
          conferenceSid: ledger.conferenceSid,
          recordingSids: [],
          details: { reason: plan.reason, error: listingFailure.message, code: listingFailure.code, twilioErrorCode: listingFailure.twilioErrorCode },
        }
      : null;

  const capturing = status === 'partially-paused' ? possiblyCapturing(viewed) : [];
  const shown = status === 'paused' || status === 'partially-paused' ? openPause : null;
  const state: TaskRecordingState = {
    taskSid: ledger.taskSid,
    status,
    recordings: viewed
      .filter((v) => isActive(v.recording.status))
      .map(({ recording: r }) => ({
        sid: r.sid,
        status: r.status,
        source: r.source,
        channels: r.channels,
        callSid: r.callSid,
        conferenceSid: r.conferenceSid,
      })),
    pausedAt: iso(shown?.pausedAt ?? null),
    pausedBy: shown?.pausedBy ?? null,
    pauseBehavior: shown?.behavior ?? null,
    reminderAt: iso(shown?.reminderAt ?? null),
    autoResumeAt: iso(shown?.autoResumeAt ?? null),
    failures,
    capturing,
    ...(deferred.length === 0 ? {} : { deferred: deferred.map((d) => ({ callSid: d.callSid, channels: d.channels })) }),
  };

  return {
    status,
    state,
    changed,
    failed,
    unknown,
    ended,
    failures,
    spans: { open: spanOpen, close: spanClose },
    pause,
    complete: complete_,
    append,
    remember: viewed.filter((v) => v.confirmed).map((v) => v.recording),
    startedLegs,
    alarm: status === 'partially-paused' ? { capturing } : null,
    error,
  };
}
