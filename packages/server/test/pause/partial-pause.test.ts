/**
 * Faults: with conference and dual-channel recording on, one pause pauses both; when the engine
 * fails one of them the answer is `partially-paused` naming the recording still capturing, and an
 * alarm goes out on the live-event stream. Transient faults are retried; total failure is a 5xx
 * that never claims a pause.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEngine } from '@pause-recording/voice-engine';
import { startLossyProxy } from '../support/lossy-proxy.ts';
import { listen } from '../support/sse.ts';
import { startSystem, waitUntil, type System } from '../support/system.ts';

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
  conferenceSid: string | null;
}

describe('partial pause', () => {
  it('answers partially-paused naming the recording still capturing, and raises an alarm', async () => {
    sys = await startSystem({ settings: BOTH, env: { TWILIO_RETRY_BUDGET_MS: '600' } });
    const s = sys;
    const { token, taskSid } = await s.acceptedCall('alice');
    const state = await s.api('GET', `/api/tasks/${taskSid}/recording`, { token });
    const recs = state.body['recordings'] as Rec[];
    const conf = recs.find((r) => r.conferenceSid !== null && r.channels === 1);
    const dual = recs.find((r) => r.channels === 2);
    expect(conf && dual).toBeTruthy();

    const sse = listen(s, token);
    await sse.ready;
    // Every update of the conference recording fails with 500 until cleared.
    s.engine.faults.add({ method: 'POST', path: `/Conferences/${conf!.conferenceSid}/Recordings/`, action: 'status', status: 500, times: 0 });
    const r = await s.api('POST', `/api/tasks/${taskSid}/recording/pause`, { token });
    expect(r.status).toBe(200);
    expect(r.body['status']).toBe('partially-paused');
    expect(r.body['capturing']).toEqual([conf!.sid]);
    expect(r.body['failures']).toEqual([expect.objectContaining({ recordingSid: conf!.sid, code: 'UPSTREAM_UNAVAILABLE' })]);
    expect(r.body['recordings']).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ sid: dual!.sid, status: 'paused' }),
        expect.objectContaining({ sid: conf!.sid, status: 'in-progress' }),
      ]),
    );
    const alarm = await waitUntil('alarm event', () => sse.events.find((e) => e.type === 'recording.alarm'));
    expect(alarm).toMatchObject({ taskSid, capturing: [conf!.sid] });
    sse.stop();

    const audit = s.server.audit.query({ taskSid }).filter((e) => e.action === 'pause');
    expect(audit).toEqual([expect.objectContaining({ outcome: 'partial', actor: 'alice' })]);

    // Once the engine recovers, pausing again pauses what is left.
    s.engine.faults.clear();
    const again = await s.api('POST', `/api/tasks/${taskSid}/recording/pause`, { token });
    expect(again.body).toMatchObject({ status: 'paused', capturing: [], failures: [] });
  });

  it('retries transient failures (429, 503, a dropped connection, a hung request) and then succeeds', async () => {
    // The budget outlasts one hung request (0.5 s timeout) plus the backoffs.
    sys = await startSystem({ settings: BOTH, env: { TWILIO_TIMEOUT_MS: '500', TWILIO_RETRY_BUDGET_MS: '4000' } });
    const s = sys;
    const { token, taskSid } = await s.acceptedCall('alice');
    s.engine.faults.add({ method: 'POST', path: '/Recordings/', action: 'status', status: 429, times: 1 });
    s.engine.faults.add({ method: 'POST', path: '/Recordings/', action: 'status', status: 503, times: 1 });
    s.engine.faults.add({ method: 'POST', path: '/Recordings/', action: 'drop', times: 1 });
    s.engine.faults.add({ method: 'POST', path: '/Recordings/', action: 'hang', times: 1 });
    const hitsBefore = s.engine.faults.hits;
    const r = await s.api('POST', `/api/tasks/${taskSid}/recording/pause`, { token });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'paused', failures: [] });
    expect(s.engine.faults.hits - hitsBefore).toBe(4);
  });

  it('reports what the provider did when its answers are lost', async () => {
    // Between server and engine: a proxy that lets updates through but cuts the answers.
    const engine = await startEngine({ dataDir: mkdtempSync(join(tmpdir(), 'lossy-')), audio: 'stamped', devRoutes: true });
    const proxy = await startLossyProxy(engine.url);
    try {
      sys = await startSystem({ settings: BOTH, engine, env: { ENGINE_URL: proxy.url, TWILIO_RETRY_BUDGET_MS: '0' } });
      const s = sys;
      const { token, taskSid } = await s.acceptedCall('alice');
      proxy.loseAnswers('POST', '/Recordings/', 2);
      const r = await s.api('POST', `/api/tasks/${taskSid}/recording/pause`, { token });
      expect(proxy.lost).toBe(2);
      // Both updates failed as far as the SDK knows, yet both happened: the answer says so.
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ status: 'paused', failures: [] });
      expect(s.server.audit.query({ taskSid }).filter((e) => e.action === 'pause')).toEqual([expect.objectContaining({ outcome: 'ok' })]);
      proxy.loseAnswers('POST', '/Recordings/', 2);
      const back = await s.api('POST', `/api/tasks/${taskSid}/recording/resume`, { token });
      expect(back.body).toMatchObject({ status: 'recording', failures: [] });
    } finally {
      await sys?.close();
      sys = null;
      await engine.close();
      await proxy.close();
    }
  });

  it('never claims a pause when no recording could be paused', async () => {
    sys = await startSystem({ settings: BOTH, env: { TWILIO_RETRY_BUDGET_MS: '600' } });
    const s = sys;
    const { token, taskSid } = await s.acceptedCall('alice');
    s.engine.faults.add({ method: 'POST', path: '/Recordings/', action: 'status', status: 503, times: 0 });
    const r = await s.api('POST', `/api/tasks/${taskSid}/recording/pause`, { token });
    expect(r.status).toBe(502);
    expect(r.body.error?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect((r.body.error as unknown as { details: { state: { status: string } } }).details.state.status).toBe('recording');
    s.engine.faults.clear();
    expect((await s.api('GET', `/api/tasks/${taskSid}/recording`, { token })).body['status']).toBe('recording');
    expect(s.server.audit.query({ taskSid }).filter((e) => e.action === 'pause')).toEqual([expect.objectContaining({ outcome: 'failed' })]);

    // When the provider cannot list the recordings, those the server knows are still asked (in
    // parallel with the listing: one round trip), but the set cannot be confirmed: never `paused`,
    // a 502 naming the listing, and an audit that says the outcome is unknown.
    s.engine.faults.add({ method: 'GET', path: '/Recordings.json', action: 'status', status: 500, times: 0 });
    const blind = await s.api('POST', `/api/tasks/${taskSid}/recording/pause`, { token });
    s.engine.faults.clear();
    expect([blind.status, blind.body.error?.code]).toEqual([502, 'UPSTREAM_UNAVAILABLE']);
    expect((blind.body.error as unknown as { details: { state: { status: string } } }).details.state.status).toBe('partially-paused');
    const pauses = s.server.audit.query({ taskSid }).filter((e) => e.action === 'pause');
    expect(pauses.map((e) => e.outcome)).toEqual(['failed', 'unknown']);
    expect(pauses[1]!.details['listingFailure']).toEqual(expect.objectContaining({ code: 'UPSTREAM_UNAVAILABLE' }));
    // The provider's word, asked again: what the known recordings' updates did.
    expect((await s.api('GET', `/api/tasks/${taskSid}/recording`, { token })).body['status']).toBe('paused');
  });
});
