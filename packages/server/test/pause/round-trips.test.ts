/**
 * Issue 13, item 1: one sequential provider round trip per pause when the server knows every
 * recording (it started them or was told of them), two when the listing reveals one it did not
 * know. Counted by a real proxy between the server's SDK and the engine, and by the service.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { countedCall, startProxiedSystem, type ProxiedSystem } from '../support/counting-proxy.ts';
import { sdk } from '../support/system.ts';

const BOTH = { call_recording_enabled: true, features: { dual_channel_recording: { enabled: true, channel: 'worker' } } };

let rig: ProxiedSystem | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('provider round trips per pause', () => {
  it('depth 1 when every recording is known, 2 when the listing reveals one the server did not know', async () => {
    // The grant cache off: every pause reads TaskRouter here (test/taskrouter/grant-cache.test.ts counts the cached path).
    rig = await startProxiedSystem({ settings: BOTH, env: { TASKROUTER_GRANT_CACHE_MS: '0' } });
    const { s } = rig;
    const { token, taskSid } = await s.acceptedCall('alice');
    const rec = `/api/tasks/${taskSid}/recording`;

    // Known: the dual-channel recording the server started and the conference's it listed at accept.
    const pause = await countedCall(rig, `${rec}/pause`, token);
    expect(pause.r.body['status']).toBe('paused');
    // Two updates and the listing (customer leg, agent leg, conference), all in flight at once.
    expect([pause.updates, pause.requests, pause.depth]).toEqual([2, 5, 1]);
    // Before them, TaskRouter: alice's worker (looked up once per identity) and her reservations on the task.
    expect(pause.taskRouter).toBe(2);
    expect(s.server.recordingService.rounds.get(taskSid)).toEqual({ requests: 5, depth: 1 });

    const resume = await countedCall(rig, `${rec}/resume`, token);
    expect(resume.r.body['status']).toBe('recording');
    expect([resume.updates, resume.requests, resume.depth]).toEqual([2, 5, 1]);
    expect(resume.taskRouter).toBe(1); // one read authorizes

    // A recording started behind the server's back (no status callback): the listing reveals it,
    // and a second round pauses it before the answer, so the pause is still all or nothing.
    const task = s.server.tasks.get(taskSid)!;
    const stranger = await sdk(s).calls(task.attributes.call_sid).recordings.create({ recordingChannels: 'mono' });
    const second = await countedCall(rig, `${rec}/pause`, token);
    expect(second.r.body['status']).toBe('paused');
    expect((second.r.body['recordings'] as { sid: string }[]).map((r) => r.sid)).toContain(stranger.sid);
    expect([second.updates, second.requests, second.depth]).toEqual([3, 6, 2]);
    expect(s.server.recordingService.rounds.get(taskSid)).toEqual({ requests: 6, depth: 2 });
    const audit = s.server.audit
      .query({ taskSid })
      .filter((e) => e.action === 'pause')
      .at(-1);
    expect(audit?.details['addedRecordingSids']).toEqual([stranger.sid]);

    // Now known (the listing told the server): the next resume is one round trip again.
    const back = await countedCall(rig, `${rec}/resume`, token);
    expect(back.r.body['status']).toBe('recording');
    expect([back.updates, back.depth]).toEqual([3, 1]);
  }, 60_000);
});
