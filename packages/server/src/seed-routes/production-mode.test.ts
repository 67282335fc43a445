/**
 * Production mode: the same server code against "Twilio" (here the engine, addressed as
 * TWILIO_API_URL and FLEX_VALIDATE_URL), no local contact center, seed routes with Flex tokens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TwilioProvider } from '../provider/twilio-provider.ts';
import { startSystem, type System } from '../test-support/system.ts';

let s: System;

beforeAll(async () => {
  s = await startSystem({ env: { SERVER_MODE: 'production', PUBLIC_URL: 'http://127.0.0.1:9' } });
});
afterAll(async () => {
  await s.close();
});

async function flexToken(identity: string): Promise<string> {
  const res = await fetch(`${s.engine.url}/dev/flex-tokens`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: 'Basic ' + Buffer.from(`${s.engine.accountSid}:${s.engine.authToken}`).toString('base64'),
    },
    body: JSON.stringify({ identity, roles: ['agent'] }),
  });
  return ((await res.json()) as { token: string }).token;
}

describe('production mode', () => {
  it('pauses and resumes a Flex call recording through the seed routes with a Flex token', async () => {
    // A call and its recording as Flex would have them at Twilio.
    const twilioApi = new TwilioProvider({
      accountSid: s.engine.accountSid,
      authToken: s.engine.authToken,
      apiBaseUrl: s.engine.url,
      requestTimeoutMs: 1000,
      retry: { budgetMs: 0, baseDelayMs: 1, maxDelayMs: 1 },
    });
    const call = await twilioApi.client.calls.create({ from: '+15550001111', to: '+15550002222', twiml: '<Response><Pause length="600"/></Response>' });
    const rec = await twilioApi.createCallRecording(call.sid, { channels: 'dual' }, { waitMs: 5000, notInProgressRetryMs: 20 });

    const token = await flexToken('flexagent');
    const p = await s.api('POST', '/features/pause-recording/flex/pause-call-recording', { form: { Token: token, callSid: call.sid } });
    expect(p.status).toBe(200);
    expect(p.body).toMatchObject({ success: true, recording: { sid: rec.sid, status: 'paused' } });
    const r = await s.api('POST', '/features/pause-recording/flex/resume-call-recording', { form: { Token: token, callSid: call.sid, recordingSid: rec.sid } });
    expect(r.body).toMatchObject({ success: true, recording: { sid: rec.sid, status: 'in-progress' } });
    expect(s.server.audit.query({}).map((e) => [e.action, e.actor, e.role, e.callSid])).toEqual([
      ['pause', 'flexagent', 'flex', call.sid],
      ['resume', 'flexagent', 'flex', call.sid],
    ]);
    await twilioApi.hangupCall(call.sid);
  });

  it('has no local contact center, simulator or demo users', async () => {
    expect((await s.api('GET', '/api/health')).body).toEqual({ ok: true, mode: 'production' });
    const login = await s.api('POST', '/api/auth/login', { json: { identity: 'alice', password: 'demo' } });
    expect(login.status).toBe(401);
  });
});
