import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import twilio from 'twilio';
import { durationString } from '@pause-recording/core';
import type { RunningEngine } from '../src/index.ts';
import type { ManualClock } from '../src/model/clock.ts';
import { inspectWav } from '../src/audio/inspect.ts';
import { api, downloadWav, sdkFor, STAY, testEngine, waitFor } from './helpers.ts';

/**
 * The engine as Twilio looks to a customer's server: inbound calls ask a voice URL for TwiML,
 * and call, conference and recording status callbacks arrive as signed form POSTs, retried on
 * failure and never holding up the audio clock. A local HTTP server plays the customer.
 */

interface Hit {
  method: string;
  path: string;
  /** The full URL the engine requested (what it signed). */
  url: string;
  contentType: string;
  signature: string;
  params: Record<string, string>;
}

type Answer = { status?: number; body?: string; type?: string } | 'drop';
type Handler = (hit: Hit, nth: number) => Answer | Promise<Answer>;

/** The customer's web server: records every request and answers as each path's handler says. */
class Receiver {
  readonly hits: Hit[] = [];
  private readonly handlers = new Map<string, Handler>();
  private server!: Server;
  base = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    const addr = this.server.address();
    this.base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }

  on(path: string, handler: Handler): string {
    this.handlers.set(path, handler);
    return `${this.base}${path}`;
  }

  at(path: string): Hit[] {
    return this.hits.filter((h) => h.path === path);
  }

  waitAt(path: string, count: number, what = `${count} request(s) at ${path}`): Promise<Hit[]> {
    return waitFor(what, () => (this.at(path).length >= count ? this.at(path) : null), 15_000);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of req) body += (chunk as Buffer).toString();
    const hit: Hit = {
      method: req.method ?? '',
      path: (req.url ?? '').split('?')[0]!,
      url: `${this.base}${req.url ?? ''}`,
      contentType: String(req.headers['content-type'] ?? ''),
      signature: String(req.headers['x-twilio-signature'] ?? ''),
      params: Object.fromEntries(new URLSearchParams(body)),
    };
    this.hits.push(hit);
    const handler = this.handlers.get(hit.path);
    const answer = handler ? await handler(hit, this.at(hit.path).length) : {};
    if (answer === 'drop') {
      req.socket.destroy();
      return;
    }
    res.writeHead(answer.status ?? 200, { 'content-type': answer.type ?? 'text/plain' });
    res.end(answer.body ?? '');
  }
}

const twiml = (xml: string): Answer => ({ type: 'text/xml', body: xml });

const rx = new Receiver();
beforeAll(() => rx.start());
afterAll(() => rx.stop());

describe('inbound calls and status callbacks', () => {
  let e: RunningEngine;
  let client: twilio.Twilio;
  const signedOk = (h: Hit) => twilio.validateRequest(e.authToken, h.signature, h.url, h.params);

  beforeAll(async () => {
    e = await testEngine({ speed: 10 });
    client = sdkFor(e);
  });
  afterAll(async () => {
    await e.close();
  });

  it('an inbound call asks the voice URL, joins the conference it names, and every callback arrives signed', async () => {
    const confCb = rx.on('/conf-events', () => ({}));
    const recCb = rx.on('/conf-recording', () => ({}));
    const voiceUrl = rx.on('/voice', () =>
      twiml(
        `<?xml version="1.0" encoding="UTF-8"?><Response><Dial><Conference statusCallback="${confCb}" ` +
          `statusCallbackEvent="start end join leave" record="record-from-start" recordingStatusCallback="${recCb}">room</Conference></Dial></Response>`,
      ),
    );
    const agentCb = rx.on('/agent-status', () => ({}));

    const number = await client.incomingPhoneNumbers.create({ phoneNumber: '+15005550006', voiceUrl });
    expect(number.sid).toMatch(/^PN[0-9a-f]{32}$/);
    expect(number.voiceUrl).toBe(voiceUrl);

    const placed = await api(e, 'POST', '/dev/inbound-calls', { From: '+15551230000', To: '+15005550006', HangupAfterSeconds: '20' });
    expect(placed.status).toBe(201);
    const inbound = placed.body as { sid: string; direction: string; status: string; phone_number_sid: string };
    expect(inbound.direction).toBe('inbound');
    expect(inbound.phone_number_sid).toBe(number.sid);

    // The voice webhook: a signed form POST with the fields Twilio sends.
    const [voice] = await rx.waitAt('/voice', 1);
    expect(voice!.method).toBe('POST');
    expect(voice!.contentType).toBe('application/x-www-form-urlencoded');
    expect(voice!.params).toMatchObject({
      AccountSid: e.accountSid,
      CallSid: inbound.sid,
      From: '+15551230000',
      To: '+15005550006',
      CallStatus: 'ringing',
      Direction: 'inbound',
      ApiVersion: '2010-04-01',
    });
    expect(voice!.signature).not.toBe('');
    expect(signedOk(voice!)).toBe(true);
    expect(twilio.validateRequest('some-other-token', voice!.signature, voice!.url, voice!.params)).toBe(false);
    expect(twilio.validateRequest(e.authToken, voice!.signature, voice!.url, { ...voice!.params, From: '+15550000000' })).toBe(false);

    // The caller joins "room"; the conference starts and its recording with it.
    const joined = await rx.waitAt('/conf-events', 2, 'caller join and conference start');
    const conferenceSid = joined[0]!.params['ConferenceSid']!;
    expect(conferenceSid).toMatch(/^CF[0-9a-f]{32}$/);
    expect((await client.calls(inbound.sid).fetch()).status).toBe('in-progress');

    // An agent joins through the Participants API, by conference name.
    const agent = await client.conferences('room').participants.create({
      from: '+15005550006',
      to: 'client:alice',
      label: 'agent',
      statusCallback: agentCb,
      statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
    });
    expect(agent.conferenceSid).toBe(conferenceSid);
    expect(agent.label).toBe('agent');
    await rx.waitAt('/conf-events', 3, 'agent join');

    // HangupAfterSeconds ends the inbound call after that much (simulated) time in progress.
    const ended = await waitFor(
      'inbound call completed',
      async () => {
        const c = await client.calls(inbound.sid).fetch();
        return c.status === 'completed' ? c : null;
      },
      15_000,
    );
    expect(ended.duration).toBe('20');
    const callerLeg = e.engine.calls.get(inbound.sid)!;
    expect(callerLeg.endedTick! - callerLeg.answeredTick!).toBe(20 * 50);
    await rx.waitAt('/conf-events', 4, 'caller leave');
    expect((await client.conferences(conferenceSid).fetch()).status).toBe('in-progress');

    // The agent is now alone; removing them ends the conference and their call.
    await client.conferences(conferenceSid).participants(agent.callSid).remove();
    const confEvents = await rx.waitAt('/conf-events', 6, 'agent leave and conference end');
    const conf = await client.conferences(conferenceSid).fetch();
    expect(conf.status).toBe('completed');
    expect(conf.reasonConferenceEnded).toBe('last-participant-kicked');

    // Conference callbacks: in order (SequenceNumber), each signed, each naming the conference.
    expect(confEvents.map((h) => [h.params['StatusCallbackEvent'], h.params['CallSid'] ?? null])).toEqual([
      ['participant-join', inbound.sid],
      ['conference-start', null],
      ['participant-join', agent.callSid],
      ['participant-leave', inbound.sid],
      ['participant-leave', agent.callSid],
      ['conference-end', null],
    ]);
    expect(confEvents.map((h) => h.params['SequenceNumber'])).toEqual(['0', '1', '2', '3', '4', '5']);
    for (const h of confEvents) {
      expect(signedOk(h)).toBe(true);
      expect(h.params).toMatchObject({ AccountSid: e.accountSid, ConferenceSid: conferenceSid, FriendlyName: 'room' });
    }
    expect(confEvents[2]!.params).toMatchObject({ ParticipantLabel: 'agent', Muted: 'false', Hold: 'false' });
    expect(confEvents[5]!.params).toMatchObject({ ReasonConferenceEnded: 'last-participant-kicked', CallSidEndingConference: agent.callSid });

    // The agent leg's status callbacks: all four events, in order.
    const agentEvents = await rx.waitAt('/agent-status', 4);
    expect(agentEvents.map((h) => h.params['CallStatus'])).toEqual(['initiated', 'ringing', 'in-progress', 'completed']);
    expect(agentEvents.map((h) => h.params['SequenceNumber'])).toEqual(['0', '1', '2', '3']);
    for (const h of agentEvents) {
      expect(signedOk(h)).toBe(true);
      expect(h.params).toMatchObject({ CallSid: agent.callSid, To: 'client:alice', From: '+15005550006', Direction: 'outbound-api', AccountSid: e.accountSid });
    }
    const agentCall = await client.calls(agent.callSid).fetch();
    expect(agentCall.status).toBe('completed');
    expect(agentEvents[3]!.params['CallDuration']).toBe(agentCall.duration);

    // The conference recording callback: completed, mono, naming the conference.
    const [recHit] = await rx.waitAt('/conf-recording', 1);
    expect(signedOk(recHit!)).toBe(true);
    const recSid = recHit!.params['RecordingSid']!;
    const rec = await client.recordings(recSid).fetch();
    expect(rec.status).toBe('completed');
    expect(recHit!.params).toMatchObject({
      AccountSid: e.accountSid,
      RecordingStatus: 'completed',
      RecordingChannels: '1',
      RecordingSource: 'Conference',
      ConferenceSid: conferenceSid,
      CallSid: inbound.sid,
      RecordingDuration: rec.duration,
      RecordingUrl: `${e.url}/2010-04-01/Accounts/${e.accountSid}/Recordings/${recSid}`,
      ErrorCode: '0',
    });
    expect(recHit!.params['RecordingTrack']).toBeUndefined();
    const { wav } = await downloadWav(e, recSid);
    expect(rec.duration).toBe(durationString(wav.frames));
    // The conference ran from the caller's join until the agent was removed: both legs are in the mix.
    const mix = inspectWav(wav).channels[0]!;
    expect(mix.slots[0]!.runs.length).toBe(1);
    expect(mix.slots[1]!.runs.length).toBe(1);
    expect(mix.slots.reduce((n, s) => n + s.garbled + s.duplicates + s.outOfOrder, 0)).toBe(0);
  });

  it('a participant with endConferenceOnExit ends the conference: every participant-leave comes before conference-end', async () => {
    const cb = rx.on('/conf-exit', () => ({}));
    const first = await client.conferences('exit-room').participants.create({
      from: '+15550000001',
      to: '+15550000002',
      endConferenceOnExit: true,
      conferenceStatusCallback: cb,
      conferenceStatusCallbackEvent: ['start', 'end', 'join', 'leave'],
    });
    const second = await client.conferences('exit-room').participants.create({ from: '+15550000001', to: '+15550000003' });
    await rx.waitAt('/conf-exit', 3, 'two joins and a start');
    await client.calls(first.callSid).update({ status: 'completed' });
    const events = await rx.waitAt('/conf-exit', 6, 'two leaves and the end');
    expect(events.map((h) => [h.params['StatusCallbackEvent'], h.params['CallSid'] ?? null])).toEqual([
      ['participant-join', first.callSid],
      ['conference-start', null],
      ['participant-join', second.callSid],
      ['participant-leave', first.callSid],
      ['participant-leave', second.callSid],
      ['conference-end', null],
    ]);
    expect(events[5]!.params).toMatchObject({ ReasonConferenceEnded: 'participant-with-end-conference-on-exit-left', CallSidEndingConference: first.callSid });
    await waitFor('second leg hung up', async () => (await client.calls(second.callSid).fetch()).status === 'completed');
  });

  it('a voice URL that answers 500, invalid TwiML, or nothing at all ends the call; the engine carries on', async () => {
    const statusCb = rx.on('/number-status', () => ({}));
    const cases: [string, string, Handler][] = [
      ['+15005550101', '/voice-500', () => ({ status: 500, body: 'boom' })],
      ['+15005550102', '/voice-bad', () => twiml('<Response><Gather/></Response>')],
      ['+15005550103', '/voice-garbage', () => twiml('<Response><Pause>')],
      ['+15005550104', '/voice-drop', () => 'drop'],
    ];
    const sids: string[] = [];
    for (const [phoneNumber, path, handler] of cases) {
      await client.incomingPhoneNumbers.create({ phoneNumber, voiceUrl: rx.on(path, handler), statusCallback: statusCb });
      const placed = await api(e, 'POST', '/dev/inbound-calls', { From: '+15551239999', To: phoneNumber });
      expect(placed.status).toBe(201);
      sids.push((placed.body as { sid: string }).sid);
    }
    for (const sid of sids) {
      const c = await waitFor(`call ${sid} ended`, async () => {
        const x = await client.calls(sid).fetch();
        return ['queued', 'ringing', 'in-progress'].includes(x.status) ? null : x;
      });
      // Asked while ringing: the call never connects.
      expect(c.status).toBe('failed');
    }
    // The number's status callback reports each failure.
    const reports = await rx.waitAt('/number-status', sids.length);
    expect(new Set(reports.map((h) => h.params['CallSid']))).toEqual(new Set(sids));
    expect(reports.every((h) => h.params['CallStatus'] === 'failed' && signedOk(h))).toBe(true);

    // An outbound call whose Url fails once answered is completed (it was in progress).
    const out = await client.calls.create({ to: '+15550001111', from: '+15550002222', url: `${rx.base}/voice-500` });
    const done = await waitFor('outbound call ended', async () => {
      const x = await client.calls(out.sid).fetch();
      return ['queued', 'ringing', 'in-progress'].includes(x.status) ? null : x;
    });
    expect(done.status).toBe('completed');

    // Still serving, and still placing calls.
    expect((await api(e, 'GET', '/dev/health')).body).toMatchObject({ ok: true });
    const ok = await client.calls.create({ to: '+15550001111', from: '+15550002222', twiml: STAY });
    await waitFor('call answered', async () => (await client.calls(ok.sid).fetch()).status === 'in-progress');
    await client.calls(ok.sid).update({ status: 'completed' });
  });

  it('a callback that fails (500, then a dropped connection) is retried and delivered, unchanged', async () => {
    const before = { delivered: e.engine.callbacks.delivered, failed: e.engine.callbacks.failed };
    const url = rx.on('/flaky', (_hit, nth) => (nth === 1 ? { status: 500 } : nth === 2 ? 'drop' : { status: 204 }));
    const call = await client.calls.create({
      to: '+15550001111',
      from: '+15550002222',
      twiml: '<Response><Hangup/></Response>',
      statusCallback: url,
      statusCallbackEvent: ['completed'],
    });
    const hits = await rx.waitAt('/flaky', 3);
    await waitFor('delivery counted', () => e.engine.callbacks.delivered > before.delivered);
    expect(hits.map((h) => h.params)).toEqual([hits[0]!.params, hits[0]!.params, hits[0]!.params]);
    expect(hits[0]!.params).toMatchObject({ CallSid: call.sid, CallStatus: 'completed' });
    expect(hits.every(signedOk)).toBe(true);
    expect(e.engine.callbacks.failed).toBe(before.failed);
    // Nothing more: a delivered callback is not sent again.
    expect(rx.at('/flaky')).toHaveLength(3);
  });

  it('a callback receiver that never succeeds is given up after 3 tries, and nothing else is affected', async () => {
    const before = e.engine.callbacks.failed;
    const url = rx.on('/always-429', () => ({ status: 429 }));
    await client.calls.create({ to: '+15550001111', from: '+15550002222', twiml: '<Response><Hangup/></Response>', statusCallback: url });
    await rx.waitAt('/always-429', 3);
    await waitFor('failure counted', () => e.engine.callbacks.failed > before);
    expect(e.engine.callbacks.failed).toBe(before + 1);
    expect(rx.at('/always-429')).toHaveLength(3);
  });

  it('a slow callback receiver does not hold up the audio clock: the recording holds every frame', async () => {
    // Every callback to these paths waits until the test lets it go.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const callCb = rx.on('/slow-call', async () => {
      await gate;
      return {};
    });
    const recCb = rx.on('/slow-rec', async () => {
      await gate;
      return {};
    });
    const call = await client.calls.create({
      to: '+15550001111',
      from: '+15550002222',
      twiml: STAY,
      statusCallback: callCb,
      statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
    });
    await waitFor('call answered', async () => (await client.calls(call.sid).fetch()).status === 'in-progress');
    const rec = await client.calls(call.sid).recordings.create({
      recordingChannels: 'dual',
      recordingStatusCallback: recCb,
      recordingStatusCallbackEvent: ['in-progress', 'completed'],
    });
    // Three seconds of audio while the receiver holds every callback.
    const startTick = e.engine.recordings.get(rec.sid)!.startTick;
    await waitFor('3 s of audio', () => e.engine.tick >= startTick + 3 * 50);
    await client.calls(call.sid).update({ status: 'completed' });
    const done = await waitFor('recording completed', async () => {
      const r = await client.recordings(rec.sid).fetch();
      return r.status === 'completed' ? r : null;
    });

    // The receiver is still sitting on the first callback of each resource.
    expect(rx.at('/slow-call')).toHaveLength(1);
    expect(rx.at('/slow-rec')).toHaveLength(1);

    // Frame accounting: every frame between start and stop is in the file, once, in order.
    const log = (await api(e, 'GET', `/dev/recordings/${rec.sid}.json`)).body as {
      startTick: number;
      fileFrames: number;
      liveFrames: number;
      events: { tick: number; status: string }[];
    };
    const stopTick = log.events.find((x) => x.status === 'stopped')!.tick;
    const frames = stopTick - log.startTick;
    expect(frames).toBeGreaterThanOrEqual(3 * 50);
    expect(log.fileFrames).toBe(frames);
    expect(log.liveFrames).toBe(frames);
    const { wav } = await downloadWav(e, rec.sid);
    expect(wav.frames).toBe(frames);
    expect(done.duration).toBe(durationString(frames));
    const answered = e.engine.calls.get(call.sid)!.answeredTick!;
    const own = inspectWav(wav).channels[0]!.slots[0]!;
    expect(own.runs.map((r) => [r.from, r.to, r.fileFrame])).toEqual([[log.startTick - answered, stopTick - answered - 1, 0]]);
    expect(own.garbled + own.duplicates + own.outOfOrder).toBe(0);

    // Released, the held callbacks go out in order.
    release();
    const callEvents = await rx.waitAt('/slow-call', 4);
    expect(callEvents.map((h) => h.params['CallStatus'])).toEqual(['initiated', 'ringing', 'in-progress', 'completed']);
    const recEvents = await rx.waitAt('/slow-rec', 2);
    expect(recEvents.map((h) => h.params['RecordingStatus'])).toEqual(['in-progress', 'completed']);
    expect(recEvents[1]!.params['RecordingDuration']).toBe(durationString(frames));
    expect(recEvents[1]!.params['RecordingTrack']).toBe('both');
  });
});

describe('hold and mute change the conference mix from the next frame', () => {
  let e: RunningEngine;
  let clock: ManualClock;
  beforeAll(async () => {
    e = await testEngine({ clock: 'manual' });
    clock = e.clock as ManualClock;
  });
  afterAll(async () => {
    await e.close();
  });

  it('a held participant leaves the mix (and hears nothing); a muted one leaves the mix but still hears', async () => {
    const client = sdkFor(e);
    const confCb = rx.on('/hold-events', () => ({}));
    const customer = await client.conferences('hold-room').participants.create({
      from: '+15550000001',
      to: '+15550000011',
      label: 'customer',
      conferenceRecord: 'record-from-start',
      conferenceStatusCallback: confCb,
      conferenceStatusCallbackEvent: ['hold', 'mute'],
    });
    const agent = await client.conferences('hold-room').participants.create({
      from: '+15550000001',
      to: 'client:bob',
      label: 'agent',
      record: true,
      recordingChannels: 'dual',
    });
    clock.advance(1);
    const cLeg = e.engine.calls.get(customer.callSid)!;
    const aLeg = e.engine.calls.get(agent.callSid)!;
    expect(cLeg.status).toBe('in-progress');
    expect(aLeg.status).toBe('in-progress');
    expect([cLeg.slot, aLeg.slot]).toEqual([0, 1]);
    const confRec = (await client.conferences(customer.conferenceSid).recordings.list())[0]!;
    const agentRec = (await client.calls(agent.callSid).recordings.list())[0]!;
    const start = e.engine.recordings.get(confRec.sid)!.startTick;
    expect(e.engine.recordings.get(agentRec.sid)!.startTick).toBe(start);

    const part = () => client.conferences(customer.conferenceSid).participants('agent');
    clock.advance(50);
    const hold = clock.tick;
    expect((await part().update({ hold: true })).hold).toBe(true);
    clock.advance(40);
    const unhold = clock.tick;
    expect((await part().update({ hold: false })).hold).toBe(false);
    clock.advance(30);
    const mute = clock.tick;
    expect((await part().update({ muted: true })).muted).toBe(true);
    clock.advance(20);
    const unmute = clock.tick;
    expect((await part().update({ muted: false })).muted).toBe(false);
    clock.advance(10);
    const end = clock.tick;
    await client.conferences(customer.conferenceSid).update({ status: 'completed' });
    for (const sid of [confRec.sid, agentRec.sid]) {
      await waitFor(`recording ${sid} completed`, async () => (await client.recordings(sid).fetch()).status === 'completed');
    }

    // File frame f holds engine frame start + f; each leg's frame k is engine frame answeredTick + k.
    const runs = (slot: { runs: { from: number; to: number; fileFrame: number }[] }) => slot.runs.map((r) => [r.from, r.to, r.fileFrame]);
    const kc = (tick: number) => tick - cLeg.answeredTick!;
    const ka = (tick: number) => tick - aLeg.answeredTick!;
    const f = (tick: number) => tick - start;

    const mix = inspectWav((await downloadWav(e, confRec.sid)).wav);
    expect(mix.frames).toBe(end - start);
    // The customer is heard throughout; the agent disappears while held and while muted, exactly.
    expect(runs(mix.channels[0]!.slots[0]!)).toEqual([[kc(start), kc(end) - 1, 0]]);
    expect(runs(mix.channels[0]!.slots[1]!)).toEqual([
      [ka(start), ka(hold) - 1, 0],
      [ka(unhold), ka(mute) - 1, f(unhold)],
      [ka(unmute), ka(end) - 1, f(unmute)],
    ]);

    // The agent's own dual recording: channel 1 is everything the agent says (hold and mute
    // keep it out of the conference, not out of its own leg); channel 2, what the agent hears,
    // loses the customer only while the agent is on hold.
    const own = inspectWav((await downloadWav(e, agentRec.sid)).wav);
    expect(own.channelCount).toBe(2);
    expect(runs(own.channels[0]!.slots[1]!)).toEqual([[ka(start), ka(end) - 1, 0]]);
    expect(runs(own.channels[1]!.slots[0]!)).toEqual([
      [kc(start), kc(hold) - 1, 0],
      [kc(unhold), kc(end) - 1, f(unhold)],
    ]);
    expect(own.channels[1]!.slots[1]!.runs).toEqual([]);

    // Each change is reported as a conference event about the agent, in order.
    const events = await rx.waitAt('/hold-events', 4);
    expect(events.map((h) => [h.params['StatusCallbackEvent'], h.params['Hold'], h.params['Muted'], h.params['ParticipantLabel']])).toEqual([
      ['participant-hold', 'true', 'false', 'agent'],
      ['participant-unhold', 'false', 'false', 'agent'],
      ['participant-mute', 'false', 'true', 'agent'],
      ['participant-unmute', 'false', 'false', 'agent'],
    ]);
    expect(events.every((h) => h.params['CallSid'] === agent.callSid && twilio.validateRequest(e.authToken, h.signature, h.url, h.params))).toBe(true);
  });
});
