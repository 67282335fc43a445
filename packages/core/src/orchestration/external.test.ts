import { describe, expect, it } from 'vitest';
import { decideExternalChange, EXTERNAL_ACTOR } from './external.ts';
import type { TaskLedger, TrackedRecording } from './model.ts';
import { ledger, openPause, POLICY, rec } from '../../test/support/orchestration.ts';

const A = 'RE' + 'a'.repeat(32);
const B = 'RE' + 'b'.repeat(32);
const decide = (l: TaskLedger, observed: TrackedRecording[], seenBy: 'reconcile' | 'status-callback' = 'status-callback') =>
  decideExternalChange({ ledger: l, observed, seenBy, now: 10_000, behavior: 'silence', policy: POLICY });
const pausedLedger = ledger({
  known: [rec(A, 'paused'), rec(B, 'paused', 'conference')],
  openSpans: [
    { recordingSid: A, pausedAt: 1_000 },
    { recordingSid: B, pausedAt: 1_000 },
  ],
  pause: openPause(1_000),
});

describe('decideExternalChange', () => {
  it('a recording resumed elsewhere during a pause: span closed by external, audited, the pause contradicted, the alarm raised', () => {
    const x = decide(pausedLedger, [rec(A, 'in-progress')]);
    expect(x.resumed).toEqual([A]);
    expect(x.spans.close).toEqual([{ recordingSid: A, resumedAt: 10_000, resumedBy: 'external' }]);
    expect(x.spans.open).toEqual([]);
    expect(x.pause).toEqual({ kind: 'contradicted' });
    expect(x.status).toBe('partially-paused');
    expect(x.alarm).toEqual({ capturing: [A] });
    expect(x.audit).toEqual({
      action: 'external-change',
      actor: 'external',
      role: 'system',
      taskSid: pausedLedger.taskSid,
      callSid: pausedLedger.callSid,
      conferenceSid: pausedLedger.conferenceSid,
      recordingSids: [A],
      details: { seenBy: 'status-callback', resumed: [A], paused: [], providerStatus: 'partially-paused' },
    });
  });

  it('every recording resumed elsewhere while the pause is open: still the alarm (the task counts as paused until resolved)', () => {
    const x = decide(pausedLedger, [rec(A, 'in-progress'), rec(B, 'in-progress', 'conference')], 'reconcile');
    expect(x.status).toBe('recording');
    expect(x.alarm).toEqual({ capturing: [A, B] });
    expect(x.audit?.details).toMatchObject({ seenBy: 'reconcile', resumed: [A, B] });
  });

  it('a recording paused elsewhere: a span opened by external with the configured behaviour, a pause with its deadlines, no alarm', () => {
    const x = decide(ledger({ known: [rec(A, 'in-progress')] }), [rec(A, 'paused')]);
    expect(x.paused).toEqual([A]);
    expect(x.spans.open).toEqual([
      {
        recordingSid: A,
        taskSid: pausedLedger.taskSid,
        pausedAt: 10_000,
        behavior: 'silence',
        pausedBy: 'external',
        role: 'system',
        reason: 'external-change',
      },
    ]);
    expect(x.pause).toEqual({
      kind: 'open',
      pause: {
        pausedAt: 10_000,
        pausedBy: EXTERNAL_ACTOR.identity,
        role: 'system',
        behavior: 'silence',
        reminderFired: false,
        reminderAt: 40_000,
        autoResumeAt: 130_000,
      },
    });
    expect(x.alarm).toBeNull();
    expect(x.status).toBe('paused');
  });

  it('half paused elsewhere: the alarm names what still captures', () => {
    const x = decide(ledger({ known: [rec(A, 'in-progress'), rec(B, 'in-progress', 'conference')] }), [rec(A, 'paused')]);
    expect(x.status).toBe('partially-paused');
    expect(x.alarm).toEqual({ capturing: [B] });
  });

  it("the callback of the ledger's own change: nothing to do", () => {
    const x = decide(pausedLedger, [rec(A, 'paused')]);
    expect([x.audit, x.alarm, x.spans.open, x.spans.close, x.pause]).toEqual([null, null, [], [], { kind: 'none' }]);
    expect(x.remember).toEqual([rec(A, 'paused')]);
  });

  it('a recording that ended closes its span quietly (no audit, no alarm)', () => {
    const x = decide(pausedLedger, [rec(A, 'stopped')]);
    expect(x.spans.close).toEqual([{ recordingSid: A, resumedAt: 10_000, resumedBy: 'recording-ended' }]);
    expect(x.audit).toBeNull();
    expect(x.alarm).toBeNull();
  });

  it('never closes a span before it opened', () => {
    const l = { ...pausedLedger, openSpans: [{ recordingSid: A, pausedAt: 20_000 }] };
    expect(decide(l, [rec(A, 'in-progress')]).spans.close[0]?.resumedAt).toBe(20_000);
  });
});
