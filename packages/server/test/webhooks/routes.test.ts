/**
 * Status callbacks never change which task a known recording belongs to: a correctly signed
 * `recording-status` callback naming another task's call cannot hand the recording (and so its
 * download) to that task's agent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type System } from '../support/system.ts';

let s: System;
beforeAll(async () => {
  s = await startSystem({ settings: { call_recording_enabled: true }, env: { RATE_LIMIT_PER_MINUTE: '0' } });
});
afterAll(async () => {
  await s.close();
});

describe('recording-status webhook', () => {
  it('never re-owns a recording: a signed callback naming another task keeps it with its task', async () => {
    const { token: alice, taskSid: aliceTask } = await s.acceptedCall('alice');
    const { token: bob, taskSid: bobTask } = await s.acceptedCall('bob');
    const recs = (await s.api('GET', `/api/tasks/${aliceTask}/recording`, { token: alice })).body['recordings'] as { sid: string }[];
    // Known to the server through a write path (a pause), as every recording of a task is.
    expect((await s.api('POST', `/api/tasks/${aliceTask}/recording/pause`, { token: alice })).status).toBe(200);
    const sid = recs[0]!.sid;
    expect((await s.api('GET', `/api/recordings/${sid}`, { token: bob })).status).toBe(403);

    const bobs = s.server.tasks.get(bobTask)!;
    const r = await s.webhook('/webhooks/recording-status', {
      RecordingSid: sid,
      RecordingStatus: 'completed',
      CallSid: bobs.attributes.call_sid,
      ConferenceSid: bobs.conferenceSid!,
      RecordingChannels: '1',
      RecordingDuration: '3',
    });
    expect(r.status).toBe(204);

    const list = (await s.api('GET', '/api/recordings', { token: bob })).body['recordings'] as { sid: string; taskSid: string }[];
    expect(list.map((x) => x.sid)).not.toContain(sid);
    const mine = (await s.api('GET', '/api/recordings', { token: alice })).body['recordings'] as { sid: string; taskSid: string }[];
    expect(mine.find((x) => x.sid === sid)).toMatchObject({ taskSid: aliceTask });
    expect((await s.api('GET', `/api/recordings/${sid}`, { token: bob })).status).toBe(403);
    expect((await s.api('GET', `/api/recordings/${sid}/media`, { token: bob })).status).toBe(403);
  }, 30_000);

  it('refuses an unsigned callback and changes nothing', async () => {
    const res = await fetch(`${s.url}/webhooks/recording-status`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ RecordingSid: 'RE' + '1'.repeat(32), RecordingStatus: 'completed' }).toString(),
    });
    expect(res.status).toBe(403);
  });
});
