/**
 * Production mode: the same server code against "Twilio" (here the engine, addressed as
 * TWILIO_API_URL and FLEX_VALIDATE_URL), no local contact center, seed routes with Flex tokens,
 * here without a TaskRouter workspace configured.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TwilioProvider } from '../../src/provider/twilio-provider.ts';
import { startSystem, type System } from '../support/system.ts';

let s: System;

beforeAll(async () => {
  s = await startSystem({ env: { SERVER_MODE: 'production', PUBLIC_URL: 'http://127.0.0.1:9' } });
});
afterAll(async () => {
  await s.close();
});

async function flexToken(identity: string, roles: string[] = ['agent']): Promise<string> {
  const res = await fetch(`${s.engine.url}/dev/flex-tokens`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: 'Basic ' + Buffer.from(`${s.engine.accountSid}:${s.engine.authToken}`).toString('base64'),
    },
    body: JSON.stringify({ identity, roles }),
  });
  return ((await res.json()) as { token: string }).token;
}

describe('production mode', () => {
  const twilioApi = (): TwilioProvider =>
    new TwilioProvider({
      accountSid: s.engine.accountSid,
      authToken: s.engine.authToken,
      apiBaseUrl: s.engine.url,
      requestTimeoutMs: 1000,
      retry: { budgetMs: 0, baseDelayMs: 1, maxDelayMs: 1 },
    });

  it('without TWILIO_WORKSPACE_SID nobody can be tied to a call: agents and supervisors get 403 naming it, nothing changes at Twilio', async () => {
    // A call and its recording as Flex would have them at Twilio (the Flex-shaped flow with a
    // workspace is test/taskrouter/flex-production-flow.test.ts).
    const api = twilioApi();
    const call = await api.client.calls.create({ from: '+15550001111', to: '+15550002222', twiml: '<Response><Pause length="600"/></Response>' });
    const rec = await api.createCallRecording(call.sid, { channels: 'dual' }, { waitMs: 5000, notInProgressRetryMs: 20 });
    const auditBefore = s.server.audit.count();

    for (const token of [await flexToken('flexagent'), await flexToken('flexsuper', ['supervisor'])]) {
      for (const [path, form] of [
        ['pause-recording/flex/pause-call-recording', { callSid: call.sid }],
        ['pause-recording/flex/resume-call-recording', { callSid: call.sid, recordingSid: rec.sid }],
        ['pause-recording/flex/pause-conference-recording', { conferenceSid: 'CF' + 'a'.repeat(32) }],
        ['dual-channel-recording/flex/create-recording', { callSid: call.sid }],
      ] as const) {
        const r = await s.api('POST', `/features/${path}`, { form: { Token: token, ...form } });
        expect([path, r.status, r.body['success']]).toEqual([path, 403, false]);
        expect(r.body['message']).toMatch(/^TWILIO_WORKSPACE_SID is not configured: no caller can be tied to a call through TaskRouter/);
      }
    }
    expect((await api.client.recordings(rec.sid).fetch()).status).toBe('in-progress');
    expect((await api.client.calls(call.sid).recordings.list()).length).toBe(1);
    expect(s.server.audit.count()).toBe(auditBefore);
    await api.hangupCall(call.sid);
  });

  it('lets Flex (https://flex.twilio.com) call the seed routes by CORS without configuration; other origins not', async () => {
    for (const path of ['/features/pause-recording/flex/pause-call-recording', '/pause-recording/pause-call-recording']) {
      const pre = await fetch(`${s.url}${path}`, {
        method: 'OPTIONS',
        headers: { origin: 'https://flex.twilio.com', 'access-control-request-method': 'POST' },
      });
      expect([path, pre.status, pre.headers.get('access-control-allow-origin')]).toEqual([path, 204, 'https://flex.twilio.com']);
    }
    const refused = await fetch(`${s.url}/pause-recording/pause-call-recording`, {
      method: 'POST',
      headers: { origin: 'https://flex.twilio.com', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'callSid=CA' + '0'.repeat(32),
    });
    expect([refused.status, refused.headers.get('access-control-allow-origin'), await refused.text()]).toEqual([
      403,
      'https://flex.twilio.com',
      'Unauthorized: Token was not provided',
    ]);
    const other = await fetch(`${s.url}/pause-recording/pause-call-recording`, { method: 'OPTIONS', headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('has no local contact center, simulator or demo users', async () => {
    expect((await s.api('GET', '/api/health')).body).toEqual({ ok: true, mode: 'production' });
    const login = await s.api('POST', '/api/auth/login', { json: { identity: 'alice', password: 'demo' } });
    expect(login.status).toBe(401);
  });
});
