/**
 * The provider against the real engine through the real SDK: errors get names, a leg that is
 * not answered yet is waited for (21220), and faults the engine injects are retried or reported.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type RunningEngine } from '@pause-recording/voice-engine';
import { ProviderError, toProviderError } from '../../src/provider/provider-errors.ts';
import { TwilioProvider } from '../../src/provider/twilio-provider.ts';

let engine: RunningEngine;
let provider: TwilioProvider;

beforeAll(async () => {
  engine = await startEngine({ dataDir: mkdtempSync(join(tmpdir(), 'provider-test-')), audio: 'stamped', answerDelayFrames: 50, devRoutes: true }); // legs answer 1 s after they are placed
  provider = new TwilioProvider({
    accountSid: engine.accountSid,
    authToken: engine.authToken,
    apiBaseUrl: engine.url,
    // Generous: a loaded machine must not turn an ordinary answer into a timeout.
    requestTimeoutMs: 5000,
    retry: { budgetMs: 800, baseDelayMs: 20, maxDelayMs: 100 },
  });
});
afterAll(async () => {
  await engine.close();
});

const STAY = '<Response><Pause length="600"/></Response>';

describe('toProviderError', () => {
  it('names Twilio errors and marks what is worth retrying', () => {
    const rest = (status: number, code: number) =>
      new twilio.RestException({ statusCode: status, body: { code, message: 'm', more_info: 'https://www.twilio.com/docs/errors/' + code, status } });
    expect(toProviderError(rest(400, 21220), 'x')).toMatchObject({ code: 'CALL_NOT_IN_PROGRESS', twilioErrorCode: 21220, transient: false, status: 400 });
    expect(toProviderError(rest(404, 20404), 'x')).toMatchObject({ code: 'NOT_FOUND', transient: false });
    expect(toProviderError(rest(429, 20429), 'x')).toMatchObject({ code: 'RATE_LIMITED', transient: true });
    expect(toProviderError(rest(503, 20503), 'x')).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', transient: true });
    expect(toProviderError(rest(401, 20003), 'x')).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', transient: false });
    expect(toProviderError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'x')).toMatchObject({ transient: true });
    expect(toProviderError(Object.assign(new Error('timeout of 500ms exceeded'), { code: 'ECONNABORTED' }), 'x')).toMatchObject({
      code: 'UPSTREAM_TIMEOUT',
      transient: true,
    });
  });
});

describe('TwilioProvider', () => {
  it('gets 21220 for a leg that is not answered yet, and waits for it when asked', async () => {
    const call = await provider.client.calls.create({ from: '+15550001111', to: '+15550002222', twiml: STAY });
    await expect(provider.createCallRecording(call.sid, { channels: 'dual' })).rejects.toMatchObject({ code: 'CALL_NOT_IN_PROGRESS', twilioErrorCode: 21220 });
    const rec = await provider.createCallRecording(call.sid, { channels: 'dual' }, { waitMs: 5000, notInProgressRetryMs: 20 });
    expect(rec).toMatchObject({ status: 'in-progress', channels: 2, callSid: call.sid });
    expect((await provider.listCallRecordings(call.sid)).map((r) => r.sid)).toEqual([rec.sid]);
    const paused = await provider.updateRecording({ kind: 'call', callSid: call.sid }, 'Twilio.CURRENT', 'paused', 'skip');
    expect(paused).toMatchObject({ sid: rec.sid, status: 'paused' });
    await provider.hangupCall(call.sid);
  });

  it("reads the engine's capture log of a recording; an unknown recording's is null", async () => {
    const call = await provider.client.calls.create({ from: '+15550001111', to: '+15550002222', twiml: STAY });
    const rec = await provider.createCallRecording(call.sid, { channels: 'dual' }, { waitMs: 5000, notInProgressRetryMs: 20 });
    await provider.updateRecording({ kind: 'call', callSid: call.sid }, rec.sid, 'paused', 'silence');
    const log = await provider.fetchCaptureLog(rec.sid);
    expect(log?.events.map((e) => e.status)).toEqual(['in-progress', 'paused']);
    expect(log!.events[1]!.tick).toBeGreaterThanOrEqual(log!.events[0]!.tick);
    expect(await provider.fetchCaptureLog('RE' + '0'.repeat(32))).toBeNull();
    await provider.hangupCall(call.sid);
  });

  it('reports an unknown call as NOT_FOUND with its Twilio code', async () => {
    const err = await provider.listCallRecordings('CA' + '0'.repeat(32)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ code: 'NOT_FOUND', twilioErrorCode: 20404 });
  });

  it('gives up on a persistent 503 within its budget, and rides out a single one', async () => {
    engine.faults.add({ method: 'GET', path: '/Recordings.json', action: 'status', status: 503, times: 1 });
    const call = await provider.client.calls.create({ from: '+15550001111', to: '+15550002222', twiml: STAY });
    expect(await provider.listCallRecordings(call.sid)).toEqual([]);
    engine.faults.add({ method: 'GET', path: '/Recordings.json', action: 'status', status: 503, times: 0 });
    await expect(provider.listCallRecordings(call.sid)).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', transient: true, twilioStatus: 503 });
    engine.faults.clear();
    await provider.hangupCall(call.sid);
  });
});
