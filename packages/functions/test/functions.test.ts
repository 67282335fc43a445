import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type RunningEngine } from '@pause-recording/voice-engine';
import { engineAuthToken, startFunctions, type RunningFunctions } from './support/functions.ts';

/**
 * The Functions under the real `twilio-run start` against the voice engine: a Flex-shaped
 * TaskRouter flow (a customer's call waits in a recorded conference, alice accepts the task with
 * the conference instruction), then every path of the template and of the Plugin Library pauses
 * and resumes the real call and conference recordings, with the worker-to-task check on.
 */

const PREFIXES = [
  { name: 'template', pause: '/features/pause-recording/flex', dual: '/features/dual-channel-recording/flex' },
  { name: 'Plugin Library', pause: '/pause-recording', dual: '/dual-channel-recording' },
] as const;

/** The SDK's RecordingInstance JSON for a call recording (a conference recording has no `track`). */
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

type Json = Record<string, unknown>;
interface Answer {
  status: number;
  body: Json;
  text: string;
  headers: Headers;
}

async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Twilio Functions under twilio-run, against the engine', () => {
  let e: RunningEngine;
  let fns: RunningFunctions;
  let client: twilio.Twilio;
  let ws: ReturnType<twilio.Twilio['taskrouter']['v1']['workspaces']>;
  let workflowSid = '';
  const workers: Record<string, string> = {};
  let n = 0;

  const basic = () => `Basic ${Buffer.from(`${e.accountSid}:${e.authToken}`).toString('base64')}`;
  async function flexToken(identity: string, roles: string[], workerSid?: string): Promise<string> {
    const r = await fetch(`${e.url}/dev/flex-tokens`, {
      method: 'POST',
      headers: { authorization: basic(), 'content-type': 'application/json' },
      body: JSON.stringify({ identity, roles, ...(workerSid ? { workerSid } : {}) }),
    });
    if (r.status !== 201) throw new Error(`flex token: ${r.status} ${await r.text()}`);
    return ((await r.json()) as { token: string }).token;
  }
  async function post(path: string, form: Record<string, string>): Promise<Answer> {
    const r = await fetch(fns.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
    const text = await r.text();
    let body: Json = {};
    try {
      body = JSON.parse(text) as Json;
    } catch {
      body = {};
    }
    return { status: r.status, body, text, headers: r.headers };
  }
  async function pauseLog(recordingSid: string): Promise<{ status: string; pauseBehavior: string | null }[]> {
    const r = await fetch(`${e.url}/dev/recordings/${recordingSid}.json`, { headers: { authorization: basic() } });
    return ((await r.json()) as { events: { status: string; pauseBehavior: string | null }[] }).events;
  }

  /** A customer call in a recorded conference, its task accepted by alice with the conference instruction, attributes as Flex writes them. */
  async function acceptedTask(): Promise<{ taskSid: string; reservationSid: string; callSid: string; conferenceSid: string; aliceCallSid: string }> {
    const room = `room-${++n}`;
    const customer = await client.calls.create({
      to: '+15550001000',
      from: '+15550002000',
      twiml: `<Response><Dial><Conference startConferenceOnEnter="false" endConferenceOnExit="true" record="record-from-start">${room}</Conference></Dial></Response>`,
    });
    const conf = await waitFor('the customer in the conference', async () => (await client.conferences.list({ friendlyName: room, status: 'init' }))[0]);
    const task = await ws.tasks.create({ workflowSid, attributes: JSON.stringify({ call_sid: customer.sid, from: '+15550002000', to: '+15550001000' }) });
    const [reservation] = await ws.tasks(task.sid).reservations.list();
    expect(reservation?.workerSid).toBe(workers['alice']);
    await ws.tasks(task.sid).reservations(reservation!.sid).update({ reservationStatus: 'accepted', instruction: 'conference', from: '+15550001000' });
    const aliceCallSid = await waitFor('alice connected', async () => {
      for (const p of await client.conferences(conf.sid).participants.list()) {
        if (p.callSid !== customer.sid && p.status === 'connected') return p.callSid;
      }
      return null;
    });
    await waitFor('the conference recording', async () => (await client.conferences(conf.sid).recordings.list())[0]?.status === 'in-progress');
    // Flex keeps the conference on the task's attributes once the agent joins.
    await ws.tasks(task.sid).update({
      attributes: JSON.stringify({ call_sid: customer.sid, conference: { sid: conf.sid, participants: { customer: customer.sid, worker: aliceCallSid } } }),
    });
    return { taskSid: task.sid, reservationSid: reservation!.sid, callSid: customer.sid, conferenceSid: conf.sid, aliceCallSid };
  }

  beforeAll(async () => {
    e = await startEngine({
      dataDir: mkdtempSync(join(tmpdir(), 'functions-test-')),
      audio: 'stamped',
      speed: 5,
      devRoutes: true,
      authToken: engineAuthToken(),
    });
    client = twilio(e.accountSid, e.authToken, { region: '', edge: '' });
    client.api.baseUrl = e.url;
    client.taskrouter.baseUrl = e.url;
    const workspace = await client.taskrouter.v1.workspaces.create({ friendlyName: 'Flex Task Assignment' });
    ws = client.taskrouter.v1.workspaces(workspace.sid);
    const activities = await ws.activities.list();
    const activity = (name: string) => activities.find((a) => a.friendlyName === name)!.sid;
    // Every task goes to alice; bob is a worker of the same workspace, offline.
    for (const [name, state] of [
      ['alice', 'Available'],
      ['bob', 'Offline'],
    ] as const) {
      const w = await ws.workers.create({ friendlyName: name, attributes: JSON.stringify({ contact_uri: `client:${name}` }), activitySid: activity(state) });
      workers[name] = w.sid;
    }
    const queue = await ws.taskQueues.create({ friendlyName: 'everyone', targetWorkers: '1==1' });
    workflowSid = (
      await ws.workflows.create({ friendlyName: 'fifo', configuration: JSON.stringify({ task_routing: { default_filter: { queue: queue.sid } } }) })
    ).sid;
    // No TWILIO_WORKSPACE_SID: the Functions find the account's one workspace, as on a Flex account.
    fns = await startFunctions({ engineUrl: e.url, accountSid: e.accountSid, authToken: e.authToken });
  }, 90_000);
  afterAll(async () => {
    await fns?.stop();
    await e?.close();
  });

  for (const prefix of PREFIXES) {
    it(`${prefix.name} paths: alice records, pauses and resumes her call and conference; bob is refused; after her task completes she is too`, async () => {
      const t = await acceptedTask();
      const alice = await flexToken('alice', ['agent'], workers['alice']);
      const bob = await flexToken('bob', ['agent'], workers['bob']);

      // The dual-channel recording of the customer's leg, as the template's dual-channel feature starts it.
      const created = await post(`${prefix.dual}/create-recording`, { Token: alice, callSid: t.callSid });
      expect(created.status).toBe(200);
      expect(created.headers.get('access-control-allow-origin')).toBe('*');
      const rec = created.body['recording'] as Json;
      expect(created.body['success']).toBe(true);
      expect(Object.keys(rec).sort()).toEqual(CALL_RECORDING_FIELDS);
      expect(rec).toMatchObject({ callSid: t.callSid, channels: 2, status: 'in-progress', source: 'StartCallRecordingAPI' });
      const callRec = rec['sid'] as string;

      // Pause by Twilio.CURRENT (recordingSid omitted) with skip; resume by SID.
      const paused = await post(`${prefix.pause}/pause-call-recording`, { Token: alice, callSid: t.callSid, pauseBehavior: 'skip' });
      expect([paused.status, (paused.body['recording'] as Json)['sid'], (paused.body['recording'] as Json)['status']]).toEqual([200, callRec, 'paused']);
      expect((await client.calls(t.callSid).recordings(callRec).fetch()).status).toBe('paused');
      expect((await pauseLog(callRec)).at(-1)).toMatchObject({ status: 'paused', pauseBehavior: 'skip' });
      const resumed = await post(`${prefix.pause}/resume-call-recording`, { Token: alice, callSid: t.callSid, recordingSid: callRec });
      expect([resumed.status, (resumed.body['recording'] as Json)['status']]).toEqual([200, 'in-progress']);
      expect((await client.calls(t.callSid).recordings(callRec).fetch()).status).toBe('in-progress');

      // The conference recording: no pauseBehavior sent, so Twilio's default (silence).
      const confPaused = await post(`${prefix.pause}/pause-conference-recording`, { Token: alice, conferenceSid: t.conferenceSid });
      expect(confPaused.status).toBe(200);
      const confRec = (confPaused.body['recording'] as Json)['sid'] as string;
      expect((confPaused.body['recording'] as Json)['conferenceSid']).toBe(t.conferenceSid);
      expect((await client.conferences(t.conferenceSid).recordings(confRec).fetch()).status).toBe('paused');
      expect((await pauseLog(confRec)).at(-1)).toMatchObject({ status: 'paused', pauseBehavior: 'silence' });

      // bob holds no reservation on this task: refused on the call and the conference, nothing changes.
      const bobs = await post(`${prefix.pause}/resume-conference-recording`, { Token: bob, conferenceSid: t.conferenceSid, recordingSid: confRec });
      expect(bobs.status).toBe(403);
      expect(bobs.body['message']).toMatch(/is not on a task that worker WK\w+ \(bob\) has accepted/);
      expect((await post(`${prefix.pause}/pause-call-recording`, { Token: bob, callSid: t.callSid })).status).toBe(403);
      expect((await post(`${prefix.dual}/create-recording`, { Token: bob, callSid: t.callSid })).status).toBe(403);
      expect((await client.conferences(t.conferenceSid).recordings(confRec).fetch()).status).toBe('paused');
      expect((await client.calls(t.callSid).recordings(callRec).fetch()).status).toBe('in-progress');

      const confResumed = await post(`${prefix.pause}/resume-conference-recording`, { Token: alice, conferenceSid: t.conferenceSid, recordingSid: confRec });
      expect([confResumed.status, (confResumed.body['recording'] as Json)['status']]).toEqual([200, 'in-progress']);

      // Wrapping still counts as hers; once completed, her token no longer reaches the call.
      await ws.tasks(t.taskSid).reservations(t.reservationSid).update({ reservationStatus: 'wrapping' });
      expect((await post(`${prefix.pause}/pause-call-recording`, { Token: alice, callSid: t.callSid, recordingSid: callRec })).status).toBe(200);
      expect((await post(`${prefix.pause}/resume-call-recording`, { Token: alice, callSid: t.callSid, recordingSid: callRec })).status).toBe(200);
      await ws.tasks(t.taskSid).reservations(t.reservationSid).update({ reservationStatus: 'completed' });
      const after = await post(`${prefix.pause}/pause-call-recording`, { Token: alice, callSid: t.callSid });
      expect(after.status).toBe(403);
      expect((await client.calls(t.callSid).recordings(callRec).fetch()).status).toBe('in-progress');
      await client.calls(t.callSid).update({ status: 'completed' });
    });
  }

  it("a missing or invalid token is twilio-flex-token-validator's 403 (plain text, CORS *) on every path", async () => {
    const paths = PREFIXES.flatMap((p) => [
      `${p.pause}/pause-call-recording`,
      `${p.pause}/resume-call-recording`,
      `${p.pause}/pause-conference-recording`,
      `${p.pause}/resume-conference-recording`,
      `${p.dual}/create-recording`,
    ]);
    for (const path of paths) {
      const none = await post(path, { callSid: `CA${'0'.repeat(32)}` });
      expect([path, none.status, none.text]).toEqual([path, 403, 'Unauthorized: Token was not provided']);
      expect(none.headers.get('access-control-allow-origin')).toBe('*');
    }
    const bad = await post(paths[0]!, { Token: 'not-a-token', callSid: `CA${'0'.repeat(32)}` });
    expect([bad.status, bad.text]).toEqual([403, 'Invalid Access Token']);
  });

  it("Twilio.CURRENT on a live call or conference with no recording answers Twilio's 21220 (the template's missing-recording case)", async () => {
    const sam = await flexToken('sam', ['supervisor']);
    const bare = await client.calls.create({ to: '+15550001001', from: '+15550002000', twiml: '<Response><Pause length="600"/></Response>' });
    await waitFor('the call answered', async () => (await client.calls(bare.sid).fetch()).status === 'in-progress');
    const r = await post('/features/pause-recording/flex/pause-call-recording', { Token: sam, callSid: bare.sid });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ success: false, twilioErrorCode: 21220, twilioDocPage: 'https://www.twilio.com/docs/errors/21220' });
    expect(r.body['message']).toMatch(/No active recording/);
    expect(r.body).not.toHaveProperty('recording');

    const room = `bare-${++n}`;
    const p = await client.conferences(room).participants.create({ from: '+15550003333', to: '+15550004444', label: 'customer' });
    await client.conferences(p.conferenceSid).participants.create({ from: '+15550003333', to: 'client:sam', label: 'agent' });
    await waitFor('the conference live', async () => (await client.conferences(p.conferenceSid).fetch()).status === 'in-progress');
    const c = await post('/pause-recording/pause-conference-recording', { Token: sam, conferenceSid: p.conferenceSid });
    expect([c.status, c.body['twilioErrorCode']]).toEqual([400, 21220]);
    // An unknown call stays Twilio's 404.
    const ghost = await post('/pause-recording/pause-call-recording', { Token: sam, callSid: `CA${'9'.repeat(32)}` });
    expect([ghost.status, ghost.body['twilioErrorCode']]).toEqual([404, 20404]);
    await client.calls(bare.sid).update({ status: 'completed' });
  });

  it("missing or malformed fields are the template's 400 {data: null, message} naming the field", async () => {
    const sam = await flexToken('sam', ['supervisor']);
    const missing = await post('/features/pause-recording/flex/resume-conference-recording', { Token: sam });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({
      data: null,
      message:
        '(/features/pause-recording/flex/resume-conference-recording) Missing conferenceSid: unique ID of conference to resume recording' +
        '(/features/pause-recording/flex/resume-conference-recording) Missing recordingSid: unique ID of recording to resume',
    });
    const malformed = await post('/pause-recording/pause-call-recording', { Token: sam, callSid: 'CA123' });
    expect([malformed.status, malformed.body['data']]).toEqual([400, null]);
    expect(malformed.body['message']).toMatch(/callSid: .*34 characters/);
    const behavior = await post('/pause-recording/pause-call-recording', { Token: sam, callSid: `CA${'0'.repeat(32)}`, pauseBehavior: 'mute' });
    expect([behavior.status, behavior.body['message']]).toEqual([400, '(/pause-recording/pause-call-recording) pauseBehavior: must be skip or silence']);
  });

  it("the template's retries: a persistent 503 fails after TWILIO_SERVICE_RETRY_LIMIT retries; a single 500 is not retried", async () => {
    const sam = await flexToken('sam', ['supervisor']);
    const call = await client.calls.create({ to: '+15550001002', from: '+15550002000', twiml: '<Response><Pause length="600"/></Response>' });
    await waitFor('the call answered', async () => (await client.calls(call.sid).fetch()).status === 'in-progress');
    const rec = await client.calls(call.sid).recordings.create();
    const path = `/2010-04-01/Accounts/${e.accountSid}/Calls/${call.sid}/Recordings/`;
    const always = e.faults.add({ method: 'POST', path, action: 'status', status: 503, times: 0 });
    const failed = await post('/pause-recording/pause-call-recording', { Token: sam, callSid: call.sid });
    const hits = e.faults.list().find((f) => f.id === always)!.hits;
    e.faults.remove(always);
    expect(failed.status).toBe(503);
    expect(failed.body['success']).toBe(false);
    // The first try and five retries (the template's default limit).
    expect(hits).toBe(6);
    expect((await client.calls(call.sid).recordings(rec.sid).fetch()).status).toBe('in-progress');

    const once = e.faults.add({ method: 'POST', path, action: 'status', status: 500, times: 1 });
    const single = await post('/pause-recording/pause-call-recording', { Token: sam, callSid: call.sid });
    e.faults.remove(once);
    expect(single.status).toBe(500);
    expect((await client.calls(call.sid).recordings(rec.sid).fetch()).status).toBe('in-progress');

    const transient = e.faults.add({ method: 'POST', path, action: 'status', status: 429, times: 2 });
    const retried = await post('/pause-recording/pause-call-recording', { Token: sam, callSid: call.sid });
    e.faults.remove(transient);
    expect([retried.status, (retried.body['recording'] as Json)['status']]).toEqual([200, 'paused']);
    await client.calls(call.sid).update({ status: 'completed' });
  });
});
