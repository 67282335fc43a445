import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEngine } from '../src/index.ts';
import { ManualClock } from '../src/model/clock.ts';
import { inspectWav } from '../src/audio/inspect.ts';
import { api, downloadWav, sdkFor, STAY, testEngine, waitFor } from './helpers.ts';

/**
 * Frame-exact behaviour with a manual clock: a pause accepted between two frames governs
 * the very next frame, and a resume likewise. No timing is involved.
 */
describe('pause precision (manual clock)', () => {
  let e: RunningEngine;
  let clock: ManualClock;
  beforeAll(async () => {
    e = await testEngine({ clock: 'manual' });
    clock = e.clock as ManualClock;
  });
  afterAll(async () => {
    await e.close();
  });

  it.each(['skip', 'silence'] as const)('%s: frames before the pause and after the resume, none between', async (behavior) => {
    const client = sdkFor(e);
    const call = await client.calls.create({ to: '+15550001111', from: '+15550002222', twiml: STAY });
    clock.advance(1); // the simulated party answers on the next frame
    expect((await client.calls(call.sid).fetch()).status).toBe('in-progress');
    clock.advance(7);
    const rec = await client.calls(call.sid).recordings.create({ recordingTrack: 'inbound' });
    clock.advance(10);
    await client.calls(call.sid).recordings(rec.sid).update({ status: 'paused', pauseBehavior: behavior });
    clock.advance(13);
    await client.calls(call.sid).recordings(rec.sid).update({ status: 'in-progress' });
    clock.advance(5);
    await client.calls(call.sid).update({ status: 'completed' });
    await waitFor('completed', async () => (await client.recordings(rec.sid).fetch()).status === 'completed');
    const { wav } = await downloadWav(e, rec.sid);
    const slot0 = inspectWav(wav).channels[0]!.slots[0]!;
    // Answered at frame 0 of the leg; recording started 8 frames later.
    expect(slot0.runs.map((r) => [r.from, r.to])).toEqual([
      [8, 17],
      [31, 35],
    ]);
    expect(wav.frames).toBe(behavior === 'skip' ? 15 : 28);
  });

  it('a pause update that is a no-op keeps the first pause and its behaviour', async () => {
    const client = sdkFor(e);
    const call = await client.calls.create({ to: '+15550001111', from: '+15550002222', twiml: STAY });
    clock.advance(1);
    const rec = await client.calls(call.sid).recordings.create();
    await client.calls(call.sid).recordings(rec.sid).update({ status: 'paused', pauseBehavior: 'silence' });
    const again = await client.calls(call.sid).recordings(rec.sid).update({ status: 'paused', pauseBehavior: 'skip' });
    expect(again.status).toBe('paused');
    expect(e.engine.recordings.get(rec.sid)!.pauseBehavior).toBe('silence');
    expect(e.engine.recordings.get(rec.sid)!.events.filter((x) => x.status === 'paused')).toHaveLength(1);
    const res = await api(e, 'POST', `/2010-04-01/Accounts/${e.accountSid}/Calls/${call.sid}.json`, { Status: 'completed' });
    expect(res.status).toBe(200);
  });
});
