/**
 * The seed routes answer as the Twilio Functions do (packages/functions runs the same requests
 * under twilio-run): the SDK's full recording object, the token validator's 403, Twilio's default
 * PauseBehavior, GET with query parameters, the Plugin Library's paths, and a short retry budget.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdk, startSystem, type System } from '../support/system.ts';

let s: System;
let alice: string;
let taskSid: string;
let callSid: string;
let workerCallSid: string;
let conferenceSid: string;

/** The SDK's RecordingInstance JSON of a call recording; a conference recording has all but `track`. */
const CALL_RECORDING_FIELDS = [
  'accountSid',
  'apiVersion',
  'callSid',
  'conferenceSid',
  'dateCreated',
  'dateUpdated',
  'startTime',
  'duration',
  'sid',
  'price',
  'uri',
  'encryptionDetails',
  'priceUnit',
  'status',
  'channels',
  'source',
  'errorCode',
  'track',
].sort();

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

async function pauseLog(recordingSid: string): Promise<{ status: string; pauseBehavior: string | null }[]> {
  const r = await fetch(`${s.engine.url}/dev/recordings/${recordingSid}.json`, {
    headers: { authorization: 'Basic ' + Buffer.from(`${s.engine.accountSid}:${s.engine.authToken}`).toString('base64') },
  });
  return ((await r.json()) as { events: { status: string; pauseBehavior: string | null }[] }).events;
}

beforeAll(async () => {
  // The server's own pause behaviour is skip: a route without pauseBehavior must not use it.
  s = await startSystem({ settings: { call_recording_enabled: true, features: { pause_recording: { include_silence: false } } } });
  ({ token: alice, taskSid } = await s.acceptedCall('alice'));
  const t = s.server.tasks.get(taskSid)!;
  callSid = t.attributes.call_sid;
  workerCallSid = t.workerCallSid!;
  conferenceSid = t.conferenceSid!;
});
afterAll(async () => {
  await s.close();
});

const seed = (path: string, form: Record<string, string>) => s.api('POST', path, { form });

describe('seed routes as drop-in Functions', () => {
  it("answer the SDK's full recording object: 18 fields for a call's recording, 17 for a conference's", async () => {
    const p = await seed('/features/pause-recording/flex/pause-call-recording', { Token: alice, callSid: workerCallSid, pauseBehavior: 'skip' });
    const rec = p.body['recording'] as Record<string, unknown>;
    expect(Object.keys(rec).sort()).toEqual(CALL_RECORDING_FIELDS);
    const fetched = await sdk(s)
      .calls(workerCallSid)
      .recordings(rec['sid'] as string)
      .fetch();
    // What a Function answers: the instance through JSON.
    expect(rec).toEqual({ ...(JSON.parse(JSON.stringify(fetched)) as object), dateUpdated: rec['dateUpdated'] });
    await seed('/features/pause-recording/flex/resume-call-recording', { Token: alice, callSid: workerCallSid, recordingSid: rec['sid'] as string });

    const c = await seed('/features/pause-recording/flex/pause-conference-recording', { Token: alice, conferenceSid, pauseBehavior: 'skip' });
    const conf = c.body['recording'] as Record<string, unknown>;
    expect(Object.keys(conf).sort()).toEqual(CALL_RECORDING_FIELDS.filter((f) => f !== 'track'));
    expect(conf).toMatchObject({ conferenceSid, status: 'paused', accountSid: s.engine.accountSid, apiVersion: '2010-04-01' });
    await seed('/features/pause-recording/flex/resume-conference-recording', { Token: alice, conferenceSid, recordingSid: conf['sid'] as string });
  });

  it('refuse a missing or invalid token as twilio-flex-token-validator does: 403, its reason as plain text', async () => {
    const before = s.server.audit.count();
    for (const path of [
      '/features/pause-recording/flex/pause-call-recording',
      '/pause-recording/pause-call-recording',
      '/dual-channel-recording/create-recording',
    ]) {
      const none = await seed(path, { callSid });
      expect([path, none.status, none.text]).toEqual([path, 403, 'Unauthorized: Token was not provided']);
      expect(none.headers.get('content-type')).toMatch(/^text\/plain/);
    }
    const garbage = await seed('/pause-recording/pause-call-recording', { Token: 'garbage', callSid });
    expect([garbage.status, garbage.text]).toEqual([403, 'Invalid Access Token']);
    const expired = await seed('/pause-recording/pause-call-recording', { Token: await flexToken('alice', ['agent'], -10), callSid });
    expect([expired.status, expired.text]).toEqual([403, 'Access Token expired or expiration date invalid']);
    // Refused before any field is read, and nothing was done.
    const empty = await seed('/features/pause-recording/flex/resume-call-recording', {});
    expect(empty.status).toBe(403);
    expect(s.server.audit.count()).toBe(before);
  });

  it("pause with Twilio's default PauseBehavior (silence) when none is sent, not the server's configured skip", async () => {
    const p = await seed('/pause-recording/pause-call-recording', { Token: alice, callSid: workerCallSid });
    expect(p.status).toBe(200);
    const recordingSid = (p.body['recording'] as { sid: string }).sid;
    expect((await pauseLog(recordingSid)).at(-1)).toMatchObject({ status: 'paused', pauseBehavior: 'silence' });
    expect(s.server.audit.query({ taskSid }).at(-1)).toMatchObject({ action: 'pause', details: { pauseBehavior: 'silence' } });
    await seed('/pause-recording/resume-call-recording', { Token: alice, callSid: workerCallSid, recordingSid });
  });

  it('accept GET with query parameters, as Functions do', async () => {
    const q = new URLSearchParams({ Token: alice, conferenceSid, pauseBehavior: 'skip' });
    const p = await s.api('GET', `/features/pause-recording/flex/pause-conference-recording?${q.toString()}`);
    expect([p.status, p.body['success']]).toEqual([200, true]);
    const recordingSid = (p.body['recording'] as { sid: string }).sid;
    expect((await pauseLog(recordingSid)).at(-1)).toMatchObject({ status: 'paused', pauseBehavior: 'skip' });
    const r = await s.api(
      'GET',
      `/pause-recording/resume-conference-recording?${new URLSearchParams({ Token: alice, conferenceSid, recordingSid }).toString()}`,
    );
    expect((r.body['recording'] as { status: string }).status).toBe('in-progress');
    const none = await s.api('GET', `/pause-recording/pause-conference-recording?conferenceSid=${conferenceSid}`);
    expect([none.status, none.text]).toEqual([403, 'Unauthorized: Token was not provided']);
  });

  it("serve the Plugin Library's paths: create a dual-channel recording, pause and resume it", async () => {
    const c = await seed('/dual-channel-recording/create-recording', { Token: alice, callSid });
    expect(c.status).toBe(200);
    const rec = c.body['recording'] as { sid: string; channels: number; callSid: string };
    expect([rec.channels, rec.callSid]).toEqual([2, callSid]);
    const p = await seed('/pause-recording/pause-call-recording', { Token: alice, callSid, recordingSid: rec.sid, pauseBehavior: 'skip' });
    expect((p.body['recording'] as { status: string }).status).toBe('paused');
    expect((await sdk(s).calls(callSid).recordings(rec.sid).fetch()).status).toBe('paused');
    const r = await seed('/pause-recording/resume-call-recording', { Token: alice, callSid, recordingSid: rec.sid });
    expect((r.body['recording'] as { status: string }).status).toBe('in-progress');
    expect(
      s.server.audit
        .query({ taskSid })
        .slice(-3)
        .map((e) => e.action),
    ).toEqual(['recording-start', 'pause', 'resume']);
  });

  it("give up on a provider that keeps failing after the template's 5 retries (within ~1.5 s), changing nothing", async () => {
    const path = `/2010-04-01/Accounts/${s.engine.accountSid}/Calls/${workerCallSid}/Recordings/`;
    const id = s.engine.faults.add({ method: 'POST', path, action: 'status', status: 503, times: 0 });
    try {
      const p = await seed('/pause-recording/pause-call-recording', { Token: alice, callSid: workerCallSid });
      expect([p.status, p.body['success']]).toEqual([503, false]);
      // The first try and five retries: the budget of the control API (TWILIO_RETRY_BUDGET_MS) does not apply here.
      expect(s.engine.faults.list().find((f) => f.id === id)!.hits).toBe(6);
    } finally {
      s.engine.faults.remove(id);
    }
    const recs = await sdk(s).calls(workerCallSid).recordings.list();
    expect(recs.every((r) => r.status !== 'paused')).toBe(true);
  });
});
