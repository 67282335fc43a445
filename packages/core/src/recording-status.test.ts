import { describe, expect, it } from 'vitest';
import {
  RECORDING_STATUSES,
  REQUESTABLE_STATUSES,
  canTransition,
  isActive,
  isFinal,
  isRecordingStatus,
  isRequestableStatus,
  nextStatuses,
  planUpdate,
  type RecordingStatus,
  type UpdateOutcome,
} from './recording-status.ts';

/** Every legal one-step move, written out independently of the implementation's table. */
const LEGAL: ReadonlyArray<[RecordingStatus, RecordingStatus]> = [
  ['in-progress', 'paused'],
  ['in-progress', 'stopped'],
  ['paused', 'in-progress'],
  ['paused', 'stopped'],
  ['stopped', 'processing'],
  ['processing', 'completed'],
  ['processing', 'absent'],
  ['processing', 'failed'],
];
const isLegal = (from: RecordingStatus, to: RecordingStatus): boolean => LEGAL.some(([f, t]) => f === from && t === to);
const ALL_PAIRS = RECORDING_STATUSES.flatMap((from) => RECORDING_STATUSES.map((to) => [from, to] as [RecordingStatus, RecordingStatus]));

describe('statuses', () => {
  it('are the ones Twilio reports, in lifecycle order', () => {
    expect(RECORDING_STATUSES).toEqual(['in-progress', 'paused', 'stopped', 'processing', 'completed', 'absent', 'failed']);
    expect(REQUESTABLE_STATUSES).toEqual(['in-progress', 'paused', 'stopped']);
  });

  it('isRecordingStatus accepts exactly the statuses', () => {
    for (const s of RECORDING_STATUSES) expect(isRecordingStatus(s)).toBe(true);
    for (const v of ['In-Progress', 'in_progress', 'inprogress', 'deleted', 'queued', '', ' paused', undefined, null, 1, ['paused']]) {
      expect(isRecordingStatus(v), String(v)).toBe(false);
    }
  });

  it('isRequestableStatus accepts only what a client may ask for', () => {
    for (const s of RECORDING_STATUSES) expect(isRequestableStatus(s)).toBe(s === 'in-progress' || s === 'paused' || s === 'stopped');
    for (const v of ['Paused', 'PAUSED', 'pause', 'resume', '', null, undefined, 0]) expect(isRequestableStatus(v)).toBe(false);
  });
});

describe('canTransition: the full table', () => {
  it.each(ALL_PAIRS)('%s -> %s', (from, to) => {
    expect(canTransition(from, to)).toBe(isLegal(from, to));
  });

  it('staying put is never a transition', () => {
    for (const s of RECORDING_STATUSES) expect(canTransition(s, s)).toBe(false);
  });

  it('has exactly the legal moves listed, no more', () => {
    expect(ALL_PAIRS.filter(([f, t]) => canTransition(f, t))).toEqual(LEGAL);
  });

  it('nothing ever goes back to in-progress or paused once stopped', () => {
    for (const from of ['stopped', 'processing', 'completed', 'absent', 'failed'] as const) {
      expect(canTransition(from, 'in-progress')).toBe(false);
      expect(canTransition(from, 'paused')).toBe(false);
    }
  });

  it('every status is reachable from in-progress', () => {
    const seen = new Set<RecordingStatus>(['in-progress']);
    const queue: RecordingStatus[] = ['in-progress'];
    for (let s = queue.shift(); s !== undefined; s = queue.shift()) {
      for (const n of nextStatuses(s)) {
        if (!seen.has(n)) {
          seen.add(n);
          queue.push(n);
        }
      }
    }
    expect([...seen].sort()).toEqual([...RECORDING_STATUSES].sort());
  });
});

describe('nextStatuses', () => {
  it.each(RECORDING_STATUSES)('lists the legal moves from %s', (from) => {
    expect([...nextStatuses(from)].sort()).toEqual(
      LEGAL.filter(([f]) => f === from)
        .map(([, t]) => t)
        .sort(),
    );
  });
});

describe('isActive / isFinal', () => {
  it.each([
    ['in-progress', true, false],
    ['paused', true, false],
    ['stopped', false, false],
    ['processing', false, false],
    ['completed', false, true],
    ['absent', false, true],
    ['failed', false, true],
  ] as const)('%s: active %s, final %s', (status, active, final) => {
    expect(isActive(status)).toBe(active);
    expect(isFinal(status)).toBe(final);
  });

  it('no status is both active and final', () => {
    for (const s of RECORDING_STATUSES) expect(isActive(s) && isFinal(s)).toBe(false);
  });
});

describe('planUpdate', () => {
  const expected = (from: RecordingStatus, requested: (typeof REQUESTABLE_STATUSES)[number]): UpdateOutcome => {
    if (from !== 'in-progress' && from !== 'paused') return { kind: 'not-active' };
    if (from === requested) return { kind: 'no-op' };
    return { kind: 'change', to: requested };
  };
  const cases = RECORDING_STATUSES.flatMap((from) => REQUESTABLE_STATUSES.map((requested) => [from, requested] as const));

  it.each(cases)('%s, asked %s', (from, requested) => {
    expect(planUpdate(from, requested)).toEqual(expected(from, requested));
  });

  it('pause, resume and stop from the active states', () => {
    expect(planUpdate('in-progress', 'paused')).toEqual({ kind: 'change', to: 'paused' });
    expect(planUpdate('paused', 'in-progress')).toEqual({ kind: 'change', to: 'in-progress' });
    expect(planUpdate('in-progress', 'stopped')).toEqual({ kind: 'change', to: 'stopped' });
    expect(planUpdate('paused', 'stopped')).toEqual({ kind: 'change', to: 'stopped' });
  });

  it('asking for the current status is a no-op (idempotent)', () => {
    expect(planUpdate('paused', 'paused')).toEqual({ kind: 'no-op' });
    expect(planUpdate('in-progress', 'in-progress')).toEqual({ kind: 'no-op' });
  });

  it('anything asked of a recording that is no longer active is refused, even its own status', () => {
    expect(planUpdate('stopped', 'stopped')).toEqual({ kind: 'not-active' });
    expect(planUpdate('stopped', 'in-progress')).toEqual({ kind: 'not-active' });
    expect(planUpdate('completed', 'paused')).toEqual({ kind: 'not-active' });
    expect(planUpdate('processing', 'stopped')).toEqual({ kind: 'not-active' });
  });

  it('every change it plans is a legal transition', () => {
    for (const [from, requested] of cases) {
      const plan = planUpdate(from, requested);
      if (plan.kind === 'change') expect(canTransition(from, plan.to), `${from} -> ${plan.to}`).toBe(true);
    }
  });
});
