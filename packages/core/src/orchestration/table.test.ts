import { describe, expect, it } from 'vitest';
import type { TaskRecordingStatus } from '../aggregate-status.ts';
import { brokenPromises } from '../../test/support/invariants.ts';
import type { RequestedAction, TaskLedger, TrackedRecording } from './model.ts';
import { drive, ledger, openPause, rec, world, type Behaviour, type World } from '../../test/support/orchestration.ts';

/**
 * Every action x current state x result mix: the promises of `brokenPromises` hold in each cell,
 * and with every answer ok the task ends exactly where the table says.
 */
const A = 'RE' + 'a'.repeat(32);
const B = 'RE' + 'b'.repeat(32);
const C = 'RE' + 'c'.repeat(32);
const LEG = 'CA' + 'e'.repeat(32);
const span = (sid: string) => ({ recordingSid: sid, pausedAt: 0 });

interface State {
  readonly ledger: TaskLedger;
  readonly truth: () => TrackedRecording[];
}
const STATES: Record<string, State> = {
  recording: {
    ledger: ledger({ known: [rec(A, 'in-progress'), rec(B, 'in-progress', 'conference')] }),
    truth: () => [rec(A, 'in-progress'), rec(B, 'in-progress', 'conference')],
  },
  paused: {
    ledger: ledger({ known: [rec(A, 'paused'), rec(B, 'paused', 'conference')], openSpans: [span(A), span(B)], pause: openPause() }),
    truth: () => [rec(A, 'paused'), rec(B, 'paused', 'conference')],
  },
  partial: {
    ledger: ledger({ known: [rec(A, 'paused'), rec(B, 'in-progress', 'conference')], openSpans: [span(A)], pause: openPause() }),
    truth: () => [rec(A, 'paused'), rec(B, 'in-progress', 'conference')],
  },
  none: { ledger: ledger(), truth: () => [] },
  'stale (resumed elsewhere)': {
    ledger: ledger({ known: [rec(A, 'paused'), rec(B, 'paused', 'conference')], openSpans: [span(A), span(B)], pause: openPause() }),
    truth: () => [rec(A, 'in-progress'), rec(B, 'paused', 'conference')],
  },
  'unknown recording': { ledger: ledger({ known: [rec(A, 'in-progress')] }), truth: () => [rec(A, 'in-progress'), rec(C, 'in-progress', 'conference')] },
  'deferred leg': {
    ledger: ledger({ known: [rec(A, 'paused')], openSpans: [span(A)], pause: openPause(), deferred: [{ callSid: LEG, channels: 2, ready: true }] }),
    truth: () => [rec(A, 'paused')],
  },
  'one ended': {
    ledger: ledger({ known: [rec(A, 'in-progress'), rec(B, 'in-progress', 'conference')] }),
    truth: () => [rec(A, 'completed'), rec(B, 'in-progress', 'conference')],
  },
};

const MIXES: Record<string, Partial<Omit<World, 'truth'>>> = {
  'all ok': {},
  'A refused': { behaviour: (sid) => (sid === A ? 'refuse' : 'ok') },
  'all refused': { behaviour: () => 'refuse', startBehaviour: 'refuse' },
  'A lost, happened': { behaviour: (sid): Behaviour => (sid === A ? 'lost-applied' : 'ok') },
  'A lost, did not happen': { behaviour: (sid): Behaviour => (sid === A ? 'lost-dropped' : 'ok') },
  'A lost, no re-read': { behaviour: (sid): Behaviour => (sid === A ? 'lost-applied' : 'ok'), rereadFails: true },
  'all lost, no re-read': { behaviour: () => 'lost-dropped', startBehaviour: 'lost-dropped', rereadFails: true },
  'listing fails': { listingFails: true },
  'listing fails, C lost': { listingFails: true, rereadFails: true, behaviour: (sid): Behaviour => (sid === C ? 'lost-applied' : 'ok') },
  'start refused': { startBehaviour: 'refuse' },
  'start lost, no re-read': { startBehaviour: 'lost-applied', rereadFails: true },
};

const ACTIONS: readonly RequestedAction[] = ['pause', 'resume', 'toggle', 'auto-resume'];

/** Where each state ends with every answer ok. */
const ALL_OK: Record<string, Record<RequestedAction, TaskRecordingStatus>> = {
  recording: { pause: 'paused', resume: 'recording', toggle: 'paused', 'auto-resume': 'recording' },
  paused: { pause: 'paused', resume: 'recording', toggle: 'recording', 'auto-resume': 'recording' },
  partial: { pause: 'paused', resume: 'recording', toggle: 'paused', 'auto-resume': 'recording' },
  none: { pause: 'not-recording', resume: 'not-recording', toggle: 'not-recording', 'auto-resume': 'not-recording' },
  'stale (resumed elsewhere)': { pause: 'paused', resume: 'recording', toggle: 'recording', 'auto-resume': 'recording' },
  'unknown recording': { pause: 'paused', resume: 'recording', toggle: 'paused', 'auto-resume': 'recording' },
  'deferred leg': { pause: 'paused', resume: 'recording', toggle: 'recording', 'auto-resume': 'recording' },
  'one ended': { pause: 'paused', resume: 'recording', toggle: 'paused', 'auto-resume': 'recording' },
};

const cells = Object.entries(STATES).flatMap(([state, s]) =>
  ACTIONS.flatMap((action) => Object.entries(MIXES).map(([mix, m]) => ({ state, s, action, mix, m }))),
);

describe('orchestration table: action x state x result mix', () => {
  it.each(cells)('$action on $state with $mix keeps every promise', ({ s, action, m }) => {
    const w = world(s.truth(), m);
    const d = drive({ action, ledger: s.ledger }, w);
    expect(brokenPromises(d, s.ledger, w.truth)).toEqual([]);
  });

  it.each(Object.entries(STATES).flatMap(([state, s]) => ACTIONS.map((action) => ({ state, s, action }))))(
    '$action on $state with every answer ok ends as the table says',
    ({ state, s, action }) => {
      const d = drive({ action, ledger: s.ledger }, world(s.truth()));
      expect(d.settlement.status).toBe(ALL_OK[state]?.[action]);
      expect(d.settlement.error?.code ?? null).toBe(state === 'none' ? 'CONFLICT' : null);
      // One sequential round trip unless the listing revealed something the ledger did not know.
      const surprise = state === 'unknown recording' || state === 'stale (resumed elsewhere)';
      expect(d.requests.length).toBeLessThanOrEqual(surprise ? 2 : 1);
    },
  );
});
