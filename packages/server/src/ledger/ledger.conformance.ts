/**
 * The conformance suite every PauseLedger implementation runs (hono's `common.case.test.ts`
 * habit): `sqlite-ledger.test.ts` and `postgres-ledger.test.ts` call it. It states
 * the contract the orchestration shell relies on, in the interface's own terms only.
 */
import type { AuditEntry, OpenPause } from '@pause-recording/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { PauseLedger, SeenRecording, TaskRef } from './ledger.ts';

export interface LedgerFixture {
  readonly ledger: PauseLedger;
  close(): Promise<void>;
}

const T1: TaskRef = {
  sid: 'WT00000000000000000000000000000001',
  callSid: 'CA00000000000000000000000000000001',
  conferenceSid: 'CF00000000000000000000000000000001',
  legs: ['CA00000000000000000000000000000001', 'CA00000000000000000000000000000002'],
};
const T2: TaskRef = {
  sid: 'WT00000000000000000000000000000002',
  callSid: 'CA00000000000000000000000000000003',
  conferenceSid: null,
  legs: ['CA00000000000000000000000000000003'],
};

const rec = (n: number, over: Partial<SeenRecording> = {}): SeenRecording => ({
  sid: `RE0000000000000000000000000000000${n}`,
  callSid: 'CA00000000000000000000000000000002',
  conferenceSid: null,
  source: 'StartCallRecordingAPI',
  channels: 2,
  status: 'in-progress',
  ...over,
});
const RE = (n: number): string => `RE0000000000000000000000000000000${n}`;

const entry = (over: Partial<AuditEntry> = {}): AuditEntry => ({
  action: 'pause',
  actor: 'alice',
  role: 'agent',
  taskSid: T1.sid,
  callSid: T1.callSid,
  conferenceSid: T1.conferenceSid,
  recordingSids: [RE(1)],
  details: { reason: 'manual' },
  ...over,
});

const pause = (pausedAt: number, over: Partial<OpenPause> = {}): OpenPause => ({
  pausedAt,
  pausedBy: 'alice',
  role: 'agent',
  behavior: 'skip',
  reminderAt: null,
  autoResumeAt: null,
  reminderFired: false,
  ...over,
});

const span = (n: number, pausedAt: number) => ({
  recordingSid: RE(n),
  taskSid: T1.sid,
  pausedAt,
  behavior: 'skip' as const,
  pausedBy: 'alice',
  role: 'agent',
  reason: 'manual',
});

export function ledgerConformance(name: string, make: () => Promise<LedgerFixture>): void {
  describe(`PauseLedger conformance: ${name}`, () => {
    let fx: LedgerFixture | null = null;
    const open = async (): Promise<PauseLedger> => {
      fx = await make();
      return fx.ledger;
    };
    afterEach(async () => {
      await fx?.close();
      fx = null;
    });

    it('an unknown task has an empty view', async () => {
      const l = await open();
      expect(await l.view(T1)).toEqual({
        taskSid: T1.sid,
        callSid: T1.callSid,
        conferenceSid: T1.conferenceSid,
        known: [],
        deferred: [],
        openSpans: [],
        pause: null,
        pauseId: null,
      });
      expect(await l.openPause(T1.sid)).toBeNull();
      expect(await l.recordings()).toEqual([]);
    });

    it('remembers recordings: the view holds the active ones of the task legs and conference, each with its owner', async () => {
      const l = await open();
      await l.settle({
        taskSid: T1.sid,
        firstSeenAt: 1000,
        remember: [
          rec(1),
          rec(2, { callSid: null, conferenceSid: T1.conferenceSid, source: 'StartConferenceRecordingAPI', channels: 1, status: 'paused' }),
          rec(3, { status: 'completed' }),
          rec(4, { callSid: 'CA00000000000000000000000000000009' }),
        ],
      });
      const v = await l.view(T1);
      expect(v.known.map((r) => [r.sid, r.status, r.owner])).toEqual([
        [RE(1), 'in-progress', { kind: 'call', callSid: 'CA00000000000000000000000000000002' }],
        [RE(2), 'paused', { kind: 'conference', conferenceSid: T1.conferenceSid }],
      ]);
      expect((await l.recording(RE(3)))?.status).toBe('completed');
      expect((await l.recording(RE(1)))?.firstSeenAt).toBe(1000);
      expect((await l.recordings({ taskSids: [T1.sid] })).map((r) => r.sid)).toEqual([RE(1), RE(2), RE(3), RE(4)]);
      expect(await l.recordings({ taskSids: [] })).toEqual([]);
    });

    it("a recording's task is set once: a later write cannot hand it to another task; status and timing refresh", async () => {
      const l = await open();
      await l.settle({ taskSid: T1.sid, remember: [rec(1)], firstSeenAt: 5 });
      await l.settle({ taskSid: T2.sid, remember: [rec(1, { status: 'completed', duration: '12' })], firstSeenAt: 9 });
      expect(await l.recording(RE(1))).toMatchObject({ taskSid: T1.sid, status: 'completed', duration: '12', firstSeenAt: 5 });
      await l.settle({ taskSid: null, remember: [rec(5)] });
      await l.settle({ taskSid: T2.sid, remember: [rec(5)] });
      expect((await l.recording(RE(5)))?.taskSid).toBe(T2.sid);
    });

    it('the audit: pending before the provider is asked, completed once (the first completion stands)', async () => {
      const l = await open();
      const e = await l.begin(entry());
      expect(e.outcome).toBe('pending');
      expect((await l.unresolvedAudit()).map((x) => x.id)).toEqual([e.id]);
      await l.settle({ taskSid: T1.sid, complete: { eventId: e.id, outcome: 'ok', details: { changed: [RE(1)] } } });
      await l.settle({ taskSid: T1.sid, complete: { eventId: e.id, outcome: 'failed', details: { changed: [] } } });
      const [got] = await l.audit({ taskSid: T1.sid });
      expect(got).toMatchObject({ id: e.id, outcome: 'ok', details: { reason: 'manual', changed: [RE(1)] } });
      expect(await l.unresolvedAudit()).toEqual([]);
    });

    it('the audit names recordings a completion started, and filters by task, actor and time', async () => {
      const l = await open();
      const e = await l.begin(entry({ action: 'resume', recordingSids: [] }));
      await l.settle({ taskSid: T1.sid, complete: { eventId: e.id, outcome: 'ok', details: { startedRecordingSids: [RE(7)] } } });
      await l.append({ ...entry({ actor: 'bob', taskSid: T2.sid }), outcome: 'failed', at: '2030-01-01T00:00:00.000Z' });
      expect((await l.audit({ taskSid: T1.sid }))[0]?.recordingSids).toEqual([RE(7)]);
      expect((await l.audit({ actor: 'bob' })).map((x) => x.taskSid)).toEqual([T2.sid]);
      expect((await l.audit({ actor: 'bob', orTaskSids: [T1.sid] })).length).toBe(2);
      expect((await l.audit({ from: '2029-12-31T00:00:00Z' })).map((x) => x.actor)).toEqual(['bob']);
      expect((await l.audit({ limit: 1 })).length).toBe(1);
    });

    it('spans: a pause opens one per recording (never two), a resume closes it, never before it opened', async () => {
      const l = await open();
      await l.settle({ taskSid: T1.sid, remember: [rec(1), rec(2)], spans: { open: [span(1, 100), span(2, 100)], close: [] } });
      await l.settle({ taskSid: T1.sid, spans: { open: [span(1, 150)], close: [] } });
      expect((await l.view(T1)).openSpans).toEqual([
        { recordingSid: RE(1), pausedAt: 100 },
        { recordingSid: RE(2), pausedAt: 100 },
      ]);
      await l.settle({ taskSid: T1.sid, spans: { open: [], close: [{ recordingSid: RE(1), resumedAt: 50, resumedBy: 'alice' }] } });
      expect(await l.spans(RE(1))).toEqual([
        {
          recordingSid: RE(1),
          taskSid: T1.sid,
          pausedAt: 100,
          resumedAt: 100,
          behavior: 'skip',
          pausedBy: 'alice',
          role: 'agent',
          reason: 'manual',
          resumedBy: 'alice',
        },
      ]);
      await l.settle({ taskSid: T1.sid, spans: { open: [span(1, 200)], close: [] } });
      expect((await l.spans(RE(1))).map((s) => [s.pausedAt, s.resumedAt])).toEqual([
        [100, 100],
        [200, null],
      ]);
    });

    it('the pause record opens only when none is open and closes with its reason', async () => {
      const l = await open();
      const r1 = await l.settle({ taskSid: T1.sid, pause: { kind: 'open', pause: pause(100, { reminderAt: 200, autoResumeAt: 300 }) } });
      expect(r1.opened).toMatchObject({ taskSid: T1.sid, pausedAt: 100, reminderAt: 200, autoResumeAt: 300, reminderFired: false, closedAt: null });
      const r2 = await l.settle({ taskSid: T1.sid, pause: { kind: 'open', pause: pause(150) } });
      expect(r2.opened).toBeNull();
      expect((await l.openPause(T1.sid))?.pausedAt).toBe(100);
      expect((await l.view(T1)).pauseId).toBe(r1.opened?.id);
      expect((await l.openPauses()).map((p) => p.taskSid)).toEqual([T1.sid]);
      await l.settle({ taskSid: T1.sid, pause: { kind: 'close', at: 400, by: 'alice', reason: 'resume' } });
      expect(await l.openPause(T1.sid)).toBeNull();
      expect(await l.openPauses()).toEqual([]);
    });

    it('deferred legs: added by a transfer while paused, gone once started', async () => {
      const l = await open();
      await l.settle({ taskSid: T1.sid, defer: [{ callSid: 'CA00000000000000000000000000000005', channels: 2, ready: true }] });
      expect((await l.view(T1)).deferred).toEqual([{ callSid: 'CA00000000000000000000000000000005', channels: 2, ready: true }]);
      expect(await l.deferredLegs(T2.sid)).toEqual([]);
      // A second transfer while paused replaces the leg in one write.
      await l.settle({
        taskSid: T1.sid,
        undefer: ['CA00000000000000000000000000000005'],
        defer: [{ callSid: 'CA00000000000000000000000000000006', channels: 2, ready: true }],
      });
      expect((await l.deferredLegs(T1.sid)).map((d) => d.callSid)).toEqual(['CA00000000000000000000000000000006']);
      await l.settle({ taskSid: T1.sid, undefer: ['CA00000000000000000000000000000006'] });
      expect(await l.deferredLegs(T1.sid)).toEqual([]);
    });

    it('a settlement is one transaction: when any part is refused, nothing of it is stored', async () => {
      const l = await open();
      // Completing an event that does not exist is refused (no pending event to complete).
      await expect(
        l.settle({
          taskSid: T1.sid,
          remember: [rec(1)],
          spans: { open: [span(1, 100)], close: [] },
          pause: { kind: 'open', pause: pause(100) },
          complete: { eventId: 999_999, outcome: 'ok', details: {} },
        }),
      ).rejects.toThrow();
      expect(await l.recording(RE(1))).toBeNull();
      expect(await l.spans(RE(1))).toEqual([]);
      expect(await l.openPause(T1.sid)).toBeNull();
    });

    it('the end of a call closes its spans and its pause and forgets its deferred legs', async () => {
      const l = await open();
      await l.settle({
        taskSid: T1.sid,
        remember: [rec(1)],
        spans: { open: [span(1, 100)], close: [] },
        pause: { kind: 'open', pause: pause(100) },
        defer: [{ callSid: 'CA00000000000000000000000000000005', channels: 2, ready: false }],
      });
      await l.endTask(T1.sid, 500, 'call-ended');
      expect((await l.spans(RE(1)))[0]).toMatchObject({ resumedAt: 500, resumedBy: 'call-ended' });
      expect(await l.view(T1)).toMatchObject({ openSpans: [], pause: null, deferred: [] });
    });

    it('deadlines: exactly one claimant gets a due pause until its lease ends; a sent reminder and a tried auto-resume are not due again at once', async () => {
      const l = await open();
      const { opened } = await l.settle({ taskSid: T1.sid, pause: { kind: 'open', pause: pause(0, { reminderAt: 1000, autoResumeAt: 5000 }) } });
      await l.settle({ taskSid: T2.sid, pause: { kind: 'open', pause: pause(0) } }); // no deadlines: never claimed
      const id = opened?.id ?? -1;
      expect(await l.claimDeadlines(999, 'a', 10_000)).toEqual([]);
      const [a, b] = await Promise.all([l.claimDeadlines(1000, 'a', 10_000), l.claimDeadlines(1000, 'b', 10_000)]);
      expect([...(a ?? []), ...(b ?? [])].map((c) => [c.pause.id, c.until])).toEqual([[id, 11_000]]);
      expect(await l.claimDeadlines(2000, 'c', 10_000)).toEqual([]);
      // The claimant sends the reminder and gives the claim back: nothing is due until the auto-resume.
      await l.settle({ taskSid: T1.sid, reminded: id });
      await l.release(id, a?.length ? 'a' : 'b');
      expect((await l.openPause(T1.sid))?.reminderFired).toBe(true);
      expect(await l.claimDeadlines(4999, 'c', 10_000)).toEqual([]);
      const due = await l.claimDeadlines(5000, 'c', 100);
      expect(due.map((c) => c.pause.id)).toEqual([id]);
      // The auto-resume left the pause open: the next try waits, and a lapsed lease lets another instance take over.
      await l.settle({ taskSid: T1.sid, autoResumeAttempt: { pauseId: id, at: 5000 } });
      expect(await l.claimDeadlines(5100, 'd', 100)).toEqual([]);
      expect((await l.claimDeadlines(7000, 'd', 100)).map((c) => c.pause.lastAutoResumeAttemptAt)).toEqual([5000]);
      // A closed pause is never due.
      await l.settle({ taskSid: T1.sid, pause: { kind: 'close', at: 7100, by: 'system', reason: 'auto-resume' } });
      expect(await l.claimDeadlines(99_999, 'e', 100)).toEqual([]);
    });

    it('tells a refusal of storage from a bug', async () => {
      const l = await open();
      expect(l.isUnavailable(new Error('not storage'))).toBe(false);
      expect(l.isUnavailable(null)).toBe(false);
    });

    it('answers ping while storage works, and a ping writes nothing', async () => {
      const l = await open();
      await l.begin(entry());
      const audit = await l.audit({});
      await expect(l.ping()).resolves.toBeUndefined();
      expect(await l.audit({})).toEqual(audit);
      expect(await l.openPauses()).toEqual([]);
    });
  });
}
