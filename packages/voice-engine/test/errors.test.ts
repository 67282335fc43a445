import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEngine } from '../src/index.ts';
import { isRfc2822DateTime, validateTwilioError } from './contract/openapi.ts';
import { api, sdkFor, sleepSim, STAY, testEngine, waitFor } from './helpers.ts';

/**
 * Error paths. Through the official twilio SDK wherever it will send the request (asserting
 * the RestException it throws), through raw HTTP where it will not. Every error body is
 * checked to be exactly `{code, message, more_info, status}`, and every bad input is shown
 * to change nothing.
 */

type Json = Record<string, unknown>;
type Client = ReturnType<typeof sdkFor>;

const HEX0 = '0'.repeat(32);
const GHOST_CALL = `CA${HEX0}`;
const GHOST_CONF = `CF${HEX0}`;
const GHOST_REC = `RE${HEX0}`;

interface Received {
  path: string;
  params: Record<string, string>;
  signature: string;
  url: string;
}

describe('error paths', () => {
  let e: RunningEngine;
  let client: Client;
  let base: string;
  let receiver: Server;
  let rxUrl = '';
  const received: Received[] = [];

  /** A live, answered call; a recording on it; a call that has ended with a completed recording. */
  let live = '';
  let liveRec = '';
  let bare = '';
  let ended = '';
  let endedRec = '';
  let conf = '';

  beforeAll(async () => {
    e = await testEngine({ speed: 10 });
    client = sdkFor(e);
    base = `/2010-04-01/Accounts/${e.accountSid}`;
    receiver = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        received.push({
          path: req.url ?? '',
          params: Object.fromEntries(new URLSearchParams(body)),
          signature: String(req.headers['x-twilio-signature'] ?? ''),
          url: `${rxUrl}${req.url ?? ''}`,
        });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    rxUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

    live = (await client.calls.create({ to: '+15550001001', from: '+15550002000', twiml: STAY })).sid;
    bare = (await client.calls.create({ to: '+15550001002', from: '+15550002000', twiml: STAY })).sid;
    ended = (await client.calls.create({ to: '+15550001003', from: '+15550002000', twiml: STAY })).sid;
    for (const sid of [live, bare, ended]) await answered(sid);
    liveRec = (await client.calls(live).recordings.create({ recordingChannels: 'dual' })).sid;
    endedRec = (await client.calls(ended).recordings.create()).sid;
    await sleepSim(e, 0.2);
    await client.calls(ended).update({ status: 'completed' });
    await completed(endedRec);
    const p = await client.conferences('errors-room').participants.create({ from: '+15550002000', to: '+15550003001', label: 'customer' });
    conf = p.conferenceSid;
    await waitFor('participant connected', async () => (await client.conferences(conf).participants(p.callSid).fetch()).status === 'connected');
  });

  afterAll(async () => {
    await e?.close();
    await new Promise((r) => receiver?.close(r));
  });

  async function answered(sid: string): Promise<void> {
    await waitFor(`call ${sid} answered`, async () => (await client.calls(sid).fetch()).status === 'in-progress');
  }

  async function completed(sid: string): Promise<void> {
    await waitFor(`recording ${sid} completed`, async () => (await client.recordings(sid).fetch()).status === 'completed');
  }

  /**
   * The SDK call must fail with a RestException of this status and code, whose message
   * matches `names`; the raw body the engine sent must be exactly Twilio's error shape.
   */
  async function sdkError(c: Client, run: () => Promise<unknown>, status: number, code: number, names: RegExp): Promise<string> {
    let caught: unknown = null;
    try {
      await run();
    } catch (err) {
      caught = err;
    }
    expect(caught, 'expected the SDK to throw').toBeInstanceOf(twilio.RestException);
    const ex = caught as InstanceType<typeof twilio.RestException>;
    expect({ status: ex.status, code: ex.code }).toEqual({ status, code });
    expect(ex.message).toMatch(names);
    expect(ex.moreInfo).toBe(`https://www.twilio.com/docs/errors/${code}`);
    const raw = c.httpClient.lastResponse;
    expect(raw?.statusCode).toBe(status);
    expect(validateTwilioError(status, raw?.body).errors).toEqual([]);
    return ex.message;
  }

  /** A raw request that must fail with this status and code and a message matching `names`. */
  async function rawError(
    method: string,
    path: string,
    params: Record<string, string | string[]> | undefined,
    status: number,
    code: number,
    names: RegExp,
  ): Promise<string> {
    const res = await api(e, method, path, params);
    expect(res.status, res.text).toBe(status);
    expect(validateTwilioError(status, res.body).errors).toEqual([]);
    const body = res.body as Json;
    expect(body['code']).toBe(code);
    expect(String(body['message'])).toMatch(names);
    return String(body['message']);
  }

  /** What a bad request must leave alone: every call and every recording, as the API shows them. */
  async function world(): Promise<string> {
    const calls = await api(e, 'GET', `${base}/Calls.json?PageSize=1000`);
    const recs = await api(e, 'GET', `${base}/Recordings.json?PageSize=1000`);
    const confs = await api(e, 'GET', `${base}/Conferences.json?PageSize=1000`);
    const parts = await api(e, 'GET', `${base}/Conferences/${conf}/Participants.json`);
    return [calls.text, recs.text, confs.text, parts.text].join('\n');
  }

  async function unchanged(run: () => Promise<unknown>): Promise<void> {
    const before = await world();
    await run();
    expect(await world()).toBe(before);
  }

  it('404 / 20404 for well-formed SIDs that do not exist: call, conference, recording, participant', async () => {
    await unchanged(async () => {
      await sdkError(client, () => client.calls(GHOST_CALL).fetch(), 404, 20404, new RegExp(GHOST_CALL));
      await sdkError(client, () => client.calls(GHOST_CALL).update({ status: 'completed' }), 404, 20404, new RegExp(GHOST_CALL));
      await sdkError(client, () => client.calls(GHOST_CALL).recordings.create(), 404, 20404, new RegExp(GHOST_CALL));
      await sdkError(client, () => client.conferences(GHOST_CONF).fetch(), 404, 20404, new RegExp(GHOST_CONF));
      await sdkError(client, () => client.conferences(GHOST_CONF).update({ status: 'completed' }), 404, 20404, new RegExp(GHOST_CONF));
      await sdkError(client, () => client.conferences(GHOST_CONF).participants.list(), 404, 20404, new RegExp(GHOST_CONF));
      await sdkError(client, () => client.recordings(GHOST_REC).fetch(), 404, 20404, new RegExp(GHOST_REC));
      await sdkError(client, () => client.recordings(GHOST_REC).remove(), 404, 20404, new RegExp(GHOST_REC));
      await sdkError(client, () => client.calls(live).recordings(GHOST_REC).update({ status: 'paused' }), 404, 20404, new RegExp(GHOST_REC));
      await sdkError(client, () => client.conferences(conf).recordings(GHOST_REC).fetch(), 404, 20404, new RegExp(GHOST_REC));
      // A recording that exists, addressed under a call it does not belong to.
      await sdkError(client, () => client.calls(bare).recordings(liveRec).fetch(), 404, 20404, new RegExp(liveRec));
      await sdkError(client, () => client.conferences(conf).participants(GHOST_CALL).fetch(), 404, 20404, new RegExp(GHOST_CALL));
      await sdkError(client, () => client.conferences(conf).participants(GHOST_CALL).update({ hold: true }), 404, 20404, new RegExp(GHOST_CALL));
      await sdkError(client, () => client.conferences(conf).participants(GHOST_CALL).remove(), 404, 20404, new RegExp(GHOST_CALL));
    });
  });

  it('400 / 21220 for a recording on a call that has ended: create, pause, resume', async () => {
    await unchanged(async () => {
      const m = await sdkError(client, () => client.calls(ended).recordings.create(), 400, 21220, new RegExp(`${ended}.*not in-progress`));
      expect(m).toMatch(/completed/);
      await sdkError(client, () => client.calls(ended).recordings(endedRec).update({ status: 'paused' }), 400, 21220, new RegExp(`${endedRec} is completed`));
      await sdkError(client, () => client.calls(ended).recordings(endedRec).update({ status: 'in-progress' }), 400, 21220, new RegExp(endedRec));
    });
    // Twilio.CURRENT on the ended call: no active recording, the call is known: 21220.
    await sdkError(
      client,
      () => client.calls(ended).recordings('Twilio.CURRENT').update({ status: 'paused' }),
      400,
      21220,
      /No active recording.*Twilio\.CURRENT/,
    );
    const r = await client.recordings(endedRec).fetch();
    expect(r.status).toBe('completed');
  });

  it('bad or missing Status, bad PauseBehavior: 400 naming the parameter, recording unchanged', async () => {
    const rec = () => client.calls(live).recordings(liveRec);
    await unchanged(async () => {
      await sdkError(client, () => rec().update({ status: 'bogus' as 'paused' }), 400, 20001, /\bStatus\b.*bogus/);
      await sdkError(client, () => rec().update({ status: 'PAUSED' as 'paused' }), 400, 20001, /\bStatus\b/);
      await sdkError(client, () => rec().update({ status: 'paused', pauseBehavior: 'mute' }), 400, 20001, /\bPauseBehavior\b.*mute/);
      await sdkError(
        client,
        () => client.calls(live).recordings('Twilio.CURRENT').update({ status: 'paused', pauseBehavior: 'Skip' }),
        400,
        20001,
        /\bPauseBehavior\b/,
      );
      await sdkError(client, () => client.calls(live).update({ status: 'bogus' as 'completed' }), 400, 20001, /\bStatus\b/);
      await sdkError(client, () => client.conferences(conf).update({ status: 'bogus' as 'completed' }), 400, 20001, /\bStatus\b/);
      await sdkError(
        client,
        () =>
          client
            .conferences(conf)
            .recordings('Twilio.CURRENT')
            .update({ status: 'bogus' as 'paused' }),
        400,
        20001,
        /\bStatus\b/,
      );
      // The SDK refuses to send an update without status; other clients can.
      await rawError('POST', `${base}/Calls/${live}/Recordings/${liveRec}.json`, {}, 400, 20001, /Missing required parameter Status\b/);
      await rawError('POST', `${base}/Calls/${live}/Recordings/${liveRec}.json`, { PauseBehavior: 'skip' }, 400, 20001, /\bStatus\b/);
      await rawError('POST', `${base}/Calls/${live}/Recordings/Twilio.CURRENT.json`, { Status: '' }, 400, 20001, /\bStatus\b/);
    });
    expect((await rec().fetch()).status).toBe('in-progress');
  });

  it('bad RecordingChannels, RecordingStatusCallbackEvent, StatusCallback URLs, Trim: 400 naming the parameter, nothing created', async () => {
    const recs = () => client.calls(live).recordings;
    await unchanged(async () => {
      await sdkError(client, () => recs().create({ recordingChannels: 'stereo' }), 400, 20001, /\bRecordingChannels\b.*stereo/);
      await sdkError(
        client,
        () => recs().create({ recordingStatusCallback: `${rxUrl}/cb/never`, recordingStatusCallbackEvent: ['in-progress', 'finished'] }),
        400,
        20001,
        /\bRecordingStatusCallbackEvent\b.*finished/,
      );
      await rawError(
        'POST',
        `${base}/Calls/${live}/Recordings.json`,
        { RecordingStatusCallbackEvent: 'completed bogus' },
        400,
        20001,
        /\bRecordingStatusCallbackEvent\b.*bogus/,
      );
      await sdkError(client, () => recs().create({ recordingStatusCallback: 'not a url' }), 400, 21205, /\bRecordingStatusCallback\b/);
      await sdkError(client, () => recs().create({ recordingStatusCallback: 'ftp://example.com/cb' }), 400, 21205, /\bRecordingStatusCallback\b.*ftp/);
      await sdkError(client, () => recs().create({ recordingTrack: 'sideways' }), 400, 20001, /\bRecordingTrack\b/);
      await sdkError(client, () => recs().create({ trim: 'bogus' }), 400, 20001, /\bTrim\b/);
      await sdkError(
        client,
        () => client.calls.create({ to: '+15550001009', from: '+15550002000', twiml: STAY, statusCallback: 'callback-please' }),
        400,
        21205,
        /\bStatusCallback\b/,
      );
      await sdkError(
        client,
        () => client.calls.create({ to: '+15550001009', from: '+15550002000', twiml: STAY, statusCallback: 'javascript:alert(1)' }),
        400,
        21205,
        /\bStatusCallback\b/,
      );
    });
  });

  it('IncomingPhoneNumbers update with one bad parameter among good ones: 400, the number unchanged', async () => {
    const n = await client.incomingPhoneNumbers.create({ phoneNumber: '+15005550006', voiceUrl: `${rxUrl}/voice` });
    const item = `${base}/IncomingPhoneNumbers/${n.sid}.json`;
    const before = (await api(e, 'GET', item)).text;
    await sdkError(
      client,
      () => client.incomingPhoneNumbers(n.sid).update({ voiceUrl: `${rxUrl}/other`, voiceMethod: 'PATCH' }),
      400,
      20001,
      /\bVoiceMethod\b/,
    );
    await rawError('POST', item, { FriendlyName: 'renamed', StatusCallback: 'nope' }, 400, 21205, /\bStatusCallback\b/);
    expect((await api(e, 'GET', item)).text).toBe(before);
    await sdkError(client, () => client.incomingPhoneNumbers.create({ phoneNumber: '+15005550006' }), 400, 20001, /\bPhoneNumber\b.*already/);
    await client.incomingPhoneNumbers(n.sid).remove();
  });

  it('malformed TwiML in Calls create: 400 naming Twiml, no call placed', async () => {
    await unchanged(async () => {
      await sdkError(
        client,
        () => client.calls.create({ to: '+15550001009', from: '+15550002000', twiml: '<Response><Pause length="1">' }),
        400,
        12100,
        /\bTwiml\b/,
      );
      await sdkError(client, () => client.calls.create({ to: '+15550001009', from: '+15550002000', twiml: 'hello' }), 400, 12100, /\bTwiml\b/);
      await sdkError(
        client,
        () => client.calls.create({ to: '+15550001009', from: '+15550002000', twiml: '<Response><Play>x.mp3</Play></Response>' }),
        400,
        12100,
        /\bTwiml\b.*Play/,
      );
      await sdkError(client, () => client.calls(live).update({ twiml: '<Response><Pause length="x"/></Response>' }), 400, 12100, /\bTwiml\b/);
      await rawError('POST', `${base}/Calls.json`, { To: '+15550001009', From: '+15550002000' }, 400, 20001, /\bUrl or Twiml\b/);
    });
  });

  it("bad query parameters (paging, filters): 400 naming the parameter, in Twilio's shape", async () => {
    await rawError('GET', `${base}/Calls.json?PageSize=0`, undefined, 400, 20001, /\bPageSize\b.*between 1 and 1000/);
    await rawError('GET', `${base}/Calls.json?PageSize=ten`, undefined, 400, 20001, /\bPageSize\b.*integer.*ten/);
    await rawError('GET', `${base}/Recordings.json?Page=-1`, undefined, 400, 20001, /\bPage\b/);
    await rawError('GET', `${base}/Calls.json?Status=sleeping`, undefined, 400, 20001, /\bStatus\b.*sleeping/);
    await rawError('GET', `${base}/Conferences/${conf}/Participants.json?Hold=maybe`, undefined, 400, 20001, /\bHold\b.*true or false.*maybe/);
  });

  it('malformed SIDs in paths: 404 naming what is wrong with the SID', async () => {
    const upper = `CA${'ABCDEF0123456789'.repeat(2)}`;
    await unchanged(async () => {
      await sdkError(client, () => client.calls(`XY${HEX0}`).fetch(), 404, 20404, /not a valid SID.*must start with CA/);
      await sdkError(client, () => client.calls('CA0123').fetch(), 404, 20404, /not a valid SID.*34 characters/);
      await sdkError(client, () => client.calls(upper).fetch(), 404, 20404, /not a valid SID.*lowercase hex/);
      await sdkError(client, () => client.calls(`CA${HEX0}0`).recordings.list(), 404, 20404, /not a valid SID.*34 characters/);
      await sdkError(client, () => client.recordings(`RE${'F'.repeat(32)}`).fetch(), 404, 20404, /not a valid SID.*lowercase hex/);
      await sdkError(client, () => client.conferences(`CA${HEX0}`).fetch(), 404, 20404, /not a valid SID.*must start with CF/);
      await sdkError(client, () => client.calls(live).recordings('RE123').update({ status: 'paused' }), 404, 20404, /'RE123' is not a valid RE SID/);
      await sdkError(client, () => client.conferences(conf).recordings('twilio.current').fetch(), 404, 20404, /not a valid RE SID or Twilio\.CURRENT/);
      await rawError('GET', `${base}/IncomingPhoneNumbers/PN123.json`, undefined, 404, 20404, /not a valid SID.*34 characters/);
      await rawError('GET', `${base}/Recordings/RE${'A'.repeat(32)}.wav`, undefined, 404, 20404, /not a valid SID/);
    });
  });

  it('Twilio.CURRENT with no active recording: a fetch is 404; an update on a live call or conference is 400 / 21220; an unknown one stays 404', async () => {
    await unchanged(async () => {
      await sdkError(client, () => client.calls(bare).recordings('Twilio.CURRENT').fetch(), 404, 20404, new RegExp(`No active recording for call ${bare}`));
      for (const status of ['paused', 'in-progress'] as const) {
        await sdkError(
          client,
          () => client.calls(bare).recordings('Twilio.CURRENT').update({ status }),
          400,
          21220,
          new RegExp(`No active recording for call ${bare}`),
        );
        await sdkError(
          client,
          () => client.conferences(conf).recordings('Twilio.CURRENT').update({ status }),
          400,
          21220,
          new RegExp(`No active recording for conference ${conf}`),
        );
      }
      await sdkError(client, () => client.calls(GHOST_CALL).recordings('Twilio.CURRENT').update({ status: 'paused' }), 404, 20404, new RegExp(GHOST_CALL));
      await sdkError(
        client,
        () => client.conferences(GHOST_CONF).recordings('Twilio.CURRENT').update({ status: 'paused' }),
        404,
        20404,
        new RegExp(GHOST_CONF),
      );
    });
  });

  it('pausing a paused recording answers 200 unchanged; resuming a stopped or completed one is 400 / 21220', async () => {
    const rec = () => client.calls(live).recordings(liveRec);
    const log = async () => (await api(e, 'GET', `/dev/recordings/${liveRec}.json`)).body as { events: { status: string; pauseBehavior: string | null }[] };
    await rec().update({ status: 'paused', pauseBehavior: 'skip' });
    const before = await api(e, 'GET', `${base}/Calls/${live}/Recordings/${liveRec}.json`);
    const eventsBefore = (await log()).events.length;
    // Documented choice: asking for the status a recording already has is a no-op, even with another PauseBehavior.
    const again = await api(e, 'POST', `${base}/Calls/${live}/Recordings/${liveRec}.json`, { Status: 'paused', PauseBehavior: 'silence' });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(before.body);
    const viaSdk = await client.calls(live).recordings('Twilio.CURRENT').update({ status: 'paused' });
    expect(viaSdk.status).toBe('paused');
    expect(viaSdk.dateUpdated.toUTCString()).toBe(new Date(String((before.body as Json)['date_updated'])).toUTCString());
    const after = await log();
    expect(after.events).toHaveLength(eventsBefore);
    expect(after.events.at(-1)).toMatchObject({ status: 'paused', pauseBehavior: 'skip' });
    expect((await rec().update({ status: 'in-progress' })).status).toBe('in-progress');

    // A second recording of the same call, stopped: it can never resume.
    const second = await client.calls(live).recordings.create();
    await sleepSim(e, 0.2);
    const stopped = await client.calls(live).recordings(second.sid).update({ status: 'stopped' });
    expect(['stopped', 'processing', 'completed']).toContain(stopped.status);
    await sdkError(client, () => client.calls(live).recordings(second.sid).update({ status: 'in-progress' }), 400, 21220, new RegExp(second.sid));
    await completed(second.sid);
    await unchanged(async () => {
      await sdkError(
        client,
        () => client.calls(live).recordings(second.sid).update({ status: 'in-progress' }),
        400,
        21220,
        /is completed; only an in-progress or paused recording can be changed/,
      );
      await sdkError(client, () => client.calls(live).recordings(second.sid).update({ status: 'paused' }), 400, 21220, new RegExp(second.sid));
      await sdkError(client, () => client.calls(live).recordings(second.sid).update({ status: 'stopped' }), 400, 21220, new RegExp(second.sid));
    });
    // The live recording was not disturbed, and Twilio.CURRENT still names it alone.
    expect((await client.calls(live).recordings('Twilio.CURRENT').fetch()).sid).toBe(liveRec);
  });

  it('401 / 20003 for a wrong token, an unknown account and a missing Authorization header', async () => {
    const wrongToken = sdkFor({ url: e.url, accountSid: e.accountSid, authToken: 'not-the-token' });
    await sdkError(wrongToken, () => wrongToken.calls.list(), 401, 20003, /Authenticate/);
    await sdkError(wrongToken, () => wrongToken.calls(live).recordings(liveRec).update({ status: 'paused' }), 401, 20003, /Authenticate/);
    const stranger = sdkFor({ url: e.url, accountSid: `AC${'f'.repeat(32)}`, authToken: e.authToken });
    await sdkError(stranger, () => stranger.calls(live).fetch(), 401, 20003, /Authenticate/);
    // Right credentials, another account's path.
    await rawError('GET', `/2010-04-01/Accounts/AC${'f'.repeat(32)}/Calls.json`, undefined, 401, 20003, /Authenticate/);
    for (const path of [`${base}/Calls.json`, `${base}/Recordings/${liveRec}.json`, '/dev/health']) {
      const res = await fetch(`${e.url}${path}`);
      expect(res.status).toBe(401);
      const body = (await res.json()) as Json;
      expect(validateTwilioError(401, body).errors).toEqual([]);
      expect(body['code']).toBe(20003);
    }
    // Nothing was paused by the rejected update.
    expect((await client.calls(live).recordings(liveRec).fetch()).status).toBe('in-progress');
  });

  it('unknown routes answer 404 in Twilio shape', async () => {
    await rawError('GET', `${base}/Nope.json`, undefined, 404, 20404, /Nope\.json/);
    await rawError('POST', `${base}/Calls/${live}/Frobnicate.json`, { X: '1' }, 404, 20404, /not found/);
    await rawError('GET', '/nothing/here', undefined, 404, 20404, /not found/);
    await rawError('GET', `${base}/Calls/${live}`, undefined, 404, 20404, /\.json/);
  });

  it('bad JSON, unsupported and oversized bodies: 4xx in Twilio shape, never 5xx, nothing changed', async () => {
    const auth = `Basic ${Buffer.from(`${e.accountSid}:${e.authToken}`).toString('base64')}`;
    const send = async (path: string, contentType: string, body: string) => {
      const res = await fetch(`${e.url}${path}`, { method: 'POST', headers: { authorization: auth, 'content-type': contentType }, body });
      const text = await res.text();
      expect(res.status, text).toBeGreaterThanOrEqual(400);
      expect(res.status, text).toBeLessThan(500);
      expect(validateTwilioError(res.status, text).errors).toEqual([]);
      return { status: res.status, body: JSON.parse(text) as Json };
    };
    await unchanged(async () => {
      const bad = await send(`${base}/Calls/${live}/Recordings/${liveRec}.json`, 'application/json', '{"Status": "paused",');
      expect(bad.status).toBe(400);
      expect(String(bad.body['message'])).toMatch(/JSON/i);
      const arr = await send(`${base}/Calls/${live}/Recordings/${liveRec}.json`, 'application/json', '["paused"]');
      expect(arr.status).toBe(400);
      const odd = await send(`${base}/Calls.json`, 'text/csv', 'To,From\n+1,+2');
      expect(odd.status).toBe(415);
      const big = `To=%2B15550001009&From=%2B15550002000&Twiml=${'x'.repeat(1024 * 1024 + 100)}`;
      const huge = await send(`${base}/Calls.json`, 'application/x-www-form-urlencoded', big);
      expect(huge.status).toBe(413);
      const hugePause = await send(
        `${base}/Calls/${live}/Recordings/${liveRec}.json`,
        'application/x-www-form-urlencoded',
        `Status=paused&Pad=${'y'.repeat(1024 * 1024 + 10)}`,
      );
      expect(hugePause.status).toBe(413);
    });
    expect((await client.calls(live).recordings(liveRec).fetch()).status).toBe('in-progress');
  });

  it('RecordingStatusCallbackEvent as repeated keys and as one space-separated value: both events delivered', async () => {
    const cb = await client.calls.create({ to: '+15550001010', from: '+15550002000', twiml: STAY });
    await answered(cb.sid);
    const path = `${base}/Calls/${cb.sid}/Recordings.json`;
    const repeated = await api(e, 'POST', path, {
      RecordingStatusCallback: `${rxUrl}/cb/repeated`,
      RecordingStatusCallbackEvent: ['in-progress', 'completed'],
      RecordingChannels: 'dual',
    });
    const spaced = await api(e, 'POST', path, {
      RecordingStatusCallback: `${rxUrl}/cb/spaced`,
      RecordingStatusCallbackEvent: 'in-progress completed',
      RecordingTrack: 'inbound',
    });
    expect([repeated.status, spaced.status]).toEqual([201, 201]);
    const sdkMade = await client.calls(cb.sid).recordings.create({
      recordingStatusCallback: `${rxUrl}/cb/sdk`,
      recordingStatusCallbackEvent: ['in-progress', 'completed'],
    });
    const sids = { repeated: String((repeated.body as Json)['sid']), spaced: String((spaced.body as Json)['sid']), sdk: sdkMade.sid };
    await sleepSim(e, 0.3);
    await client.calls(cb.sid).recordings(sids.repeated).update({ status: 'stopped' });
    await client.calls(cb.sid).update({ status: 'completed' }); // stops the other two
    for (const sid of Object.values(sids)) await completed(sid);

    const fields = [
      'AccountSid',
      'CallSid',
      'RecordingSid',
      'RecordingUrl',
      'RecordingStatus',
      'RecordingDuration',
      'RecordingChannels',
      'RecordingStartTime',
      'RecordingSource',
      'RecordingTrack',
      'ErrorCode',
    ];
    for (const [label, sid] of Object.entries(sids)) {
      const mine = await waitFor(`two callbacks for ${label}`, () => {
        const got = received.filter((r) => r.path === `/cb/${label}`);
        return got.length >= 2 ? got : null;
      });
      await sleepSim(e, 0.1);
      expect(received.filter((r) => r.path === `/cb/${label}`)).toHaveLength(2);
      expect(mine.map((r) => r.params['RecordingStatus'])).toEqual(['in-progress', 'completed']);
      for (const r of mine) {
        expect(twilio.validateRequest(e.authToken, r.signature, r.url, r.params), `${label} signature`).toBe(true);
        expect(r.params).toMatchObject({
          AccountSid: e.accountSid,
          CallSid: cb.sid,
          RecordingSid: sid,
          RecordingUrl: `${e.url}${base}/Recordings/${sid}`,
          RecordingSource: 'StartCallRecordingAPI',
          ErrorCode: '0',
        });
        expect(isRfc2822DateTime(r.params['RecordingStartTime'] ?? ''), r.params['RecordingStartTime']).toBe(true);
        expect(r.params['RecordingStartTime']).toMatch(/ \+0000$/);
      }
      const [inProgress, done] = mine as [Received, Received];
      // Engine's choice, made while the audio is still open: the in-progress callback leaves out
      // RecordingDuration (its JSON duration is null then); every other listed field is present.
      expect(Object.keys(inProgress.params).sort()).toEqual(fields.filter((f) => f !== 'RecordingDuration').sort());
      expect(Object.keys(done.params).sort()).toEqual([...fields].sort());
      const rec = await client.recordings(sid).fetch();
      expect(done.params['RecordingDuration']).toBe(rec.duration);
      expect(done.params['RecordingChannels']).toBe(String(rec.channels));
    }
    const byLabel = (label: string) => received.find((r) => r.path === `/cb/${label}`)!.params;
    expect(byLabel('repeated')).toMatchObject({ RecordingChannels: '2', RecordingTrack: 'both' });
    expect(byLabel('spaced')).toMatchObject({ RecordingChannels: '1', RecordingTrack: 'inbound' });
    expect(received.some((r) => r.path === '/cb/never')).toBe(false);
  });
});
