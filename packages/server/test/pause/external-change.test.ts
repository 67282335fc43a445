/**
 * A recording whose status changes outside the server (Twilio's console, another API client with
 * valid credentials) is audited as `external-change` and raises the alarm the desktop shows: the
 * periodic reconcile of tasks with an open pause finds it, and so does a recording status callback.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { listen } from '../support/sse.ts';
import { sdk, startSystem, waitUntil, type System } from '../support/system.ts';

let sys: System | null = null;
afterEach(async () => {
  await sys?.close();
  sys = null;
});

const BOTH = { call_recording_enabled: true, features: { dual_channel_recording: { enabled: true, channel: 'worker' } } };

interface Rec {
  sid: string;
  status: string;
  channels: number;
  callSid: string | null;
  conferenceSid: string | null;
}

describe('external changes', () => {
  it('a paused recording set back to in-progress at the engine is audited as external and raises the alarm', async () => {
    sys = await startSystem({ settings: BOTH, server: { reconcileIntervalMs: 200 } });
    const s = sys;
    const { token, taskSid } = await s.acceptedCall('alice');
    const sse = listen(s, token);
    await sse.ready;
    const paused = await s.api('POST', `/api/tasks/${taskSid}/recording/pause`, { token });
    expect(paused.body['status']).toBe('paused');
    const recs = paused.body['recordings'] as Rec[];
    const dual = recs.find((r) => r.channels === 2)!;
    const conf = recs.find((r) => r.conferenceSid !== null && r.channels === 1)!;

    // Someone with the account's credentials resumes the dual-channel recording behind the server's back.
    await sdk(s).calls(dual.callSid!).recordings(dual.sid).update({ status: 'in-progress' });

    const external = await waitUntil('the external-change audit event', () => s.server.audit.query({ taskSid }).find((e) => e.action === 'external-change'));
    expect(external).toMatchObject({ outcome: 'ok', actor: 'external', role: 'system', recordingSids: [dual.sid] });
    expect(external.details).toMatchObject({ resumed: [dual.sid], paused: [], providerStatus: 'partially-paused' });
    const alarm = await waitUntil('the alarm event', () => sse.events.find((e) => e.type === 'recording.alarm'));
    expect(alarm).toMatchObject({ taskSid, capturing: [dual.sid] });
    const state = await s.api('GET', `/api/tasks/${taskSid}/recording`, { token });
    expect(state.body).toMatchObject({ status: 'partially-paused', capturing: [dual.sid] });
    // Audited once: the next reconciles see the span closed and stay quiet.
    await new Promise((r) => setTimeout(r, 600));
    expect(s.server.audit.query({ taskSid }).filter((e) => e.action === 'external-change')).toHaveLength(1);

    // The last one too: nothing is paused any more, yet the agent's pause stands, so the alarm stays.
    await sdk(s).conferences(conf.conferenceSid!).recordings(conf.sid).update({ status: 'in-progress' });
    await waitUntil('the second external-change', () => s.server.audit.query({ taskSid }).filter((e) => e.action === 'external-change').length === 2);
    const after = await s.api('GET', `/api/tasks/${taskSid}/recording`, { token });
    expect(after.body).toMatchObject({ status: 'partially-paused' });
    expect([...(after.body['capturing'] as string[])].sort()).toEqual([dual.sid, conf.sid].sort());
    sse.stop();

    // Pressing Pause again pauses them all and clears the alarm.
    const again = await s.api('POST', `/api/tasks/${taskSid}/recording/pause`, { token });
    expect(again.body).toMatchObject({ status: 'paused', capturing: [] });
  }, 30_000);

  it('a pause nobody here asked for, seen through a recording status callback, is audited as external', async () => {
    // The reconcile timer is far away: only the callback can find it.
    sys = await startSystem({ settings: BOTH, server: { reconcileIntervalMs: 600_000 } });
    const s = sys;
    const { token, taskSid } = await s.acceptedCall('alice');
    const recs = (await s.api('GET', `/api/tasks/${taskSid}/recording`, { token })).body['recordings'] as Rec[];
    const dual = recs.find((r) => r.channels === 2)!;
    await sdk(s).calls(dual.callSid!).recordings(dual.sid).update({ status: 'paused' });
    // The engine reports recording status changes only through callbacks it was asked for; post
    // the callback Twilio would send for this recording, signed with the account's token.
    expect(
      (
        await s.webhook('/webhooks/recording-status', {
          RecordingSid: dual.sid,
          RecordingStatus: 'paused',
          CallSid: dual.callSid!,
          RecordingChannels: '2',
          RecordingSource: 'StartCallRecordingAPI',
        })
      ).status,
    ).toBe(204);
    const external = await waitUntil('the external-change audit event', () => s.server.audit.query({ taskSid }).find((e) => e.action === 'external-change'));
    expect(external.details).toMatchObject({ seenBy: 'status-callback', paused: [dual.sid], resumed: [] });
    const state = await s.api('GET', `/api/tasks/${taskSid}/recording`, { token });
    expect(state.body).toMatchObject({ status: 'partially-paused', pausedBy: 'external' });
  }, 30_000);
});
