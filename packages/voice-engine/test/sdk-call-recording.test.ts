import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEngine } from '../src/index.ts';
import { inspectWav } from '../src/audio/inspect.ts';
import { downloadWav, sdkFor, sleepSim, STAY, testEngine, waitFor } from './helpers.ts';

/**
 * The acceptance path, driven only through the official twilio SDK: a dual-channel call
 * recording paused for about a second. The stamped frames in the WAV prove what it holds.
 */
describe('call recording through the twilio SDK', () => {
  let e: RunningEngine;
  beforeAll(async () => {
    e = await testEngine({ speed: 5 });
  });
  afterAll(async () => {
    await e.close();
  });

  async function recordWithPause(behavior: 'skip' | 'silence') {
    const client = sdkFor(e);
    const call = await client.calls.create({ to: '+15550001111', from: '+15550002222', twiml: STAY });
    await waitFor('call answered', async () => (await client.calls(call.sid).fetch()).status === 'in-progress');
    const rec = await client.calls(call.sid).recordings.create({ recordingChannels: 'dual' });
    expect(rec.status).toBe('in-progress');
    expect(rec.channels).toBe(2);
    expect(rec.source).toBe('StartCallRecordingAPI');
    expect(rec.duration).toBeNull();
    await sleepSim(e, 1);
    const paused = await client.calls(call.sid).recordings('Twilio.CURRENT').update({ status: 'paused', pauseBehavior: behavior });
    expect(paused.status).toBe('paused');
    expect(paused.sid).toBe(rec.sid);
    expect(paused.uri).toContain(`/Recordings/${rec.sid}.json`);
    await sleepSim(e, 1);
    const resumed = await client.calls(call.sid).recordings('Twilio.CURRENT').update({ status: 'in-progress' });
    expect(resumed.status).toBe('in-progress');
    await sleepSim(e, 1);
    await client.calls(call.sid).update({ status: 'completed' });
    const done = await waitFor('recording completed', async () => {
      const r = await client.recordings(rec.sid).fetch();
      return r.status === 'completed' ? r : null;
    });
    const log = (await (
      await fetch(`${e.url}/dev/recordings/${rec.sid}.json`, {
        headers: { authorization: `Basic ${Buffer.from(`${e.accountSid}:${e.authToken}`).toString('base64')}` },
      })
    ).json()) as { startTick: number; events: { tick: number; status: string }[] };
    const pauseTick = log.events.find((x) => x.status === 'paused')!.tick;
    const resumeTick = log.events.filter((x) => x.status === 'in-progress')[1]!.tick;
    const stopTick = log.events.find((x) => x.status === 'stopped')!.tick;
    const answeredTick = e.engine.calls.get(call.sid)!.answeredTick!;
    const { wav, contentType } = await downloadWav(e, rec.sid);
    return { done, wav, contentType, inspection: inspectWav(wav), answeredTick, startTick: log.startTick, pauseTick, resumeTick, stopTick };
  }

  it('skip: the paused frames are absent, the rest present once each and in order, duration matches', async () => {
    const r = await recordWithPause('skip');
    expect(r.contentType).toBe('audio/x-wav');
    expect(r.wav.sampleRate).toBe(8000);
    expect(r.wav.channels).toBe(2);
    const k = (tick: number) => tick - r.answeredTick;
    const own = r.inspection.channels[0]!.slots[0]!;
    expect(own.garbled + own.duplicates + own.outOfOrder).toBe(0);
    // Two runs: from the start to the last frame before the pause, and from the resume to the end.
    expect(own.runs.map((x) => [x.from, x.to])).toEqual([
      [k(r.startTick), k(r.pauseTick) - 1],
      [k(r.resumeTick), k(r.stopTick) - 1],
    ]);
    const pausedFrames = r.resumeTick - r.pauseTick;
    expect(pausedFrames).toBeGreaterThanOrEqual(40); // about one second
    const kept = r.stopTick - r.startTick - pausedFrames;
    expect(r.wav.frames).toBe(kept);
    expect(r.done.duration).toBe(String(Math.round(kept / 50)));
    // Channel 2 is what the leg hears: it is alone, so silence, and no slot decodes there.
    expect(r.inspection.channels[1]!.slots.every((s) => s.runs.length === 0)).toBe(true);
  });

  it('silence: the paused span is exact zeros of the paused length, duration covers the whole', async () => {
    const r = await recordWithPause('silence');
    const k = (tick: number) => tick - r.answeredTick;
    const own = r.inspection.channels[0]!.slots[0]!;
    expect(own.runs.map((x) => [x.from, x.to])).toEqual([
      [k(r.startTick), k(r.pauseTick) - 1],
      [k(r.resumeTick), k(r.stopTick) - 1],
    ]);
    const pausedFrames = r.resumeTick - r.pauseTick;
    const zeroStart = r.pauseTick - r.startTick;
    expect(r.inspection.channels[0]!.zeroSpans).toContainEqual({ fileFrame: zeroStart, frames: pausedFrames });
    const ch = r.wav.channelData;
    for (const data of ch) {
      const span = data.subarray(zeroStart * 160, (zeroStart + pausedFrames) * 160);
      expect(span.length).toBe(pausedFrames * 160);
      expect(span.every((s) => s === 0)).toBe(true);
    }
    const whole = r.stopTick - r.startTick;
    expect(r.wav.frames).toBe(whole);
    expect(r.done.duration).toBe(String(Math.round(whole / 50)));
  });
});
