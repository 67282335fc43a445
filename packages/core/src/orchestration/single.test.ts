import { describe, expect, it } from 'vitest';
import { settleSingleChange } from './single.ts';
import { AGENT, ledger, openPause, POLICY, rec } from '../../test/support/orchestration.ts';

const A = 'RE' + 'a'.repeat(32);
const B = 'RE' + 'b'.repeat(32);
const base = { actor: AGENT, behavior: 'silence' as const, now: 5_000, policy: POLICY };

describe('settleSingleChange (template routes, Twilio Functions)', () => {
  it('a pause of the only recording: span at the provider time, the pause opened with its deadlines', () => {
    const s = settleSingleChange({
      ...base,
      ledger: ledger({ known: [rec(A, 'in-progress')] }),
      change: 'pause',
      recording: { ...rec(A, 'paused'), at: 4_900 },
      listing: { ok: true, recordings: [rec(A, 'paused')] },
    });
    expect(s.spans.open).toEqual([
      { recordingSid: A, taskSid: ledger().taskSid, pausedAt: 4_900, behavior: 'silence', pausedBy: 'alice', role: 'agent', reason: 'seed-route' },
    ]);
    expect(s.pause).toEqual({
      kind: 'open',
      pause: { pausedAt: 4_900, pausedBy: 'alice', role: 'agent', behavior: 'silence', reminderFired: false, reminderAt: 34_900, autoResumeAt: 124_900 },
    });
    expect(s.status).toBe('paused');
    expect(s.alarm).toBeNull();
  });

  it('a pause of one of two: partially paused, the alarm names the other, the pause still opened', () => {
    const s = settleSingleChange({
      ...base,
      ledger: ledger(),
      change: 'pause',
      recording: rec(A, 'paused'),
      listing: { ok: true, recordings: [rec(A, 'paused'), rec(B, 'in-progress', 'conference')] },
    });
    expect(s.status).toBe('partially-paused');
    expect(s.alarm).toEqual({ capturing: [B] });
    expect(s.pause.kind).toBe('open');
  });

  it('a pause of an already paused recording with its span open: nothing new', () => {
    const l = ledger({ openSpans: [{ recordingSid: A, pausedAt: 1 }], pause: openPause(1) });
    const s = settleSingleChange({ ...base, ledger: l, change: 'pause', recording: rec(A, 'paused'), listing: { ok: true, recordings: [rec(A, 'paused')] } });
    expect([s.spans.open, s.spans.close, s.pause]).toEqual([[], [], { kind: 'none' }]);
  });

  it('a resume: the span closes (not before it opened) and the pause closes once nothing is paused', () => {
    const l = ledger({ openSpans: [{ recordingSid: A, pausedAt: 6_000 }], pause: openPause(6_000) });
    const s = settleSingleChange({
      ...base,
      ledger: l,
      change: 'resume',
      recording: rec(A, 'in-progress'),
      listing: { ok: true, recordings: [rec(A, 'in-progress')] },
    });
    expect(s.spans.close).toEqual([{ recordingSid: A, resumedAt: 6_000, resumedBy: 'alice' }]);
    expect(s.pause).toEqual({ kind: 'close', at: 5_000, by: 'alice', reason: 'resume' });
  });

  it('without a listing (no task, or it failed): only the span moves', () => {
    const s = settleSingleChange({ ...base, ledger: ledger(), change: 'pause', recording: rec(A, 'paused') });
    expect(s.spans.open).toHaveLength(1);
    expect(s.pause).toEqual({ kind: 'none' });
    expect(s.status).toBeNull();
  });
});
