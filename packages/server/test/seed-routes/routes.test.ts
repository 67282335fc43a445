/**
 * The template's Twilio Function routes, form-encoded with a `Token` field, answering
 * `{recording, success, message, twilioErrorCode, twilioDocPage}`. Tokens: the server's own
 * bearer token or a Flex token validated through the (emulated) token-validate endpoint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type System } from '../support/system.ts';

let s: System;
let alice: string;
let bob: string;
let taskSid: string;
let callSid: string;
let workerCallSid: string;
let conferenceSid: string;

const SHAPE = ['recording', 'success', 'message', 'twilioErrorCode', 'twilioDocPage'];

async function flexToken(identity: string, roles: string[] = ['agent'], ttlSeconds = 3600): Promise<string> {
  const res = await fetch(`${s.engine.url}/dev/flex-tokens`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: 'Basic ' + Buffer.from(`${s.engine.accountSid}:${s.engine.authToken}`).toString('base64'),
    },
    body: JSON.stringify({ identity, roles, ttlSeconds }),
  });
  return ((await res.json()) as { token: string }).token;
}

beforeAll(async () => {
  s = await startSystem({ settings: { call_recording_enabled: true } });
  ({ token: alice, taskSid } = await s.acceptedCall('alice'));
  bob = await s.login('bob');
  const t = s.server.tasks.get(taskSid)!;
  callSid = t.attributes.call_sid;
  workerCallSid = t.workerCallSid!;
  conferenceSid = t.conferenceSid!;
});
afterAll(async () => {
  await s.close();
});

const seed = (path: string, form: Record<string, string>) => s.api('POST', path, { form });

describe('seed routes', () => {
  it('pause and resume the call recording with the server token, in the seed shape', async () => {
    const p = await seed('/features/pause-recording/flex/pause-call-recording', { Token: alice, callSid: workerCallSid });
    expect(p.status).toBe(200);
    expect(Object.keys(p.body).sort()).toEqual([...SHAPE].sort());
    expect(p.body).toMatchObject({ success: true, twilioErrorCode: null, recording: { status: 'paused', callSid: workerCallSid, channels: 2 } });
    const recordingSid = (p.body['recording'] as { sid: string }).sid;
    // The task is now partially paused (the conference recording still captures): the server says so.
    expect((await s.api('GET', `/api/tasks/${taskSid}/recording`, { token: alice })).body['status']).toBe('partially-paused');

    const r = await seed('/features/pause-recording/flex/resume-call-recording', { Token: alice, callSid: workerCallSid, recordingSid });
    expect(r.body).toMatchObject({ success: true, recording: { sid: recordingSid, status: 'in-progress' } });
    expect(
      s.server.audit
        .query({ taskSid })
        .filter((e) => e.details['via'] === 'seed-route')
        .map((e) => [e.action, e.actor, e.outcome]),
    ).toEqual([
      ['pause', 'alice', 'ok'],
      ['resume', 'alice', 'ok'],
    ]);
  });

  it('pause and resume the conference recording with a Flex token', async () => {
    const flex = await flexToken('alice');
    const list = await s.api('GET', `/api/tasks/${taskSid}/recording`, { token: alice });
    const conf = (list.body['recordings'] as { sid: string; conferenceSid: string | null }[]).find((r) => r.conferenceSid !== null)!;
    const p = await seed('/features/pause-recording/flex/pause-conference-recording', {
      Token: flex,
      conferenceSid,
      recordingSid: conf.sid,
      pauseBehavior: 'silence',
    });
    expect(p.body).toMatchObject({ success: true, recording: { sid: conf.sid, status: 'paused' } });
    const r = await seed('/features/pause-recording/flex/resume-conference-recording', { Token: flex, conferenceSid, recordingSid: conf.sid });
    expect(r.body).toMatchObject({ success: true, recording: { sid: conf.sid, status: 'in-progress' } });
    // Without recordingSid the conference's current recording is meant (Twilio.CURRENT), as in the template.
    const cur = await seed('/features/pause-recording/flex/pause-conference-recording', { Token: flex, conferenceSid });
    expect(cur.body).toMatchObject({ success: true, recording: { sid: conf.sid, status: 'paused' } });
    await seed('/features/pause-recording/flex/resume-conference-recording', { Token: flex, conferenceSid, recordingSid: conf.sid });
    const last = s.server.audit
      .query({ taskSid })
      .filter((e) => e.details['via'] === 'seed-route')
      .at(-4);
    expect(last).toMatchObject({ action: 'pause', actor: 'alice', role: 'flex', details: { pauseBehavior: 'silence' } });
  });

  it('creates a dual-channel recording', async () => {
    const c = await seed('/features/dual-channel-recording/flex/create-recording', { Token: alice, callSid });
    expect(c.status).toBe(200);
    expect(c.body).toMatchObject({ success: true, recording: { callSid, channels: 2, status: 'in-progress' } });
  });

  it('refuses missing and malformed fields and other agents, in the seed shape and without changes (token refusals: drop-in.test.ts)', async () => {
    const before = s.server.audit.count();
    const cases: [Record<string, string>, string, number, RegExp][] = [
      [{ Token: alice }, 'pause-call-recording', 400, /callSid/],
      [{ Token: alice, callSid: 'CA123' }, 'pause-call-recording', 400, /callSid/],
      [{ Token: alice, callSid, pauseBehavior: 'mute' }, 'pause-call-recording', 400, /pauseBehavior/],
      [{ Token: alice, callSid }, 'resume-call-recording', 400, /recordingSid/],
      [{ Token: alice, conferenceSid: 'CF1', recordingSid: 'RE1' }, 'resume-conference-recording', 400, /conferenceSid/],
      [{ Token: bob, callSid }, 'pause-call-recording', 403, /callSid/],
      [{ Token: await flexToken('bob'), conferenceSid, recordingSid: 'RE' + '0'.repeat(32) }, 'pause-conference-recording', 403, /conferenceSid/],
    ];
    for (const [form, route, status, msg] of cases) {
      const r = await seed(`/features/pause-recording/flex/${route}`, form);
      expect([route, form, r.status]).toEqual([route, form, status]);
      expect(r.body).toMatchObject({ success: false, recording: null });
      expect(r.body['message']).toMatch(msg);
      expect(Object.keys(r.body).sort()).toEqual([...SHAPE].sort());
    }
    expect(s.server.audit.count()).toBe(before);
    expect((await s.api('GET', `/api/tasks/${taskSid}/recording`, { token: alice })).body['status']).toBe('recording');
  });

  it('refuses an agent on a call or conference that is no task of theirs, in embedded mode too, changing nothing', async () => {
    const before = s.server.audit.count();
    const unknownCall = 'CA' + 'e'.repeat(32);
    for (const token of [alice, await flexToken('alice')]) {
      const r = await seed('/features/pause-recording/flex/pause-call-recording', { Token: token, callSid: unknownCall });
      expect(r.status).toBe(403);
      expect(r.body).toMatchObject({ success: false, recording: null });
      expect(r.body['message']).toMatch(/^callSid: no live TaskRouter task names call CA(e){32} .*so alice may not pause, resume or record it/);
      const c = await seed('/features/pause-recording/flex/pause-conference-recording', { Token: token, conferenceSid: 'CF' + 'e'.repeat(32) });
      expect(c.status).toBe(403);
      const d = await seed('/features/dual-channel-recording/flex/create-recording', { Token: token, callSid: unknownCall });
      expect(d.status).toBe(403);
    }
    expect(s.server.audit.count()).toBe(before);
  });

  it("passes Twilio's error code and doc page through", async () => {
    // The supervisor may act on alice's live task; the engine knows no such recording of its call.
    const r = await seed('/features/pause-recording/flex/resume-call-recording', {
      Token: await s.login('sam'),
      callSid,
      recordingSid: 'RE' + 'f'.repeat(32),
    });
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ success: false, recording: null, twilioErrorCode: 20404 });
    expect(r.body['twilioDocPage']).toMatch(/^https:\/\//);
  });
});
