/**
 * Transfer: the live call moves to another agent. Recording goes on; a transfer while paused
 * leaves the task paused for the new agent (nothing of the paused span is captured by any
 * recording, including the new agent's leg) and the new agent can resume.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { inspectWav, readWav } from '@pause-recording/voice-engine/audio';
import { sdk, startSystem, waitUntil, type System } from '../support/system.ts';

let sys: System | null = null;
afterEach(async () => {
  await sys?.close();
  sys = null;
});

interface Rec {
  sid: string;
  status: string;
  channels: number;
  callSid: string | null;
  conferenceSid: string | null;
}

describe('transfer', () => {
  it('moves a recording call to bob: his leg is recorded, alice leaves and loses access', async () => {
    sys = await startSystem({ settings: { call_recording_enabled: true } });
    const s = sys;
    const { token: alice, taskSid } = await s.acceptedCall('alice');
    const bob = await s.login('bob');
    const aliceLeg = s.server.tasks.get(taskSid)!.workerCallSid!;

    const r = await s.api('POST', `/api/tasks/${taskSid}/transfer`, { token: alice, json: { to: 'bob' } });
    expect(r.status).toBe(200);
    expect(r.body['task']).toMatchObject({ status: 'assigned', worker: 'bob' });
    const bobLeg = s.server.tasks.get(taskSid)!.workerCallSid!;
    expect(bobLeg).not.toBe(aliceLeg);
    await waitUntil("alice's leg ended", async () => (await sdk(s).calls(aliceLeg).fetch()).status === 'completed');

    const state = await s.api('GET', `/api/tasks/${taskSid}/recording`, { token: bob });
    expect(state.body['status']).toBe('recording');
    const recs = state.body['recordings'] as Rec[];
    expect(recs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ channels: 2, callSid: bobLeg, status: 'in-progress' }),
        expect.objectContaining({ channels: 1, status: 'in-progress' }),
      ]),
    );
    expect((await s.api('POST', `/api/tasks/${taskSid}/recording/pause`, { token: alice })).status).toBe(403);
    expect((await s.api('POST', `/api/tasks/${taskSid}/recording/pause`, { token: bob })).body['status']).toBe('paused');
    expect(s.server.audit.query({ taskSid }).find((e) => e.action === 'task-transfer')).toMatchObject({
      actor: 'alice',
      outcome: 'ok',
      details: { from: 'alice', to: 'bob' },
    });
  });

  it('keeps a paused task paused for the new agent, records his leg only from the resume', async () => {
    sys = await startSystem({ settings: { call_recording_enabled: true } });
    const s = sys;
    const { token: alice, taskSid } = await s.acceptedCall('alice');
    const bob = await s.login('bob');
    expect((await s.api('POST', `/api/tasks/${taskSid}/recording/pause`, { token: alice })).body['status']).toBe('paused');

    await s.api('POST', `/api/tasks/${taskSid}/transfer`, { token: alice, json: { to: 'bob' } });
    const bobLeg = s.server.tasks.get(taskSid)!.workerCallSid!;
    const paused = await s.api('GET', `/api/tasks/${taskSid}/recording`, { token: bob });
    expect(paused.body).toMatchObject({ status: 'paused', pausedBy: 'alice', deferred: [{ callSid: bobLeg, channels: 2 }] });
    // Nothing records bob's leg yet.
    expect(await sdk(s).calls(bobLeg).recordings.list()).toEqual([]);
    await new Promise((r) => setTimeout(r, 300));

    // Bob's leg frame number now, before the resume is even sent: nothing earlier may be in any recording.
    const bobCall = s.engine.engine.calls.get(bobLeg)!;
    const bobSlot = bobCall.slot!;
    const kBeforeResume = s.engine.engine.tick - bobCall.answeredTick!;
    expect(kBeforeResume).toBeGreaterThan(0);
    const resumed = await s.api('POST', `/api/tasks/${taskSid}/recording/resume`, { token: bob });
    expect(resumed.status).toBe(200);
    expect(resumed.body['status']).toBe('recording');
    expect(resumed.body['deferred']).toBeUndefined();
    const bobRecs = await sdk(s).calls(bobLeg).recordings.list();
    expect(bobRecs.map((r) => [r.status, r.channels])).toEqual([['in-progress', 2]]);
    const audit = s.server.audit.query({ taskSid }).filter((e) => ['pause', 'resume', 'task-transfer'].includes(e.action));
    expect(audit.map((e) => [e.action, e.actor])).toEqual([
      ['pause', 'alice'],
      ['task-transfer', 'alice'],
      ['resume', 'bob'],
    ]);
    expect(audit[2]?.recordingSids).toContain(bobRecs[0]!.sid);

    await new Promise((r) => setTimeout(r, 200));
    const allRecs = (resumed.body['recordings'] as Rec[]).map((r) => r.sid);
    await s.api('POST', `/api/tasks/${taskSid}/hangup`, { token: bob });
    for (const sid of allRecs) {
      await waitUntil(`${sid} completed`, async () => (await sdk(s).recordings(sid).fetch()).status === 'completed');
      const media = await fetch(`${s.url}/api/recordings/${sid}/media`, { headers: { authorization: `Bearer ${bob}` } });
      const insp = inspectWav(readWav(Buffer.from(await media.arrayBuffer())));
      const bobRuns = insp.channels.flatMap((c) => c.slots[bobSlot]?.runs ?? []);
      // Bob is heard in every recording (his leg's and the conference), only from the resume on.
      expect(bobRuns.length).toBeGreaterThan(0);
      for (const run of bobRuns) expect([sid, run.from >= kBeforeResume]).toEqual([sid, true]);
    }
  });

  it('keeps a paused task paused across a transfer when only the worker leg is recorded', async () => {
    sys = await startSystem(); // dual-channel recording of the worker leg only, no conference recording
    const s = sys;
    const { token: alice, taskSid } = await s.acceptedCall('alice');
    const bob = await s.login('bob');
    expect((await s.api('POST', `/api/tasks/${taskSid}/recording/pause`, { token: alice })).body['status']).toBe('paused');
    const r = await s.api('POST', `/api/tasks/${taskSid}/transfer`, { token: alice, json: { to: 'bob' } });
    expect(r.status).toBe(200);
    const bobLeg = s.server.tasks.get(taskSid)!.workerCallSid!;
    expect(await sdk(s).calls(bobLeg).recordings.list()).toEqual([]);
    expect((await s.api('GET', `/api/tasks/${taskSid}/recording`, { token: bob })).body).toMatchObject({
      status: 'paused',
      deferred: [{ callSid: bobLeg, channels: 2 }],
    });
    // Pausing again is a no-op that keeps the pause (and its timers) open.
    const pausedAt = s.server.audit.count();
    const again = await s.api('POST', `/api/tasks/${taskSid}/recording/pause`, { token: bob });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'paused', pausedBy: 'alice' });
    expect(s.server.audit.count()).toBe(pausedAt);
    const resumed = await s.api('POST', `/api/tasks/${taskSid}/recording/resume`, { token: bob });
    expect(resumed.body).toMatchObject({ status: 'recording', recordings: [expect.objectContaining({ callSid: bobLeg, status: 'in-progress' })] });
  });

  it('a second transfer while paused hands the deferred recording to the newest leg; the resume starts only that one', async () => {
    sys = await startSystem(); // dual-channel recording of the worker leg only
    const s = sys;
    const { token: alice, taskSid } = await s.acceptedCall('alice');
    const bob = await s.login('bob');
    expect((await s.api('POST', `/api/tasks/${taskSid}/recording/pause`, { token: alice })).body['status']).toBe('paused');
    expect((await s.api('POST', `/api/tasks/${taskSid}/transfer`, { token: alice, json: { to: 'bob' } })).status).toBe(200);
    expect((await s.api('POST', `/api/tasks/${taskSid}/transfer`, { token: bob, json: { to: 'alice' } })).status).toBe(200);
    const leg = s.server.tasks.get(taskSid)!.workerCallSid!;
    expect((await s.api('GET', `/api/tasks/${taskSid}/recording`, { token: alice })).body).toMatchObject({
      status: 'paused',
      deferred: [{ callSid: leg, channels: 2 }],
    });
    const resumed = await s.api('POST', `/api/tasks/${taskSid}/recording/resume`, { token: alice });
    expect(resumed.body).toMatchObject({ status: 'recording', failures: [], recordings: [expect.objectContaining({ callSid: leg, status: 'in-progress' })] });
    expect(resumed.body['deferred']).toBeUndefined();
  });

  it('refuses bad transfers and changes nothing', async () => {
    sys = await startSystem();
    const s = sys;
    const { token: alice, taskSid } = await s.acceptedCall('alice');
    const bob = await s.login('bob');
    const before = JSON.stringify(s.server.tasks.get(taskSid));
    const auditBefore = s.server.audit.count();
    const cases: [string, unknown, number, string | undefined][] = [
      [alice, {}, 400, 'to'],
      [alice, { to: 'sam' }, 400, 'to'],
      [alice, { to: 'nobody' }, 400, 'to'],
      [alice, { to: 'alice' }, 409, 'to'],
      [alice, { to: 'bob', extra: 1 }, 400, 'extra'],
      [bob, { to: 'bob' }, 403, 'taskSid'],
    ];
    for (const [token, json, status, field] of cases) {
      const r = await s.api('POST', `/api/tasks/${taskSid}/transfer`, { token, json });
      expect([JSON.stringify(json), r.status, r.body.error?.field]).toEqual([JSON.stringify(json), status, field]);
    }
    expect(JSON.stringify(s.server.tasks.get(taskSid))).toBe(before);
    expect(s.server.audit.count()).toBe(auditBefore);
  });
});
