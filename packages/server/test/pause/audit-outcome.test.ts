/**
 * The audit event of a pause is written before the provider is asked (`pending`, visible while
 * the provider works) and completed after: `unknown` when the provider's answer was lost and it
 * could not be asked again, so nobody reads a guess as a fact (and a change seen later points at it).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sdk, startSystem, waitUntil, type System } from '../support/system.ts';

let sys: System | null = null;
afterEach(async () => {
  await sys?.close();
  sys = null;
});

describe('audit outcome of a pause', () => {
  it('is pending while the provider works, then ok', async () => {
    sys = await startSystem();
    const s = sys;
    const { token, taskSid } = await s.acceptedCall('alice');
    s.engine.faults.add({ method: 'POST', path: '/Recordings/', action: 'delay', delayMs: 500, times: 0 });
    const pressing = s.api('POST', `/api/tasks/${taskSid}/recording/pause`, { token });
    const pending = await waitUntil('the pending event', () => s.server.audit.query({ taskSid }).find((e) => e.action === 'pause'));
    expect(pending).toMatchObject({ outcome: 'pending', actor: 'alice' });
    expect((await pressing).status).toBe(200);
    const done = s.server.audit.query({ taskSid }).filter((e) => e.action === 'pause');
    expect(done).toEqual([
      expect.objectContaining({ id: pending.id, at: pending.at, outcome: 'ok', details: expect.objectContaining({ completedAt: expect.any(String) }) }),
    ]);
  });

  it('is unknown when the answer is lost and the provider cannot be asked again', async () => {
    sys = await startSystem({ env: { TWILIO_RETRY_BUDGET_MS: '300' } });
    const s = sys;
    const { token, taskSid } = await s.acceptedCall('alice');
    const t = s.server.tasks.get(taskSid)!;
    // Every update is carried out and its answer cut off; once the first one went out, every listing fails too.
    s.engine.faults.add({ method: 'POST', path: '/Recordings/', action: 'lose', times: 0 });
    const pressing = s.api('POST', `/api/tasks/${taskSid}/recording/pause`, { token });
    await waitUntil('the update sent', () => s.engine.faults.hits > 0);
    s.engine.faults.add({ method: 'GET', path: '/Recordings.json', action: 'status', status: 503, times: 0 });
    const r = await pressing;
    s.engine.faults.clear();

    expect([502, 504]).toContain(r.status);
    expect(r.body.error?.message).toMatch(/answer was lost .* unknown/);
    const ev = s.server.audit.query({ taskSid }).filter((e) => e.action === 'pause');
    expect(ev.map((e) => e.outcome)).toEqual(['unknown']);
    // What really happened: the engine paused it.
    const recs = await sdk(s).recordings.list();
    const mine = recs.filter((x) => x.callSid === t.workerCallSid || x.conferenceSid === t.conferenceSid);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((x) => x.status === 'paused')).toBe(true);

    // When the pause is seen later, the external-change event points at the lost answer it may be.
    const rec = mine[0]!;
    const cb = await s.webhook('/webhooks/recording-status', {
      RecordingSid: rec.sid,
      RecordingStatus: 'paused',
      ...(rec.conferenceSid ? { ConferenceSid: rec.conferenceSid } : { CallSid: rec.callSid }),
    });
    expect(cb.status).toBe(204);
    const external = await waitUntil('the external-change event', () => s.server.audit.query({ taskSid }).find((e) => e.action === 'external-change'));
    expect(external.details).toMatchObject({ seenBy: 'status-callback', possiblyEvent: ev[0]!.id });
  });
});
