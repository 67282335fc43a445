import { describe, expect, it } from 'vitest';
import { planChange } from './plan.ts';
import { needsReread, settleChange } from './settle.ts';
import { AGENT, CALL, drive, ledger, openPause, POLICY, rec, world, type Behaviour } from '../../test/support/orchestration.ts';

const A = 'RE' + 'a'.repeat(32);
const B = 'RE' + 'b'.repeat(32);
const C = 'RE' + 'c'.repeat(32);
const LEG = 'CA' + 'e'.repeat(32);
const by =
  (m: Record<string, Behaviour>) =>
  (sid: string): Behaviour =>
    m[sid] ?? 'ok';
const capturing = () => [rec(A, 'in-progress'), rec(B, 'in-progress', 'conference')];
const pausedLedger = (at = 0) =>
  ledger({
    known: [rec(A, 'paused'), rec(B, 'paused', 'conference')],
    openSpans: [
      { recordingSid: A, pausedAt: at },
      { recordingSid: B, pausedAt: at },
    ],
    pause: openPause(at),
  });
const pausedTruth = () => [rec(A, 'paused'), rec(B, 'paused', 'conference')];

describe('settleChange: pause', () => {
  it('all confirmed: paused, a span per recording at the provider time, the pause with its deadlines, audit ok', () => {
    const stamps: Record<string, number> = { [A]: 900, [B]: 950 };
    const d = drive({ action: 'pause', ledger: ledger({ known: capturing() }) }, world(capturing(), { stamp: (sid) => stamps[sid] }), 1_000);
    const s = d.settlement;
    expect(s.status).toBe('paused');
    expect(s.changed).toEqual([A, B]);
    expect(s.spans.open.map((o) => [o.recordingSid, o.pausedAt, o.pausedBy, o.reason, o.behavior])).toEqual([
      [A, 900, 'alice', 'manual', 'skip'],
      [B, 950, 'alice', 'manual', 'skip'],
    ]);
    expect(s.spans.close).toEqual([]);
    expect(s.pause).toEqual({
      kind: 'open',
      pause: { pausedAt: 900, pausedBy: 'alice', role: 'agent', behavior: 'skip', reminderFired: false, reminderAt: 30_900, autoResumeAt: 120_900 },
    });
    expect(s.complete).toEqual({ outcome: 'ok', details: { changed: [A, B], failures: [], unknown: [], ended: [], resultStatus: 'paused' } });
    expect(d.pending).toBe(1);
    expect(s.append).toBeNull();
    expect(s.error).toBeNull();
    expect(s.alarm).toBeNull();
    expect(s.state).toMatchObject({
      status: 'paused',
      pausedAt: new Date(900).toISOString(),
      pausedBy: 'alice',
      pauseBehavior: 'skip',
      capturing: [],
      failures: [],
    });
    expect(s.state.recordings.map((r) => [r.sid, r.status])).toEqual([
      [A, 'paused'],
      [B, 'paused'],
    ]);
  });

  it('one refused: partially-paused with the alarm naming what captures, audit partial, the pause opened (its timers run), no error', () => {
    const s = drive({ action: 'pause', ledger: ledger({ known: capturing() }) }, world(capturing(), { behaviour: by({ [B]: 'refuse' }) })).settlement;
    expect(s.status).toBe('partially-paused');
    expect(s.alarm).toEqual({ capturing: [B] });
    expect(s.changed).toEqual([A]);
    expect(s.failed).toEqual([B]);
    expect(s.failures.map((f) => [f.recordingSid, f.code, f.twilioErrorCode])).toEqual([[B, 'UPSTREAM_ERROR', 20500]]);
    expect(s.complete?.outcome).toBe('partial');
    expect(s.pause.kind).toBe('open');
    expect(s.spans.open.map((o) => o.recordingSid)).toEqual([A]);
    expect(s.error).toBeNull();
    expect(s.state.capturing).toEqual([B]);
  });

  it('all refused: nothing changed, audit failed, an upstream error, no pause, no span', () => {
    const s = drive({ action: 'pause', ledger: ledger({ known: capturing() }) }, world(capturing(), { behaviour: () => 'refuse' })).settlement;
    expect(s.status).toBe('recording');
    expect(s.complete?.outcome).toBe('failed');
    expect(s.error).toEqual({ code: 'UPSTREAM_UNAVAILABLE', message: `could not pause any recording of task ${ledger().taskSid}` });
    expect(s.pause).toEqual({ kind: 'none' });
    expect(s.spans).toEqual({ open: [], close: [] });
  });

  it('an answer lost but the re-read shows it happened: confirmed, audit ok', () => {
    const d = drive({ action: 'pause', ledger: ledger({ known: capturing() }) }, world(capturing(), { behaviour: by({ [A]: 'lost-applied' }) }));
    expect(d.requests.at(-1)).toEqual(['list']);
    expect(d.settlement.status).toBe('paused');
    expect(d.settlement.complete?.outcome).toBe('ok');
    expect(d.settlement.changed).toEqual([A, B]);
  });

  it('an answer lost and the re-read shows it did not happen: failed for that recording, partial overall', () => {
    const s = drive({ action: 'pause', ledger: ledger({ known: capturing() }) }, world(capturing(), { behaviour: by({ [A]: 'lost-dropped' }) })).settlement;
    expect(s.failed).toEqual([A]);
    expect(s.unknown).toEqual([]);
    expect(s.complete?.outcome).toBe('partial');
    expect(s.status).toBe('partially-paused');
  });

  it('an answer lost and the provider cannot be read again: unknown, never paused, the alarm counts it as capturing', () => {
    const s = drive(
      { action: 'pause', ledger: ledger({ known: capturing() }) },
      world(capturing(), { behaviour: by({ [A]: 'lost-applied' }), rereadFails: true }),
    ).settlement;
    expect(s.unknown).toEqual([A]);
    expect(s.complete?.outcome).toBe('unknown');
    expect(s.status).toBe('partially-paused');
    expect(s.alarm?.capturing).toEqual([A]);
    expect(s.error).toBeNull();
    const only = drive(
      { action: 'pause', ledger: ledger({ known: [rec(A, 'in-progress')] }) },
      world([rec(A, 'in-progress')], { behaviour: () => 'lost-dropped', rereadFails: true }),
    ).settlement;
    expect(only.error?.code).toBe('UPSTREAM_TIMEOUT');
    expect(only.error?.message).toContain('whether it happened is unknown');
  });

  it('the listing fails while the known recordings paused: not confirmed, so partially-paused, audit unknown, an error, the pause still opened', () => {
    const s = drive({ action: 'pause', ledger: ledger({ known: capturing() }) }, world(capturing(), { listingFails: true })).settlement;
    expect(s.changed).toEqual([A, B]);
    expect(s.status).toBe('partially-paused');
    expect(s.complete?.outcome).toBe('unknown');
    expect(s.complete?.details['listingFailure']).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(s.error?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(s.error?.message).toContain('could not list them all');
    expect(s.pause.kind).toBe('open');
  });

  it('the listing fails and nothing was known: nothing asked, a failed audit event appended, an upstream error', () => {
    const s = drive({ action: 'pause', ledger: ledger() }, world(capturing(), { listingFails: true })).settlement;
    expect(s.complete).toBeNull();
    expect(s.append).toMatchObject({ action: 'pause', outcome: 'failed', recordingSids: [], details: { reason: 'manual', code: 'UPSTREAM_UNAVAILABLE' } });
    expect(s.error?.code).toBe('UPSTREAM_UNAVAILABLE');
  });

  it('a stale ledger (resumed elsewhere) and an unknown recording: both follow in phase 2, then paused', () => {
    const truth = [rec(A, 'in-progress'), rec(B, 'in-progress', 'conference'), rec(C, 'in-progress', 'call', LEG)];
    const d = drive({ action: 'pause', ledger: ledger({ known: [rec(A, 'paused'), rec(B, 'in-progress', 'conference')] }) }, world(truth));
    expect(d.plan.updates.map((u) => u.sid)).toEqual([B]);
    expect(d.phase2?.updates.map((u) => u.sid)).toEqual([A, C]);
    expect(d.settlement.status).toBe('paused');
    expect(d.settlement.complete?.details['addedRecordingSids']).toEqual([A, C]);
  });

  it('already paused: nothing asked, nothing audited, the state answered', () => {
    const d = drive({ action: 'pause', ledger: pausedLedger() }, world(pausedTruth()));
    expect(d.requests).toEqual([['list']]);
    expect(d.settlement).toMatchObject({
      status: 'paused',
      complete: null,
      append: null,
      error: null,
      pause: { kind: 'none' },
      spans: { open: [], close: [] },
    });
  });

  it('no active recording: a conflict, the open pause and the spans of what ended are closed', () => {
    const l = ledger({ known: [rec(A, 'paused')], openSpans: [{ recordingSid: A, pausedAt: 0 }], pause: openPause() });
    const s = drive({ action: 'pause', ledger: l }, world([rec(A, 'completed')]), 5_000).settlement;
    expect(s.error).toEqual({ code: 'CONFLICT', message: `task ${l.taskSid} has no active recording to pause`, field: 'taskSid' });
    expect(s.pause).toEqual({ kind: 'close', at: 5_000, by: 'alice', reason: 'no-active-recording' });
    expect(s.spans.close).toEqual([{ recordingSid: A, resumedAt: 5_000, resumedBy: 'recording-ended' }]);
    expect(s.complete).toBeNull();
  });

  it('the recordings ended under the request (call hung up): a conflict, audit failed, not an upstream error', () => {
    const s = drive({ action: 'pause', ledger: ledger({ known: [rec(A, 'in-progress')] }) }, world([rec(A, 'completed')])).settlement;
    expect(s.ended).toEqual([A]);
    expect(s.status).toBe('not-recording');
    expect(s.complete?.outcome).toBe('failed');
    expect(s.error).toMatchObject({ code: 'CONFLICT', field: 'taskSid' });
    expect(s.error?.message).toContain('its recordings ended');
  });

  it('paused only through a deferred leg: already paused, no error, nothing asked', () => {
    const d = drive({ action: 'pause', ledger: ledger({ deferred: [{ callSid: LEG, channels: 2, ready: true }] }) }, world([]));
    expect(d.settlement).toMatchObject({ status: 'paused', error: null, complete: null });
    expect(d.settlement.state.deferred).toEqual([{ callSid: LEG, channels: 2 }]);
  });
});

describe('settleChange: resume and auto-resume', () => {
  it('all confirmed: spans closed (never before they opened), the pause closed, recording', () => {
    const s = drive({ action: 'resume', ledger: pausedLedger(2_000) }, world(pausedTruth(), { stamp: (sid) => (sid === A ? 1_500 : 2_500) }), 3_000).settlement;
    expect(s.status).toBe('recording');
    expect(s.spans.close).toEqual([
      { recordingSid: A, resumedAt: 2_000, resumedBy: 'alice' },
      { recordingSid: B, resumedAt: 2_500, resumedBy: 'alice' },
    ]);
    expect(s.pause).toEqual({ kind: 'close', at: 3_000, by: 'alice', reason: 'resume' });
    expect(s.complete?.outcome).toBe('ok');
    expect(s.state).toMatchObject({ pausedAt: null, autoResumeAt: null });
  });

  it('auto-resume closes the pause with its own reason and audits as auto-resume', () => {
    const d = drive(
      { action: 'auto-resume', ledger: pausedLedger(), actor: { identity: 'system', role: 'system' }, reason: 'max_pause_seconds' },
      world(pausedTruth()),
    );
    expect(d.plan.audit).toMatchObject({ action: 'auto-resume', actor: 'system', details: { reason: 'max_pause_seconds' } });
    expect(d.settlement.pause).toMatchObject({ kind: 'close', reason: 'auto-resume', by: 'system' });
  });

  it('one refused: the pause stays open (the auto-resume retries), partially-paused, audit partial', () => {
    const s = drive({ action: 'resume', ledger: pausedLedger() }, world(pausedTruth(), { behaviour: by({ [A]: 'refuse' }) })).settlement;
    expect(s.status).toBe('partially-paused');
    expect(s.pause).toEqual({ kind: 'none' });
    expect(s.spans.close.map((c) => c.recordingSid)).toEqual([B]);
    expect(s.complete?.outcome).toBe('partial');
    expect(s.state.pausedAt).toBe(new Date(0).toISOString());
  });

  it('already resumed with a pause still open: the pause closes as already-resumed, nothing audited', () => {
    const l = ledger({ known: capturing(), pause: openPause() });
    const s = drive({ action: 'resume', ledger: l }, world(capturing()), 7_000).settlement;
    expect(s.pause).toEqual({ kind: 'close', at: 7_000, by: 'alice', reason: 'already-resumed' });
    expect(s.complete).toBeNull();
    expect(s.error).toBeNull();
  });

  it('starts the deferred leg with the resume: the leg is no longer deferred and the audit names its recording', () => {
    const l = { ...pausedLedger(), deferred: [{ callSid: LEG, channels: 2 as const, ready: true }] };
    const s = drive({ action: 'resume', ledger: l }, world(pausedTruth())).settlement;
    expect(s.status).toBe('recording');
    expect(s.startedLegs).toEqual([LEG]);
    const started = s.changed.at(-1) as string;
    expect(s.complete?.details['startedRecordingSids']).toEqual([started]);
    expect(s.remember.some((r) => r.sid === started && r.callSid === LEG)).toBe(true);
    expect(s.state.deferred).toBeUndefined();
  });

  it('a deferred start refused: the leg stays deferred and counts as paused, audit partial', () => {
    const l = { ...pausedLedger(), deferred: [{ callSid: LEG, channels: 2 as const, ready: true }] };
    const s = drive({ action: 'resume', ledger: l }, world(pausedTruth(), { startBehaviour: 'refuse' })).settlement;
    expect(s.startedLegs).toEqual([]);
    expect(s.failed).toEqual([`leg:${LEG}`]);
    expect(s.status).toBe('partially-paused');
    expect(s.pause).toEqual({ kind: 'none' });
    expect(s.complete?.outcome).toBe('partial');
  });

  it('a deferred start whose answer was lost and cannot be read back: never paused (it may be capturing), audit unknown', () => {
    // Found by the property test: with nothing else active, the still-deferred leg alone read as paused.
    const l = ledger({ deferred: [{ callSid: LEG, channels: 2, ready: true }], pause: openPause() });
    const s = drive({ action: 'resume', ledger: l }, world([], { startBehaviour: 'lost-applied', rereadFails: true })).settlement;
    expect(s.unknown).toEqual([`leg:${LEG}`]);
    expect(s.status).toBe('partially-paused');
    expect(s.complete?.outcome).toBe('unknown');
    expect(s.pause).toEqual({ kind: 'none' });
    expect(s.error?.code).toBe('UPSTREAM_TIMEOUT');
  });

  it('a deferred start whose answer was lost but the re-read shows the new recording: started', () => {
    const l = { ...pausedLedger(), deferred: [{ callSid: LEG, channels: 2 as const, ready: true }] };
    const s = drive({ action: 'resume', ledger: l }, world(pausedTruth(), { startBehaviour: 'lost-applied' })).settlement;
    expect(s.startedLegs).toEqual([LEG]);
    expect(s.status).toBe('recording');
    expect(s.complete?.outcome).toBe('ok');
  });
});

describe('needsReread', () => {
  it('is true exactly when an update or a start did not answer ok', () => {
    const ok = { sid: A, kind: 'ok' as const, after: rec(A, 'paused') };
    const bad = { sid: A, kind: 'failed' as const, failure: { recordingSid: A, code: 'X', message: 'x', twilioErrorCode: null } };
    expect(needsReread([ok], [])).toBe(false);
    expect(needsReread([ok, bad], [])).toBe(true);
    expect(needsReread([], [{ callSid: CALL, kind: 'unknown', failure: bad.failure }])).toBe(true);
  });
  it('is false for a refusal of a recording the listing already shows ended, true for a lost answer on it', () => {
    const bad = { sid: A, kind: 'failed' as const, failure: { recordingSid: A, code: 'CALL_NOT_IN_PROGRESS', message: 'x', twilioErrorCode: 21220 } };
    const listing = { ok: true as const, recordings: [rec(A, 'completed')] };
    expect(needsReread([bad], [], listing)).toBe(false);
    expect(needsReread([bad], [], { ok: true, recordings: [rec(A, 'in-progress')] })).toBe(true);
    expect(needsReread([{ ...bad, kind: 'unknown' }], [], listing)).toBe(true);
  });
});

describe('settleChange without phase 2 (a plan made from a listing)', () => {
  it('settles from the given listing', () => {
    const plan = planChange({ action: 'pause', ledger: ledger(), actor: AGENT, reason: 'manual', behavior: 'silence', listing: capturing() });
    const s = settleChange({
      plan,
      updates: plan.updates.map((u) => ({
        sid: u.sid,
        kind: 'ok' as const,
        after: { ...(capturing().find((r) => r.sid === u.sid) ?? rec(u.sid, 'paused')), status: 'paused' as const },
      })),
      starts: [],
      now: 1,
      policy: POLICY,
    });
    expect(s.status).toBe('paused');
    expect(s.spans.open.every((o) => o.behavior === 'silence')).toBe(true);
  });
});
