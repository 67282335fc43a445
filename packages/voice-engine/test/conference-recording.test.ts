import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEngine } from '../src/index.ts';
import { inspectWav } from '../src/audio/inspect.ts';
import { downloadWav, sdkFor, sleepSim, testEngine, waitFor } from './helpers.ts';

/**
 * A conference recording with two stamped participants: both legs decode from the mono
 * mix, and one pause removes both.
 */
describe('conference recording through the twilio SDK', () => {
  let e: RunningEngine;
  beforeAll(async () => {
    e = await testEngine({ speed: 5 });
  });
  afterAll(async () => {
    await e.close();
  });

  it('both participants decode from the mix and the pause removes both (skip)', async () => {
    const client = sdkFor(e);
    const customer = await client.conferences('support-room').participants.create({
      from: '+15550003333',
      to: '+15550004444',
      label: 'customer',
      startConferenceOnEnter: false,
    });
    const conferenceSid = customer.conferenceSid;
    const agent = await client.conferences(conferenceSid).participants.create({
      from: '+15550003333',
      to: 'client:alice',
      label: 'agent',
      conferenceRecord: 'record-from-start',
    });
    const rec = await waitFor('conference recording', async () => {
      const list = await client.conferences(conferenceSid).recordings.list();
      return list[0] ?? null;
    });
    expect(rec.status).toBe('in-progress');
    expect(rec.channels).toBe(1);
    expect(rec.source).toBe('Conference');
    const conf = await client.conferences(conferenceSid).fetch();
    expect(conf.status).toBe('in-progress');
    const parts = await client.conferences(conferenceSid).participants.list();
    expect(parts.map((p) => p.label).sort()).toEqual(['agent', 'customer']);
    expect(parts.every((p) => p.status === 'connected')).toBe(true);

    await sleepSim(e, 1);
    const paused = await client.conferences(conferenceSid).recordings('Twilio.CURRENT').update({ status: 'paused', pauseBehavior: 'skip' });
    expect(paused.status).toBe('paused');
    await sleepSim(e, 1);
    await client.conferences(conferenceSid).recordings(rec.sid).update({ status: 'in-progress' });
    await sleepSim(e, 1);
    await client.conferences(conferenceSid).update({ status: 'completed' });
    const done = await waitFor('recording completed', async () => {
      const r = await client.conferences(conferenceSid).recordings(rec.sid).fetch();
      return r.status === 'completed' ? r : null;
    });
    expect((await client.conferences(conferenceSid).fetch()).reasonConferenceEnded).toBe('conference-ended-via-api');
    for (const sid of [customer.callSid, agent.callSid]) {
      expect((await client.calls(sid).fetch()).status).toBe('completed');
    }

    const r = e.engine.recordings.get(rec.sid)!;
    const pauseTick = r.events.find((x) => x.status === 'paused')!.tick;
    const resumeTick = r.events.filter((x) => x.status === 'in-progress')[1]!.tick;
    const stopTick = r.events.find((x) => x.status === 'stopped')!.tick;
    const { wav } = await downloadWav(e, rec.sid);
    expect(wav.channels).toBe(1);
    const ins = inspectWav(wav);
    const legs = [e.engine.calls.get(customer.callSid)!, e.engine.calls.get(agent.callSid)!];
    expect(legs.map((c) => c.slot)).toEqual([0, 1]);
    for (const leg of legs) {
      const slot = ins.channels[0]!.slots[leg.slot!]!;
      const k = (tick: number) => tick - leg.answeredTick!;
      expect(slot.garbled + slot.duplicates + slot.outOfOrder).toBe(0);
      expect(slot.runs.map((x) => [x.from, x.to])).toEqual([
        [k(r.startTick), k(pauseTick) - 1],
        [k(resumeTick), k(stopTick) - 1],
      ]);
    }
    const kept = stopTick - r.startTick - (resumeTick - pauseTick);
    expect(wav.frames).toBe(kept);
    expect(done.duration).toBe(String(Math.round(kept / 50)));
  });

  it('silence keeps the span as zeros for every leg of the mix', async () => {
    const client = sdkFor(e);
    const a = await client.conferences('room-two').participants.create({ from: '+1555000', to: '+15550005555', conferenceRecord: 'record-from-start' });
    await client.conferences(a.conferenceSid).participants.create({ from: '+1555000', to: 'client:bob' });
    const rec = await waitFor('conference recording', async () => (await client.conferences(a.conferenceSid).recordings.list())[0] ?? null);
    await sleepSim(e, 0.5);
    await client.conferences(a.conferenceSid).recordings('Twilio.CURRENT').update({ status: 'paused', pauseBehavior: 'silence' });
    await sleepSim(e, 1);
    await client.conferences(a.conferenceSid).recordings('Twilio.CURRENT').update({ status: 'in-progress' });
    await sleepSim(e, 0.5);
    await client.conferences(a.conferenceSid).update({ status: 'completed' });
    await waitFor('completed', async () => (await client.recordings(rec.sid).fetch()).status === 'completed');
    const r = e.engine.recordings.get(rec.sid)!;
    const pauseTick = r.events.find((x) => x.status === 'paused')!.tick;
    const resumeTick = r.events.filter((x) => x.status === 'in-progress')[1]!.tick;
    const stopTick = r.events.find((x) => x.status === 'stopped')!.tick;
    const { wav } = await downloadWav(e, rec.sid);
    expect(wav.frames).toBe(stopTick - r.startTick);
    const zeros = inspectWav(wav).channels[0]!.zeroSpans;
    expect(zeros).toContainEqual({ fileFrame: pauseTick - r.startTick, frames: resumeTick - pauseTick });
  });
});
