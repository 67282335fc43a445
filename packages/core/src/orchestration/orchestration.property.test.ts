import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RecordingStatus } from '../recording-status.ts';
import { decideExternalChange } from './external.ts';
import { brokenPromises } from '../../test/support/invariants.ts';
import type { DeferredLeg, OpenSpan, PauseAction, RequestedAction, TaskLedger, TrackedRecording } from './model.ts';
import { applySettlement, drive, ledger, openPause, POLICY, rec, world, type Behaviour } from '../../test/support/orchestration.ts';

const SIDS = ['a', 'b', 'c', 'd'].map((c) => 'RE' + c.repeat(32));
const LEG = 'CA' + 'e'.repeat(32);
const RUNS = { numRuns: 300 };

const status = fc.constantFrom<RecordingStatus>('in-progress', 'paused', 'completed');
const behaviour = fc.constantFrom<Behaviour>('ok', 'ok', 'refuse', 'lost-applied', 'lost-dropped');
const action = fc.constantFrom<RequestedAction>('pause', 'resume', 'toggle', 'auto-resume');

/** The provider's recordings, the ledger's (possibly stale or incomplete) view of them, and how each request fares. */
const scenario = fc
  .record({
    recs: fc.array(fc.record({ truth: status, known: fc.option(status, { nil: undefined }), conference: fc.boolean() }), { maxLength: 4 }),
    deferred: fc.option(fc.boolean(), { nil: undefined }),
    behaviours: fc.array(behaviour, { minLength: 4, maxLength: 4 }),
    startBehaviour: behaviour,
    listingFails: fc.boolean(),
    rereadFails: fc.boolean(),
    action,
  })
  .map((g) => {
    const truth = g.recs.map((r, i) => rec(SIDS[i] as string, r.truth, r.conference ? 'conference' : 'call'));
    const known = g.recs.flatMap((r, i) => (r.known === undefined ? [] : [rec(SIDS[i] as string, r.known, r.conference ? 'conference' : 'call')]));
    const openSpans: OpenSpan[] = known.filter((r) => r.status === 'paused').map((r) => ({ recordingSid: r.sid, pausedAt: 0 }));
    const deferred: DeferredLeg[] = g.deferred === undefined ? [] : [{ callSid: LEG, channels: 2, ready: g.deferred }];
    const l = ledger({ known, openSpans, deferred, pause: openSpans.length > 0 || deferred.length > 0 ? openPause() : null });
    const byIndex = (sid: string): Behaviour => g.behaviours[SIDS.indexOf(sid)] ?? 'ok';
    return { truth, ledger: l, behaviour: byIndex, ...g };
  });

describe('orchestration properties over random result mixes', () => {
  it('every settlement keeps its promises: never paused while anything may capture, one completion per acted-on recording, phase 2 disjoint from phase 1', () => {
    fc.assert(
      fc.property(scenario, (sc) => {
        const before = sc.truth.map((r) => ({ ...r }));
        const w = world(sc.truth, { behaviour: sc.behaviour, startBehaviour: sc.startBehaviour, listingFails: sc.listingFails, rereadFails: sc.rereadFails });
        const d = drive({ action: sc.action, ledger: sc.ledger }, w);
        expect(brokenPromises(d, sc.ledger, w.truth)).toEqual([]);
        // The state shown to the agent agrees: `paused` lists only paused recordings and nothing capturing.
        if (d.settlement.status === 'paused') {
          expect(d.settlement.state.recordings.every((r) => r.status === 'paused')).toBe(true);
          expect(d.settlement.state.capturing).toEqual([]);
        }
        // Phase 2 holds only recordings the listing showed in the other status that phase 1 did not ask.
        const phase1 = new Set(d.plan.updates.map((u) => u.sid));
        for (const u of d.phase2?.updates ?? []) {
          expect(phase1.has(u.sid)).toBe(false);
          expect(before.find((r) => r.sid === u.sid)?.status).toBe(d.plan.action === 'pause' ? 'in-progress' : 'paused');
        }
      }),
      RUNS,
    );
  });

  it('plan is idempotent on a no-op: after an action that fully succeeded, the same action asks and records nothing', () => {
    const steady = scenario.map((sc) => ({ ...sc, action: sc.action === 'toggle' ? ('pause' as const) : sc.action }));
    fc.assert(
      fc.property(steady, (sc) => {
        const w = world(sc.truth);
        const first = drive({ action: sc.action, ledger: sc.ledger }, w, 1_000);
        const after = applySettlement(sc.ledger, first.settlement, []);
        const again = drive({ action: sc.action, ledger: after }, w, 2_000);
        expect(again.plan.updates).toEqual([]);
        expect(again.plan.starts).toEqual([]);
        expect(again.plan.audit).toBeNull();
        expect(again.phase2?.updates ?? []).toEqual([]);
        expect(again.requests).toEqual([['list']]);
        const s = again.settlement;
        expect([s.complete, s.append, s.spans.open.length, s.spans.close.length, s.pause.kind]).toEqual([null, null, 0, 0, 'none']);
        expect(s.status).toBe(first.settlement.status);
      }),
      RUNS,
    );
  });

  type Step =
    { kind: 'act'; action: RequestedAction; behaviours: Behaviour[]; listingFails: boolean; rereadFails: boolean } | { kind: 'flip' | 'end'; index: number };
  const step: fc.Arbitrary<Step> = fc.oneof(
    {
      weight: 5,
      arbitrary: fc.record({
        kind: fc.constant('act' as const),
        action,
        behaviours: fc.array(behaviour, { minLength: 4, maxLength: 4 }),
        listingFails: fc.boolean(),
        rereadFails: fc.boolean(),
      }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('flip' as const), index: fc.nat(3) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('end' as const), index: fc.nat(3) }) },
  );

  it('over any sequence of actions, external changes and endings, spans never overlap and close in order', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(step, { minLength: 1, maxLength: 25 }), (n, steps) => {
        const truth: TrackedRecording[] = SIDS.slice(0, n).map((sid, i) => rec(sid, 'in-progress', i % 2 === 0 ? 'call' : 'conference'));
        let l: TaskLedger = ledger({ known: truth.map((r) => ({ ...r })), deferred: [{ callSid: LEG, channels: 2, ready: true }] });
        const closed: { recordingSid: string; pausedAt: number; resumedAt: number }[] = [];
        let made = 0;
        steps.forEach((st, i) => {
          const now = (i + 1) * 1_000;
          if (st.kind === 'act') {
            const w = world(truth, {
              behaviour: (sid) => st.behaviours[SIDS.indexOf(sid)] ?? 'ok',
              listingFails: st.listingFails,
              rereadFails: st.rereadFails,
              // The provider stamps a change a little before the answer arrives.
              stamp: (sid) => now - 100 - SIDS.indexOf(sid) * 50,
              nextSid: () => `RE${String(++made).padStart(32, 'f')}`,
            });
            const d = drive({ action: st.action, ledger: l }, w, now);
            expect(brokenPromises(d, l, truth)).toEqual([]);
            l = applySettlement(l, d.settlement, closed);
            return;
          }
          const r = truth[st.index % truth.length] as TrackedRecording;
          const idx = truth.indexOf(r);
          if (r.status !== 'in-progress' && r.status !== 'paused') return;
          truth[idx] = { ...r, status: st.kind === 'end' ? 'completed' : r.status === 'paused' ? 'in-progress' : 'paused' };
          const x = decideExternalChange({ ledger: l, observed: truth.map((t) => ({ ...t })), seenBy: 'reconcile', now, behavior: 'skip', policy: POLICY });
          const spans = new Map(l.openSpans.map((s) => [s.recordingSid, s]));
          for (const c of x.spans.close) {
            const o = spans.get(c.recordingSid);
            if (o !== undefined) closed.push({ recordingSid: c.recordingSid, pausedAt: o.pausedAt, resumedAt: c.resumedAt });
            spans.delete(c.recordingSid);
          }
          for (const o of x.spans.open) {
            expect(spans.has(o.recordingSid)).toBe(false);
            spans.set(o.recordingSid, { recordingSid: o.recordingSid, pausedAt: o.pausedAt });
          }
          l = { ...l, openSpans: [...spans.values()], known: [...x.remember], pause: x.pause.kind === 'open' ? x.pause.pause : l.pause };
        });
        for (const sid of new Set([...closed.map((c) => c.recordingSid), ...l.openSpans.map((s) => s.recordingSid)])) {
          const mine = closed.filter((c) => c.recordingSid === sid);
          let lastEnd = -Infinity;
          for (const c of mine) {
            // Closed in the order they opened, each after it began and after the one before ended.
            expect(c.resumedAt).toBeGreaterThanOrEqual(c.pausedAt);
            expect(c.pausedAt).toBeGreaterThanOrEqual(lastEnd);
            lastEnd = c.resumedAt;
          }
          const open = l.openSpans.filter((s) => s.recordingSid === sid);
          expect(open.length).toBeLessThanOrEqual(1);
          for (const o of open) expect(o.pausedAt).toBeGreaterThanOrEqual(lastEnd);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('settles each pause action to the status the provider holds when every answer and the listing came back', () => {
    fc.assert(
      fc.property(scenario, fc.constantFrom<PauseAction>('pause', 'resume'), (sc, a) => {
        const w = world(sc.truth);
        const d = drive({ action: a, ledger: sc.ledger }, w);
        const active = w.truth.filter((r) => r.status === 'in-progress' || r.status === 'paused');
        const want = a === 'pause' ? 'paused' : 'in-progress';
        expect(active.every((r) => r.status === want)).toBe(true);
        if (active.length > 0) expect(d.settlement.error).toBeNull();
      }),
      RUNS,
    );
  });
});
