import { describe, expect, it } from 'vitest';
import { ledgerStatus, planChange, planPhase2 } from './plan.ts';
import { resolveAction } from './model.ts';
import { AGENT, CALL, CONF, drive, ledger, rec, world } from '../../test/support/orchestration.ts';

const A = 'RE' + 'a'.repeat(32);
const B = 'RE' + 'b'.repeat(32);
const C = 'RE' + 'c'.repeat(32);
const LEG = 'CA' + 'e'.repeat(32);
const base = { actor: AGENT, reason: 'manual', behavior: 'skip' as const };

describe('resolveAction', () => {
  it('keeps pause, resume and auto-resume as asked', () => {
    for (const a of ['pause', 'resume', 'auto-resume'] as const) {
      for (const s of ['recording', 'paused', 'partially-paused', 'not-recording'] as const) expect(resolveAction(a, s)).toBe(a);
    }
  });
  it('toggles to pause while anything captures (a partial pause is finished, never undone) and to resume otherwise', () => {
    expect(resolveAction('toggle', 'recording')).toBe('pause');
    expect(resolveAction('toggle', 'partially-paused')).toBe('pause');
    expect(resolveAction('toggle', 'paused')).toBe('resume');
    expect(resolveAction('toggle', 'not-recording')).toBe('resume');
  });
});

describe('ledgerStatus', () => {
  it('aggregates the known recordings and counts a deferred leg as paused', () => {
    expect(ledgerStatus(ledger())).toBe('not-recording');
    expect(ledgerStatus(ledger({ known: [rec(A, 'in-progress')] }))).toBe('recording');
    expect(ledgerStatus(ledger({ known: [rec(A, 'in-progress')], deferred: [{ callSid: LEG, channels: 2, ready: true }] }))).toBe('partially-paused');
    expect(ledgerStatus(ledger({ deferred: [{ callSid: LEG, channels: 2, ready: true }] }))).toBe('paused');
  });
});

describe('planChange (phase 1)', () => {
  it('updates every known recording in the other status, through its owner, with the behaviour, and lists alongside', () => {
    const l = ledger({ known: [rec(A, 'in-progress'), rec(B, 'in-progress', 'conference'), rec(C, 'completed')] });
    const p = planChange({ ...base, action: 'pause', ledger: l });
    expect(p.action).toBe('pause');
    expect(p.target).toBe('paused');
    expect(p.list).toBe(true);
    expect(p.updates).toEqual([
      { sid: A, owner: { kind: 'call', callSid: CALL }, status: 'paused', pauseBehavior: 'skip' },
      { sid: B, owner: { kind: 'conference', conferenceSid: CONF }, status: 'paused', pauseBehavior: 'skip' },
    ]);
    expect(p.starts).toEqual([]);
    expect(p.audit).toEqual({
      action: 'pause',
      actor: 'alice',
      role: 'agent',
      taskSid: l.taskSid,
      callSid: CALL,
      conferenceSid: CONF,
      recordingSids: [A, B],
      details: { reason: 'manual', pauseBehavior: 'skip' },
    });
  });

  it('skips recordings already at the target and writes no pending audit when it asks nothing', () => {
    const p = planChange({ ...base, action: 'pause', ledger: ledger({ known: [rec(A, 'paused')] }) });
    expect(p.updates).toEqual([]);
    expect(p.audit).toBeNull();
    expect(p.list).toBe(true);
  });

  it('on resume starts the ready deferred legs (not the unready ones) and names them in the pending audit', () => {
    const l = ledger({
      known: [rec(A, 'paused')],
      deferred: [
        { callSid: LEG, channels: 2, ready: true },
        { callSid: 'CA' + 'f'.repeat(32), channels: 2, ready: false },
      ],
    });
    const p = planChange({ ...base, action: 'resume', ledger: l });
    expect(p.updates.map((u) => [u.sid, u.status])).toEqual([[A, 'in-progress']]);
    expect(p.starts).toEqual([{ callSid: LEG, channels: 2 }]);
    expect(p.audit?.details).toEqual({ reason: 'manual', deferredRecordingCallSids: [LEG] });
    expect(planChange({ ...base, action: 'pause', ledger: l }).starts).toEqual([]);
  });

  it('resolves toggle from the ledger, or from a fresher status when given', () => {
    const l = ledger({ known: [rec(A, 'paused')] });
    expect(planChange({ ...base, action: 'toggle', ledger: l }).action).toBe('resume');
    expect(planChange({ ...base, action: 'toggle', ledger: l, current: 'partially-paused' }).action).toBe('pause');
  });

  it('given a listing, plans from it (not from the ledger) and needs no listing', () => {
    const p = planChange({ ...base, action: 'pause', ledger: ledger({ known: [rec(A, 'paused')] }), listing: [rec(A, 'in-progress'), rec(B, 'in-progress')] });
    expect(p.list).toBe(false);
    expect(p.updates.map((u) => u.sid)).toEqual([A, B]);
  });

  it('names a recording once even when the ledger repeats it', () => {
    const p = planChange({ ...base, action: 'pause', ledger: ledger({ known: [rec(A, 'in-progress'), rec(A, 'in-progress')] }) });
    expect(p.updates.map((u) => u.sid)).toEqual([A]);
  });
});

describe('planPhase2', () => {
  it('adds only what the listing revealed in the other status and phase 1 did not touch', () => {
    const p = planChange({ ...base, action: 'pause', ledger: ledger({ known: [rec(A, 'in-progress'), rec(B, 'paused')] }) });
    const two = planPhase2(
      p,
      { ok: true, recordings: [rec(A, 'in-progress'), rec(B, 'in-progress'), rec(C, 'in-progress', 'conference'), rec('RE' + '9'.repeat(32), 'paused')] },
      { starts: [] },
    );
    // B was stale in the ledger (resumed elsewhere), C unknown: both must follow, A is already asked.
    expect(two.updates.map((u) => u.sid)).toEqual([B, C]);
    expect(two.audit).toBeNull();
  });

  it('writes the pending audit itself when phase 1 wrote none', () => {
    const p = planChange({ ...base, action: 'pause', ledger: ledger() });
    const two = planPhase2(p, { ok: true, recordings: [rec(C, 'in-progress')] }, { starts: [] });
    expect(two.audit?.recordingSids).toEqual([C]);
  });

  it('is empty when the listing failed, when the plan was made from a listing, and skips a recording phase 1 started', () => {
    const p = planChange({ ...base, action: 'resume', ledger: ledger({ deferred: [{ callSid: LEG, channels: 2, ready: true }] }) });
    expect(
      planPhase2(p, { ok: false, failure: { recordingSid: '', code: 'UPSTREAM_UNAVAILABLE', message: 'x', twilioErrorCode: null } }, { starts: [] }).updates,
    ).toEqual([]);
    const given = planChange({ ...base, action: 'pause', ledger: ledger(), listing: [rec(A, 'in-progress')] });
    expect(planPhase2(given, { ok: true, recordings: [rec(B, 'in-progress')] }, { starts: [] }).updates).toEqual([]);
    const started = { ...rec(C, 'paused', 'call', LEG) };
    expect(planPhase2(p, { ok: true, recordings: [started] }, { starts: [{ callSid: LEG, kind: 'ok', recording: started }] }).updates).toEqual([]);
  });
});

describe('provider round trips per pause (issue 13)', () => {
  it('is one sequential round trip when every recording is known', () => {
    const d = drive(
      { action: 'pause', ledger: ledger({ known: [rec(A, 'in-progress'), rec(B, 'in-progress', 'conference')] }) },
      world([rec(A, 'in-progress'), rec(B, 'in-progress', 'conference')]),
    );
    expect(d.requests).toEqual([[`update ${A}`, `update ${B}`, 'list']]);
    expect(d.settlement.status).toBe('paused');
  });
  it('is two when the listing reveals a recording the server did not know', () => {
    const d = drive(
      { action: 'pause', ledger: ledger({ known: [rec(A, 'in-progress')] }) },
      world([rec(A, 'in-progress'), rec(B, 'in-progress', 'conference')]),
    );
    expect(d.requests).toEqual([[`update ${A}`, 'list'], [`update ${B}`]]);
    expect(d.settlement.status).toBe('paused');
  });
});
