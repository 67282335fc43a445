import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TWILIO_ERROR } from '@pause-recording/core';
import { EngineStore } from '../../support/store.ts';
import { ManualClock } from '../clock.ts';
import { Engine } from '../engine.ts';
import { answeredCall, unitEngine, type UnitEngine } from '../../../test/support/model.ts';

describe('Persistence: what a run left, restored by the next', () => {
  const open: { close(): unknown }[] = [];
  afterEach(async () => {
    for (const o of open.splice(0)) await o.close();
  });

  /** A second engine on the same folder, as after `kill -9` and a restart (the first is never closed). */
  function restart(u: UnitEngine): { engine: Engine; recovered: string[] } {
    const store = new EngineStore(join(u.dataDir, 'engine.db'));
    open.push(store);
    const engine = new Engine({
      accountSid: u.engine.accountSid,
      authToken: 'unit-token',
      dataDir: u.dataDir,
      audio: 'stamped',
      clock: new ManualClock(),
      store,
    });
    return { engine, recovered: engine.restore().recovered };
  }

  it('open recordings (in-progress, paused) are finished through the transition table: completed with 12400, or absent', () => {
    const u = unitEngine();
    open.push({ close: () => u.close() });
    const c = answeredCall(u);
    const playing = u.engine.startCallRecording(c, { channels: 1, track: 'both', callback: null, events: [] });
    const paused = u.engine.startCallRecording(c, { channels: 1, track: 'both', callback: null, events: [] });
    u.clock.advance(60);
    u.engine.updateRecording(paused, 'paused', 'skip');
    const empty = u.engine.startCallRecording(c, { channels: 1, track: 'both', callback: null, events: [] });
    playing.writer?.flush();

    const { engine, recovered } = restart(u);
    expect(new Set(recovered)).toEqual(new Set([playing.sid, paused.sid, empty.sid]));
    const [p, q, e] = [playing, paused, empty].map((r) => engine.recordings.find(r.sid));
    expect([p!.status, p!.errorCode]).toEqual(['completed', TWILIO_ERROR.INTERNAL_FAILURE]);
    expect(p!.fileFrames).toBe(60);
    expect([q!.status, q!.errorCode]).toEqual(['completed', TWILIO_ERROR.INTERNAL_FAILURE]);
    expect([e!.status, e!.errorCode]).toEqual(['absent', TWILIO_ERROR.INTERNAL_FAILURE]);
    expect(engine.activeRecordings.size).toBe(0);
  });

  it('numbers come back as last saved; calls and conferences as archived JSON', () => {
    const u = unitEngine();
    open.push({ close: () => u.close() });
    const n = u.engine.createNumber({
      phoneNumber: '+15550003333',
      friendlyName: 'x',
      voiceUrl: null,
      voiceMethod: 'POST',
      statusCallback: null,
      statusCallbackMethod: 'POST',
    });
    u.engine.updateNumber(n, { friendlyName: 'front desk' });
    const c = answeredCall(u);
    const { conference } = u.engine.addParticipant('room-1', { from: '+15550000001', to: '+15550000009' });

    const { engine } = restart(u);
    expect(engine.numbers.find(n.sid).friendlyName).toBe('front desk');
    expect(engine.calls.json(c.sid)['status']).toBe('completed');
    expect(engine.conferences.json(conference.sid)['status']).toBe('completed');
    engine.calls.requireKnown(c.sid);
    engine.conferences.requireKnown(conference.sid);
  });
});
