/**
 * The task API takes the agent's real Flex token (issue 12, item 2): a bearer token that is not
 * the server's own is validated by Twilio IAM (here the engine, with engine-minted tokens) and
 * TaskRouter's reservations decide as for a login. Refused -> 401; IAM down -> 503, nothing done.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, waitUntil, type System } from '../support/system.ts';

let s: System;
let taskSid: string;
let aliceLogin: string;
beforeAll(async () => {
  s = await startSystem({ settings: { call_recording_enabled: true } });
  ({ taskSid, token: aliceLogin } = await s.acceptedCall('alice'));
});
afterAll(async () => {
  await s.close();
});
afterEach(() => {
  s.engine.faults.clear();
});

async function flexToken(identity: string, roles: string[] = ['agent'], ttlSeconds = 3600): Promise<string> {
  const res = await fetch(`${s.engine.url}/dev/flex-tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Basic ' + Buffer.from(`${s.engine.accountSid}:${s.engine.authToken}`).toString('base64') },
    body: JSON.stringify({ identity, roles, ttlSeconds }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { token: string }).token;
}

const state = async (): Promise<unknown> => (await s.api('GET', `/api/tasks/${taskSid}/recording`, { token: aliceLogin })).body['status'];
const act = (token: string, what: 'pause' | 'resume') => s.api('POST', `/api/tasks/${taskSid}/recording/${what}`, { token, json: {} });

/** Reads an event stream until `until` matches its text (bounded by the test's timeout). */
async function readUntil(res: Response, until: RegExp): Promise<string> {
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let text = '';
  while (!until.test(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += dec.decode(value, { stream: true });
  }
  await reader.cancel();
  return text;
}

describe("the task API with a Flex token (the engine's IAM)", () => {
  it('lists, pauses and resumes her own task with alice’s Flex token; /api/me names her', async () => {
    const alice = await flexToken('alice');
    const me = await s.api('GET', '/api/me', { token: alice });
    expect([me.status, me.body]).toEqual([200, { identity: 'alice', roles: ['agent'] }]);
    const list = await s.api('GET', '/api/tasks', { token: alice });
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body)).toContain(taskSid);
    const p = await act(alice, 'pause');
    expect([p.status, p.body['status'], await state()]).toEqual([200, 'paused', 'paused']);
    const r = await act(alice, 'resume');
    expect([r.status, await state()]).toEqual([200, 'recording']);
    const last = s.server.audit.query({ taskSid }).filter((e) => e.action === 'pause' || e.action === 'resume');
    expect(last.slice(-2).map((e) => [e.action, e.actor, e.role])).toEqual([
      ['pause', 'alice', 'agent'],
      ['resume', 'alice', 'agent'],
    ]);
  });

  it("refuses bob's Flex token on alice's task (403, nothing changed); a supervisor's may act", async () => {
    const before = s.server.audit.count();
    const bob = await act(await flexToken('bob'), 'pause');
    expect([bob.status, bob.body.error?.code, await state()]).toEqual([403, 'FORBIDDEN', 'recording']);
    expect(bob.body.error?.message).toMatch(/bob holds no accepted or wrapping reservation/);
    expect(s.server.audit.count()).toBe(before);
    // Embedded: roles come from the user directory, so an unknown identity claiming supervisor is an agent (and no worker).
    expect((await act(await flexToken('mallory', ['supervisor']), 'pause')).status).toBe(403);
    const sam = await flexToken('sam', ['agent']);
    expect([(await act(sam, 'pause')).status, await state()]).toEqual([200, 'paused']);
    expect([(await act(sam, 'resume')).status, await state()]).toEqual([200, 'recording']);
  });

  it('refuses a forged, an expired and a made-up token (401) without changing anything', async () => {
    const real = await flexToken('alice');
    const dot = real.indexOf('.');
    const payload = JSON.parse(Buffer.from(real.slice(0, dot), 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...payload, identity: 'sam', roles: ['supervisor'] })).toString('base64url') + real.slice(dot);
    for (const token of [forged, await flexToken('alice', ['agent'], -5), 'not-a-token', 'x'.repeat(9000)]) {
      const r = await act(token, 'pause');
      expect([r.status, r.body.error?.code, r.body.error?.field]).toEqual([401, 'UNAUTHENTICATED', 'authorization']);
    }
    expect(await state()).toBe('recording');
  });

  it('answers 503 when IAM cannot be reached (fail closed) and does nothing; a refusal is not cached', async () => {
    // Engine tokens are deterministic: another lifetime makes one this server has not validated (cached) yet.
    const fresh = await flexToken('alice', ['agent'], 3000);
    const before = s.server.audit.count();
    s.engine.faults.add({ path: '/Tokens/validate', action: 'status', status: 503, times: 0 });
    const r = await act(fresh, 'pause');
    expect([r.status, r.body.error?.code, r.body.error?.field]).toEqual([503, 'AUTH_UNAVAILABLE', 'authorization']);
    s.engine.faults.clear();
    s.engine.faults.add({ path: '/Tokens/validate', action: 'drop', times: 0 });
    expect((await act(fresh, 'pause')).status).toBe(503);
    expect([await state(), s.server.audit.count()]).toEqual(['recording', before]);
    s.engine.faults.clear();
    // IAM back: the same token works (the failures were not kept).
    expect((await act(fresh, 'pause')).status).toBe(200);
    expect((await act(fresh, 'resume')).status).toBe(200);
  });

  it('opens the event stream with a Flex token (header and ticket) and delivers her pause', async () => {
    const alice = await flexToken('alice');
    const res = await fetch(`${s.url}/api/events`, { headers: { authorization: `Bearer ${alice}` } });
    expect(res.status).toBe(200);
    const t = await s.api('POST', '/api/events/ticket', { token: alice });
    expect(t.status).toBe(201);
    const byTicket = await fetch(`${s.url}/api/events?ticket=${t.body['ticket'] as string}`);
    expect(byTicket.status).toBe(200);
    const reading = readUntil(res, /"status":"paused"/);
    const readingTicket = readUntil(byTicket, /"status":"paused"/);
    expect((await act(alice, 'pause')).status).toBe(200);
    for (const text of [await reading, await readingTicket]) {
      expect(text).toContain('"identity":"alice","roles":["agent"]');
      expect(text).toMatch(new RegExp(`event: recording.state\\ndata: .*"taskSid":"${taskSid}".*"status":"paused"`));
    }
    expect((await act(alice, 'resume')).status).toBe(200);
  });

  it("ends a Flex token's event stream when the token expires (IAM's expiration)", async () => {
    const alice = await flexToken('alice', ['agent'], 2);
    const res = await fetch(`${s.url}/api/events`, { headers: { authorization: `Bearer ${alice}` } });
    expect(res.status).toBe(200);
    const text = await Promise.race([res.text(), new Promise<null>((r) => setTimeout(() => r(null), 10_000))]);
    expect(text).toContain('event: hello');
    expect(text).toContain(': session expired');
  });

  it('cannot sign a Flex token out here (400, it keeps working); a server login still signs out', async () => {
    const alice = await flexToken('alice');
    const out = await s.api('POST', '/api/auth/logout', { token: alice, json: {} });
    expect([out.status, out.body.error?.field, out.body.error?.message]).toEqual([400, 'authorization', expect.stringContaining('sign out of Flex')]);
    expect((await s.api('GET', '/api/me', { token: alice })).status).toBe(200);
    const login = await s.login('alice');
    expect((await s.api('POST', '/api/auth/logout', { token: login, json: {} })).status).toBe(204);
    // Its own refusal stands: a revoked server token is never re-tried as a Flex token.
    const again = await s.api('GET', '/api/me', { token: login });
    expect([again.status, again.body.error?.message]).toEqual([401, expect.stringContaining('revoked')]);
    await waitUntil('the recording still captures', async () => (await state()) === 'recording');
  });
});

describe('FLEX_LOGIN=off', () => {
  it('refuses a Flex token on the task API (401)', async () => {
    const off = await startSystem({ engine: s.engine, env: { FLEX_LOGIN: 'off' } });
    try {
      const r = await off.api('GET', '/api/me', { token: await flexToken('alice') });
      expect([r.status, r.body.error?.code]).toEqual([401, 'UNAUTHENTICATED']);
    } finally {
      await off.close();
    }
  });
});
