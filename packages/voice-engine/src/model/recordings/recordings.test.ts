import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConcurrentRecordingsError, ConflictError, CallNotInProgressError, NoActiveRecordingError, NotFoundError, RecordingNotActiveError } from '../errors.ts';
import { answeredCall, nextTurn, unitEngine, type UnitEngine } from '../../../test/support/model.ts';
import type { RecordingInput } from '../inputs.ts';

const MONO: RecordingInput = { channels: 1, track: 'both', callback: null, events: [] };

describe('RecordingRoom', () => {
  let u: UnitEngine;
  beforeEach(() => {
    u = unitEngine();
  });
  afterEach(async () => {
    await u.close();
  });

  it('pause, resume, stop: each change logged at the frame it governs, then finished as completed', async () => {
    const c = answeredCall(u);
    const rooms = u.engine.recordings;
    const r = rooms.startCallRecording(c, MONO);
    u.clock.advance(5);
    rooms.update(r, 'paused', 'skip');
    expect([r.status, r.pauseBehavior]).toEqual(['paused', 'skip']);
    u.clock.advance(3);
    rooms.update(r, 'in-progress', undefined);
    u.clock.advance(2);
    rooms.update(r, 'stopped', undefined);
    expect(r.status).toBe('processing');
    expect(rooms.active.has(r)).toBe(false);
    await nextTurn();
    expect(r.status).toBe('completed');
    expect(r.events.map((e) => [e.status, e.tick])).toEqual([
      ['in-progress', 1],
      ['paused', 6],
      ['in-progress', 9],
      ['stopped', 11],
      ['processing', 11],
      ['completed', 11],
    ]);
    // skip: the 3 paused frames are not in the file.
    expect(r.fileFrames).toBe(7);
  });

  it('the status it already has is a no-op: the first pause keeps its behaviour', () => {
    const r = u.engine.recordings.startCallRecording(answeredCall(u), MONO);
    u.engine.recordings.update(r, 'paused', 'skip');
    u.engine.recordings.update(r, 'paused', 'silence');
    expect(r.pauseBehavior).toBe('skip');
    expect(r.events.filter((e) => e.status === 'paused')).toHaveLength(1);
  });

  it('an update of a finished recording is RecordingNotActiveError and changes nothing', async () => {
    const r = u.engine.recordings.startCallRecording(answeredCall(u), MONO);
    u.engine.recordings.stop(r);
    await nextTurn();
    const events = r.events.length;
    for (const s of ['paused', 'in-progress', 'stopped'] as const) {
      expect(() => u.engine.recordings.update(r, s, undefined)).toThrow(RecordingNotActiveError);
    }
    expect([r.status, r.events.length]).toEqual(['absent', events]);
  });

  it('recording a call that is not in progress is CallNotInProgressError', () => {
    const c = u.engine.createCall({ from: '+15550000001', to: '+15550000002', twiml: '<Response><Pause length="5"/></Response>' });
    expect(c.status).toBe('ringing');
    expect(() => u.engine.recordings.startCallRecording(c, MONO)).toThrow(CallNotInProgressError);
    expect(u.engine.recordings.size).toBe(0);
  });

  it('current: none is NoActiveRecordingError, two are ConcurrentRecordingsError, one is that one', () => {
    const c = answeredCall(u);
    const rooms = u.engine.recordings;
    expect(() => rooms.current({ callSid: c.sid })).toThrow(NoActiveRecordingError);
    const r1 = rooms.startCallRecording(c, MONO);
    expect(rooms.current({ callSid: c.sid })).toBe(r1);
    rooms.startCallRecording(c, MONO);
    expect(() => rooms.current({ callSid: c.sid })).toThrow(ConcurrentRecordingsError);
  });

  it('findOf: a recording asked for under another call is not found', () => {
    const a = answeredCall(u);
    const b = answeredCall(u);
    const r = u.engine.recordings.startCallRecording(a, MONO);
    expect(u.engine.recordings.findOf(r.sid, { callSid: a.sid })).toBe(r);
    expect(() => u.engine.recordings.findOf(r.sid, { callSid: b.sid })).toThrow(NotFoundError);
    expect(() => u.engine.recordings.findOf(r.sid, { conferenceSid: `CF${'0'.repeat(32)}` })).toThrow(NotFoundError);
  });

  it('delete: refused (ConflictError) while active or finishing; a completed one goes with its WAV', async () => {
    const r = u.engine.recordings.startCallRecording(answeredCall(u), MONO);
    u.clock.advance(2);
    expect(() => u.engine.recordings.delete(r)).toThrow(ConflictError);
    u.engine.recordings.stop(r);
    expect(() => u.engine.recordings.delete(r)).toThrow(ConflictError);
    await nextTurn();
    expect(existsSync(r.wavPath)).toBe(true);
    u.engine.recordings.delete(r);
    expect(u.engine.recordings.has(r.sid)).toBe(false);
    expect(existsSync(r.wavPath)).toBe(false);
  });

  it('hanging up a call stops its recordings, not those of other calls', () => {
    const a = answeredCall(u);
    const b = answeredCall(u);
    const ra = u.engine.recordings.startCallRecording(a, MONO);
    const rb = u.engine.recordings.startCallRecording(b, MONO);
    u.engine.hangup(a, 'completed');
    expect(ra.status).toBe('processing');
    expect(rb.status).toBe('in-progress');
  });
});
