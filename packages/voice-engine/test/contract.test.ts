import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEngine } from '../src/index.ts';
import { createContractValidator, loadTwilioSpec, validateTwilioError, type ContractValidator } from './contract/openapi.ts';
import { api, sdkFor, sleepSim, STAY, testEngine, waitFor } from './helpers.ts';

/**
 * Contract test: every covered route is exercised over real HTTP and every JSON response is
 * validated against Twilio's official OpenAPI spec (twilio_api_v2010.json), in strict mode:
 * every property the spec lists must be present and no unlisted property may appear.
 * Every error body met on the way must be exactly `{code, message, more_info, status}`.
 * No exceptions are needed: every resource carries every field its schema lists (conference
 * recordings have no `track` because the spec's conference-recording schema does not list one).
 */

type Json = Record<string, unknown>;

const A = '/2010-04-01/Accounts/{AccountSid}';
const COVERED = [
  `${A}/Calls.json`,
  `${A}/Calls/{Sid}.json`,
  `${A}/Calls/{CallSid}/Recordings.json`,
  `${A}/Calls/{CallSid}/Recordings/{Sid}.json`,
  `${A}/Conferences.json`,
  `${A}/Conferences/{Sid}.json`,
  `${A}/Conferences/{ConferenceSid}/Participants.json`,
  `${A}/Conferences/{ConferenceSid}/Participants/{CallSid}.json`,
  `${A}/Conferences/{ConferenceSid}/Recordings.json`,
  `${A}/Conferences/{ConferenceSid}/Recordings/{Sid}.json`,
  `${A}/Recordings.json`,
  `${A}/Recordings/{Sid}.json`,
  `${A}/IncomingPhoneNumbers.json`,
  `${A}/IncomingPhoneNumbers/{Sid}.json`,
];

describe('Twilio OpenAPI contract (strict)', () => {
  let e: RunningEngine;
  let contract: ContractValidator;
  let base: string;
  /** Every status seen, per `METHOD template`, so the test can show what it checked. */
  const seen: string[] = [];

  beforeAll(async () => {
    contract = createContractValidator(loadTwilioSpec(), { requireListedProperties: true, rejectUnlistedProperties: true });
    e = await testEngine({ speed: 10 });
    base = `/2010-04-01/Accounts/${e.accountSid}`;
  });
  afterAll(async () => {
    await e?.close();
  });

  /**
   * One real request; its response must validate against the spec (or be a Twilio-shaped
   * error), and carry the expected status.
   */
  async function call(method: string, path: string, expectStatus: number, params?: Record<string, string | string[]>): Promise<Json> {
    const res = await api(e, method, path, params);
    const body = res.status === 204 ? res.text : res.body;
    const v = contract.validate(method, path, res.status, body);
    expect(v.errors, `${method} ${path} -> ${res.status}: ${res.text.slice(0, 300)}`).toEqual([]);
    expect(res.status, `${method} ${path}: ${res.text.slice(0, 300)}`).toBe(expectStatus);
    if (res.status >= 400) expect(validateTwilioError(res.status, res.body).errors).toEqual([]);
    if (res.status === 204) expect(res.text).toBe('');
    seen.push(`${method} ${v.template} ${res.status}`);
    return (res.body ?? {}) as Json;
  }

  const get = (path: string, status = 200) => call('GET', path, status);
  const post = (path: string, params: Record<string, string | string[]>, status = 200) => call('POST', path, status, params);
  const del = (path: string, status = 204) => call('DELETE', path, status);

  async function answered(callSid: string): Promise<void> {
    await waitFor(`call ${callSid} answered`, async () => (await get(`${base}/Calls/${callSid}.json`))['status'] === 'in-progress');
  }

  async function completed(recordingSid: string): Promise<Json> {
    return waitFor(`recording ${recordingSid} completed`, async () => {
      const r = await get(`${base}/Recordings/${recordingSid}.json`);
      return r['status'] === 'completed' ? r : null;
    });
  }

  let callA = '';
  let callB = '';

  it('Calls: create 201, fetch 200, list with filters and paging', async () => {
    const a = await post(`${base}/Calls.json`, { To: '+15550001001', From: '+15550002000', Twiml: STAY }, 201);
    const b = await post(`${base}/Calls.json`, { To: '+15550001002', From: '+15550002000', Twiml: STAY }, 201);
    callA = String(a['sid']);
    callB = String(b['sid']);
    expect(a['status']).toMatch(/^(queued|ringing)$/);
    expect(a['duration']).toBeNull();
    await answered(callA);
    await answered(callB);

    const all = await get(`${base}/Calls.json`);
    const sids = (all['calls'] as Json[]).map((c) => c['sid']);
    expect(sids).toEqual(expect.arrayContaining([callA, callB]));

    const byTo = await get(`${base}/Calls.json?To=${encodeURIComponent('+15550001002')}&Status=in-progress`);
    expect((byTo['calls'] as Json[]).map((c) => c['sid'])).toEqual([callB]);
    const none = await get(`${base}/Calls.json?Status=busy`);
    expect(none['calls']).toEqual([]);

    // PageSize=1: follow next_page_uri until it runs out; every page validates, no SID repeats.
    const paged: unknown[] = [];
    let next: string | null = `${base}/Calls.json?PageSize=1&From=${encodeURIComponent('+15550002000')}`;
    while (next) {
      const page = await get(next);
      expect(page['page_size']).toBe(1);
      paged.push(...(page['calls'] as Json[]).map((c) => c['sid']));
      next = page['next_page_uri'] as string | null;
    }
    expect(paged).toHaveLength(2);
    expect(new Set(paged)).toEqual(new Set([callA, callB]));
  });

  let recStopped = '';
  let recEndedWithCall = '';

  it('call recordings: create 201, list, fetch, pause/resume/stop by SID and Twilio.CURRENT', async () => {
    const r = await post(`${base}/Calls/${callA}/Recordings.json`, { RecordingChannels: 'dual', RecordingTrack: 'both' }, 201);
    recStopped = String(r['sid']);
    expect(r['status']).toBe('in-progress');
    expect(r['channels']).toBe(2);
    expect(r['duration']).toBeNull();
    expect(r['uri']).toBe(`${base}/Calls/${callA}/Recordings/${recStopped}.json`);

    const list = await get(`${base}/Calls/${callA}/Recordings.json`);
    expect((list['recordings'] as Json[]).map((x) => x['sid'])).toEqual([recStopped]);
    expect((await get(`${base}/Calls/${callA}/Recordings/${recStopped}.json`))['status']).toBe('in-progress');

    await sleepSim(e, 0.2);
    const item = `${base}/Calls/${callA}/Recordings/${recStopped}.json`;
    const current = `${base}/Calls/${callA}/Recordings/Twilio.CURRENT.json`;
    expect((await post(item, { Status: 'paused', PauseBehavior: 'skip' }))['status']).toBe('paused');
    expect((await post(current, { Status: 'in-progress' }))['status']).toBe('in-progress');
    const viaCurrent = await post(current, { Status: 'paused', PauseBehavior: 'silence' });
    expect(viaCurrent['status']).toBe('paused');
    // Addressed as Twilio.CURRENT, the uri still names the real SID.
    expect(viaCurrent['uri']).toBe(item.replace('{AccountSid}', e.accountSid));
    expect((await post(item, { Status: 'in-progress' }))['status']).toBe('in-progress');
    await sleepSim(e, 0.2);
    expect((await post(current, { Status: 'stopped' }))['status']).toMatch(/^(stopped|processing)$/);
    const done = await completed(recStopped);
    expect(done['duration']).toMatch(/^\d+$/);

    // A second recording of the same call stays open until the call ends.
    const second = await post(`${base}/Calls/${callA}/Recordings.json`, { RecordingChannels: 'mono' }, 201);
    recEndedWithCall = String(second['sid']);
    expect(second['channels']).toBe(1);
    await sleepSim(e, 0.2);
  });

  it('Calls: update (Twiml redirect, Status=completed) 200; delete of an ended call 204', async () => {
    const redirected = await post(`${base}/Calls/${callB}.json`, { Twiml: '<Response><Pause length="3600"/></Response>' });
    expect(redirected['status']).toBe('in-progress');

    const ended = await post(`${base}/Calls/${callA}.json`, { Status: 'completed' });
    expect(ended['status']).toBe('completed');
    expect(ended['duration']).toMatch(/^\d+$/);
    await completed(recEndedWithCall);
    expect((await get(`${base}/Calls.json?Status=completed`))['calls']).toEqual([expect.objectContaining({ sid: callA })]);

    // Account-level recordings list, with and without a filter.
    const recs = await get(`${base}/Recordings.json`);
    expect((recs['recordings'] as Json[]).map((x) => x['sid'])).toEqual(expect.arrayContaining([recStopped, recEndedWithCall]));
    const forA = await get(`${base}/Recordings.json?CallSid=${callA}&PageSize=1`);
    expect(forA['recordings']).toHaveLength(1);
    expect(forA['next_page_uri']).not.toBeNull();
    await get(String(forA['next_page_uri']));

    // Media: RIFF/WAVE, audio/x-wav.
    const media = await fetch(`${e.url}${base}/Recordings/${recStopped}.wav`, {
      headers: { authorization: `Basic ${Buffer.from(`${e.accountSid}:${e.authToken}`).toString('base64')}` },
    });
    expect(media.status).toBe(200);
    expect(media.headers.get('content-type')).toBe('audio/x-wav');
    const bytes = Buffer.from(await media.arrayBuffer());
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('RIFF');
    expect(bytes.subarray(8, 12).toString('latin1')).toBe('WAVE');

    // Deletes: a completed call recording, a recording at account level, then the ended call.
    await del(`${base}/Calls/${callA}/Recordings/${recStopped}.json`);
    await get(`${base}/Calls/${callA}/Recordings/${recStopped}.json`, 404);
    await del(`${base}/Recordings/${recEndedWithCall}.json`);
    await get(`${base}/Recordings/${recEndedWithCall}.json`, 404);
    await del(`${base}/Calls/${callA}.json`);
    await get(`${base}/Calls/${callA}.json`, 404);
  });

  let conf = '';
  let agent = '';
  let customer = '';

  it('Conferences and Participants: create by name and by SID with ConferenceRecord, fetch, list, update', async () => {
    const c1 = await post(`${base}/Conferences/contract-room/Participants.json`, { From: '+15550002000', To: '+15550003001', Label: 'customer' }, 201);
    customer = String(c1['call_sid']);
    conf = String(c1['conference_sid']);
    expect(conf).toMatch(/^CF[0-9a-f]{32}$/);
    expect(c1['label']).toBe('customer');
    await waitFor('customer connected', async () => (await get(`${base}/Conferences/${conf}/Participants/${customer}.json`))['status'] === 'connected');

    const c2 = await post(
      `${base}/Conferences/${conf}/Participants.json`,
      { From: '+15550002000', To: 'client:agent', Label: 'agent', ConferenceRecord: 'record-from-start' },
      201,
    );
    agent = String(c2['call_sid']);
    expect(c2['conference_sid']).toBe(conf);
    await waitFor('agent connected', async () => (await get(`${base}/Conferences/${conf}/Participants/${agent}.json`))['status'] === 'connected');

    const confs = await get(`${base}/Conferences.json`);
    expect((confs['conferences'] as Json[]).map((x) => x['sid'])).toContain(conf);
    await get(`${base}/Conferences.json?Status=in-progress&FriendlyName=contract-room`);
    const fetched = await get(`${base}/Conferences/${conf}.json`);
    expect(fetched['status']).toBe('in-progress');
    expect(fetched['reason_conference_ended']).toBeNull();

    const parts = await get(`${base}/Conferences/${conf}/Participants.json`);
    expect((parts['participants'] as Json[]).map((p) => p['call_sid']).sort()).toEqual([agent, customer].sort());
    const held = await post(`${base}/Conferences/${conf}/Participants/${customer}.json`, { Hold: 'true' });
    expect(held['hold']).toBe(true);
    const unheld = await post(`${base}/Conferences/${conf}/Participants/${customer}.json`, { Hold: 'false', Muted: 'true' });
    expect(unheld).toMatchObject({ hold: false, muted: true });
    await get(`${base}/Conferences/${conf}/Participants.json?Muted=true`);
  });

  it('conference recordings: list, fetch, pause/resume by SID and Twilio.CURRENT; conference completed', async () => {
    const list = await waitFor('conference recording', async () => {
      const l = await get(`${base}/Conferences/${conf}/Recordings.json`);
      return (l['recordings'] as Json[]).length ? l : null;
    });
    const rec = (list['recordings'] as Json[])[0]!;
    const sid = String(rec['sid']);
    expect(rec['conference_sid']).toBe(conf);
    expect(rec).not.toHaveProperty('track');
    const item = `${base}/Conferences/${conf}/Recordings/${sid}.json`;
    const current = `${base}/Conferences/${conf}/Recordings/Twilio.CURRENT.json`;
    expect((await get(item))['status']).toBe('in-progress');
    expect((await get(current))['sid']).toBe(sid);
    await sleepSim(e, 0.2);
    expect((await post(item, { Status: 'paused', PauseBehavior: 'skip' }))['status']).toBe('paused');
    expect((await post(current, { Status: 'in-progress' }))['status']).toBe('in-progress');
    const viaCurrent = await post(current, { Status: 'paused' });
    expect(viaCurrent).toMatchObject({ sid, status: 'paused', uri: `${base}/Conferences/${conf}/Recordings/${sid}.json` });
    expect((await post(item, { Status: 'in-progress' }))['status']).toBe('in-progress');
    await sleepSim(e, 0.2);

    // The conference recording also shows at account level, with its media URL.
    const accountLevel = await get(`${base}/Recordings.json?ConferenceSid=${conf}`);
    expect((accountLevel['recordings'] as Json[]).map((x) => x['sid'])).toEqual([sid]);

    await del(`${base}/Conferences/${conf}/Participants/${customer}.json`);
    await get(`${base}/Conferences/${conf}/Participants/${customer}.json`, 404);

    const ended = await post(`${base}/Conferences/${conf}.json`, { Status: 'completed' });
    expect(ended).toMatchObject({ status: 'completed', reason_conference_ended: 'conference-ended-via-api' });
    const done = await completed(sid);
    expect(done['duration']).toMatch(/^\d+$/);
    expect((await get(item))['status']).toBe('completed');
    expect((await get(`${base}/Conferences/${conf}.json`))['status']).toBe('completed');
  });

  it('IncomingPhoneNumbers: create 201, list, fetch, update, delete 204', async () => {
    const n = await post(
      `${base}/IncomingPhoneNumbers.json`,
      { PhoneNumber: '+15005550006', VoiceUrl: 'http://127.0.0.1:9/voice', FriendlyName: 'support' },
      201,
    );
    const sid = String(n['sid']);
    expect(n).toMatchObject({ phone_number: '+15005550006', voice_url: 'http://127.0.0.1:9/voice', friendly_name: 'support' });
    const list = await get(`${base}/IncomingPhoneNumbers.json`);
    expect((list['incoming_phone_numbers'] as Json[]).map((x) => x['sid'])).toEqual([sid]);
    await get(`${base}/IncomingPhoneNumbers.json?PhoneNumber=${encodeURIComponent('+15005550006')}`);
    await get(`${base}/IncomingPhoneNumbers/${sid}.json`);
    const updated = await post(`${base}/IncomingPhoneNumbers/${sid}.json`, { VoiceUrl: 'http://127.0.0.1:9/other', VoiceMethod: 'GET' });
    expect(updated).toMatchObject({ voice_url: 'http://127.0.0.1:9/other', voice_method: 'GET' });
    await del(`${base}/IncomingPhoneNumbers/${sid}.json`);
    await get(`${base}/IncomingPhoneNumbers/${sid}.json`, 404);
  });

  it('the SDK reads what the contract allows (the same engine, through twilio-node)', async () => {
    const client = sdkFor(e);
    const calls = await client.calls.list({ limit: 20 });
    expect(calls.map((c) => c.sid)).toContain(callB);
    const fetched = await client.conferences(conf).fetch();
    expect(fetched.status).toBe('completed');
    await client.calls(callB).update({ status: 'completed' });
  });

  it('errors met on covered and unknown paths are exactly Twilio-shaped', async () => {
    await get(`${base}/Calls/CA00000000000000000000000000000000.json`, 404);
    await get(`${base}/Conferences/CF00000000000000000000000000000000.json`, 404);
    await post(`${base}/Calls/${callB}/Recordings.json`, {}, 400);
    const unknown = await get(`${base}/NoSuchThing.json`, 404);
    expect(unknown['code']).toBe(20404);
  });

  it('covers every listed template', () => {
    const covered = contract.coveredTemplates();
    for (const t of COVERED) expect(covered, t).toContain(t);
    // Each kind of success status was checked somewhere.
    expect(seen.some((s) => s.endsWith(' 201'))).toBe(true);
    expect(seen.some((s) => s.startsWith('DELETE') && s.endsWith(' 204'))).toBe(true);
    const deletes = seen.filter((s) => s.startsWith('DELETE')).map((s) => s.split(' ')[1]);
    expect(new Set(deletes)).toEqual(
      new Set([
        `${A}/Calls/{CallSid}/Recordings/{Sid}.json`,
        `${A}/Recordings/{Sid}.json`,
        `${A}/Calls/{Sid}.json`,
        `${A}/Conferences/{ConferenceSid}/Participants/{CallSid}.json`,
        `${A}/IncomingPhoneNumbers/{Sid}.json`,
      ]),
    );
  });
});
