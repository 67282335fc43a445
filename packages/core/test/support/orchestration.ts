/**
 * Test support for the orchestration core (not exported): a model provider that answers the plan's
 * requests from a "truth" of recordings with a chosen result per recording, and a driver that runs
 * plan -> phase 1 (updates, starts and the listing in parallel) -> phase 2 -> re-read -> settle the
 * way the server's ledger will.
 */
import type { RecordingStatus } from '../../src/recording-status.ts';
import type { RecordingFailure } from '../../src/task-api.ts';
import type {
  Actor,
  DeferredLeg,
  Listing,
  OpenPause,
  OpenSpan,
  StartResult,
  TaskLedger,
  TrackedRecording,
  UpdateResult,
} from '../../src/orchestration/model.ts';
import { planChange, planPhase2, type ChangePlan, type Phase2Plan, type PlanInput } from '../../src/orchestration/plan.ts';
import { needsReread, settleChange, type Settlement } from '../../src/orchestration/settle.ts';

export const TASK = 'WT00000000000000000000000000000001';
export const CALL = 'CA00000000000000000000000000000001';
export const CONF = 'CF00000000000000000000000000000001';
export const AGENT: Actor = { identity: 'alice', role: 'agent' };
export const POLICY = { reminderSeconds: 30, maxPauseSeconds: 120 };

export function rec(sid: string, status: RecordingStatus, kind: 'call' | 'conference' = 'call', callSid = CALL): TrackedRecording {
  return kind === 'call'
    ? { sid, status, source: 'StartCallRecordingAPI', channels: 2, callSid, conferenceSid: null, owner: { kind: 'call', callSid } }
    : {
        sid,
        status,
        source: 'StartConferenceRecordingAPI',
        channels: 1,
        callSid: null,
        conferenceSid: CONF,
        owner: { kind: 'conference', conferenceSid: CONF },
      };
}

export function ledger(p: Partial<TaskLedger> = {}): TaskLedger {
  return { taskSid: TASK, callSid: CALL, conferenceSid: CONF, known: [], deferred: [], openSpans: [], pause: null, ...p };
}

export function openPause(pausedAt = 0): OpenPause {
  return {
    pausedAt,
    pausedBy: 'alice',
    role: 'agent',
    behavior: 'skip',
    reminderAt: pausedAt + 30_000,
    autoResumeAt: pausedAt + 120_000,
    reminderFired: false,
  };
}

/**
 * What the provider does with one request: `ok` applies it and answers; `refuse` answers 4xx/5xx
 * and changes nothing; `lost-applied` applies it and loses the answer; `lost-dropped` loses both.
 */
export type Behaviour = 'ok' | 'refuse' | 'lost-applied' | 'lost-dropped';

export interface World {
  /** The provider's recordings of the task (mutated by the driver as the provider would). */
  truth: TrackedRecording[];
  behaviour: (sid: string) => Behaviour;
  listingFails: boolean;
  rereadFails: boolean;
  startBehaviour: Behaviour;
  /** Provider timestamp of a change, when it gives one. */
  stamp: (sid: string) => number | undefined;
  nextSid: () => string;
}

const failure = (sid: string, code: string, twilioErrorCode: number | null = null): RecordingFailure => ({
  recordingSid: sid,
  code,
  message: `${code} for ${sid || 'the start'}`,
  twilioErrorCode,
});

export function world(truth: TrackedRecording[], p: Partial<Omit<World, 'truth'>> = {}): World {
  let n = 0;
  return {
    truth,
    behaviour: () => 'ok',
    listingFails: false,
    rereadFails: false,
    startBehaviour: 'ok',
    stamp: () => undefined,
    nextSid: () => `RE${String(++n).padStart(32, 'd')}`,
    ...p,
  };
}

export interface Driven {
  readonly plan: ChangePlan;
  readonly phase2: Phase2Plan | null;
  readonly settlement: Settlement;
  /** Provider requests by phase, for depth and count. */
  readonly requests: readonly (readonly string[])[];
  /** The pending audit writes, in order. */
  readonly pending: number;
}

function listingOf(w: World, fails: boolean): Listing {
  return fails ? { ok: false, failure: failure('', 'UPSTREAM_UNAVAILABLE') } : { ok: true, recordings: w.truth.map((r) => ({ ...r })) };
}

function applyUpdate(w: World, sid: string, status: 'paused' | 'in-progress'): UpdateResult {
  const i = w.truth.findIndex((r) => r.sid === sid);
  const b = w.behaviour(sid);
  if (i < 0) return { sid, kind: 'failed', failure: failure(sid, 'NOT_FOUND', 20404) };
  const cur = w.truth[i] as TrackedRecording;
  if (cur.status !== 'in-progress' && cur.status !== 'paused') return { sid, kind: 'failed', failure: failure(sid, 'CALL_NOT_IN_PROGRESS', 21220) };
  if (b === 'refuse') return { sid, kind: 'failed', failure: failure(sid, 'UPSTREAM_ERROR', 20500) };
  if (b !== 'lost-dropped') w.truth[i] = { ...cur, status };
  if (b === 'lost-applied' || b === 'lost-dropped') return { sid, kind: 'unknown', failure: failure(sid, 'UPSTREAM_TIMEOUT') };
  const at = w.stamp(sid);
  return { sid, kind: 'ok', after: { ...(w.truth[i] as TrackedRecording), ...(at === undefined ? {} : { at }) } };
}

function applyStart(w: World, leg: { callSid: string; channels: 1 | 2 }): StartResult {
  const b = w.startBehaviour;
  if (b === 'refuse') return { callSid: leg.callSid, kind: 'failed', failure: failure('', 'CALL_NOT_IN_PROGRESS', 21220) };
  let made: TrackedRecording | null = null;
  if (b !== 'lost-dropped') {
    made = { ...rec(w.nextSid(), 'in-progress', 'call', leg.callSid), channels: leg.channels };
    w.truth.push(made);
  }
  if (made === null || b === 'lost-applied') return { callSid: leg.callSid, kind: 'unknown', failure: failure('', 'UPSTREAM_TIMEOUT') };
  return { callSid: leg.callSid, kind: 'ok', recording: made };
}

/** Runs one action end to end against the model provider. The listing of phase 1 sees the truth before phase 1's updates land. */
export function drive(input: Omit<PlanInput, 'actor' | 'reason' | 'behavior'> & Partial<PlanInput>, w: World, now = 1_000): Driven {
  const plan = planChange({ actor: AGENT, reason: 'manual', behavior: 'skip', ...input });
  let pending = plan.audit === null ? 0 : 1;
  const listing = plan.list ? listingOf(w, w.listingFails) : null;
  const phase1 = plan.updates.map((u) => applyUpdate(w, u.sid, u.status));
  const starts = plan.starts.map((s) => applyStart(w, s));
  const requests: string[][] = [
    [...plan.updates.map((u) => `update ${u.sid}`), ...plan.starts.map((s) => `start ${s.callSid}`), ...(plan.list ? ['list'] : [])],
  ];
  let phase2: Phase2Plan | null = null;
  let all = phase1;
  if (listing !== null) {
    phase2 = planPhase2(plan, listing, { starts, updates: phase1 });
    if (phase2.audit !== null) pending += 1;
    if (phase2.updates.length > 0) {
      requests.push(phase2.updates.map((u) => `update ${u.sid}`));
      all = [...phase1, ...phase2.updates.map((u) => applyUpdate(w, u.sid, u.status))];
    }
  }
  let reread: Listing | undefined;
  if (needsReread(all, starts, listing)) {
    reread = listingOf(w, w.rereadFails);
    requests.push(['list']);
  }
  const settlement = settleChange({ plan, phase2, listing, updates: all, starts, ...(reread === undefined ? {} : { reread }), now, policy: POLICY });
  return { plan, phase2, settlement, requests, pending };
}

/** The ledger after the shell applied a settlement (what the server's ledger will do with it). */
export function applySettlement(l: TaskLedger, s: Settlement, closed: { recordingSid: string; pausedAt: number; resumedAt: number }[]): TaskLedger {
  const spans = new Map<string, OpenSpan>(l.openSpans.map((x) => [x.recordingSid, x]));
  for (const c of s.spans.close) {
    const o = spans.get(c.recordingSid);
    if (o !== undefined) closed.push({ recordingSid: c.recordingSid, pausedAt: o.pausedAt, resumedAt: c.resumedAt });
    spans.delete(c.recordingSid);
  }
  for (const o of s.spans.open) {
    if (spans.has(o.recordingSid)) throw new Error(`span of ${o.recordingSid} opened twice`);
    spans.set(o.recordingSid, { recordingSid: o.recordingSid, pausedAt: o.pausedAt });
  }
  const known = new Map(l.known.map((r) => [r.sid, r]));
  for (const r of s.remember) known.set(r.sid, r);
  const pause = s.pause.kind === 'open' ? s.pause.pause : s.pause.kind === 'close' ? null : l.pause;
  return {
    ...l,
    known: [...known.values()],
    openSpans: [...spans.values()],
    pause,
    deferred: l.deferred.filter((d: DeferredLeg) => !s.startedLegs.includes(d.callSid)),
  };
}
