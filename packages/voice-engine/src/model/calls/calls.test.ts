import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CallNotInProgressError,
  ConflictError,
  InvalidParameterError,
  InvalidTwimlError,
  MissingParameterError,
  NotFoundError,
  ShuttingDownError,
} from '../errors.ts';
import { answeredCall, unitEngine, type UnitEngine } from '../../../test/support/model.ts';

const FROM = '+15550000001';
const TO = '+15550000002';

describe('CallRoom', () => {
  let u: UnitEngine;
  beforeEach(() => {
    u = unitEngine();
  });
  afterEach(async () => {
    await u.close();
  });

  it('a call rings, answers on the next frame, follows its TwiML and hangs up when it runs out', () => {
    const c = u.engine.createCall({ from: FROM, to: TO, twiml: '<Response><Pause length="1"/></Response>' });
    expect(c.status).toBe('ringing');
    expect(u.engine.calls.live.has(c)).toBe(true);
    u.clock.advance(1);
    expect(c.status).toBe('in-progress');
    u.clock.advance(50);
    expect(c.status).toBe('completed');
    expect(u.engine.calls.live.has(c)).toBe(false);
    expect(c.durationSeconds()).toBe(1);
  });

  it('TwiML it cannot follow is InvalidTwimlError naming the parameter, and no call is made', () => {
    let err: unknown;
    try {
      u.engine.createCall({ from: FROM, to: TO, twiml: '<Response><Gather/></Response>' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidTwimlError);
    expect((err as InvalidTwimlError).param).toBe('Twiml');
    expect(u.engine.calls.size).toBe(0);
  });

  it('neither Twiml nor Url is MissingParameterError', () => {
    expect(() => u.engine.createCall({ from: FROM, to: TO })).toThrow(MissingParameterError);
  });

  it('canceling an answered call is InvalidParameterError; completing it hangs up', () => {
    const c = answeredCall(u);
    expect(() => u.engine.updateCall(c, { status: 'canceled' })).toThrow(InvalidParameterError);
    expect(c.status).toBe('in-progress');
    u.engine.updateCall(c, { status: 'completed' });
    expect(c.status).toBe('completed');
  });

  it('a redirect of a call that is not in progress is CallNotInProgressError', () => {
    const c = u.engine.createCall({ from: FROM, to: TO, twiml: '<Response><Pause length="5"/></Response>' });
    expect(() => u.engine.updateCall(c, { twiml: '<Response><Hangup/></Response>' })).toThrow(CallNotInProgressError);
  });

  it('delete: a live call is ConflictError; an ended one is gone', () => {
    const c = answeredCall(u);
    expect(() => u.engine.deleteCall(c)).toThrow(ConflictError);
    u.engine.hangup(c, 'completed');
    u.engine.deleteCall(c);
    expect(() => u.engine.calls.find(c.sid)).toThrow(NotFoundError);
    expect(() => u.engine.calls.json(c.sid)).toThrow(NotFoundError);
  });

  it('queries: find, json and allJson newest first', () => {
    const a = answeredCall(u);
    const b = answeredCall(u);
    expect(u.engine.calls.find(a.sid)).toBe(a);
    expect(u.engine.calls.json(b.sid)['sid']).toBe(b.sid);
    const sids = u.engine.calls.allJson().map((j) => j['sid']);
    expect(new Set(sids)).toEqual(new Set([a.sid, b.sid]));
    expect(() => u.engine.calls.requireKnown(`CA${'9'.repeat(32)}`)).toThrow(NotFoundError);
  });

  it('an inbound call to a number the account lacks, or one without a VoiceUrl, is InvalidParameterError on To', () => {
    expect(() => u.engine.inboundCall({ from: FROM, to: TO })).toThrow(InvalidParameterError);
    u.engine.createNumber({ phoneNumber: TO, friendlyName: TO, voiceUrl: null, voiceMethod: 'POST', statusCallback: null, statusCallbackMethod: 'POST' });
    expect(() => u.engine.inboundCall({ from: FROM, to: TO })).toThrow(/has no VoiceUrl/);
    expect(u.engine.calls.size).toBe(0);
  });

  it('once closing, no new call is taken (ShuttingDownError)', async () => {
    const c = answeredCall(u);
    await u.engine.close();
    expect(c.status).toBe('completed');
    expect(() => u.engine.createCall({ from: FROM, to: TO, twiml: '<Response><Pause length="5"/></Response>' })).toThrow(ShuttingDownError);
  });
});
