import { describe, expect, it } from 'vitest';
import { TwilioHttpError } from '../http/twilio-error.ts';
import { TWILIO_ERROR } from '@pause-recording/core';
import { bool, eventList, int, oneOf, required, str, url } from './params.ts';

/** Runs `fn`, expects a 400 TwilioHttpError, and returns it. */
function badRequest(fn: () => unknown): TwilioHttpError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(TwilioHttpError);
    const err = e as TwilioHttpError;
    expect(err.status).toBe(400);
    expect(Object.keys(err.body()).sort()).toEqual(['code', 'message', 'more_info', 'status']);
    return err;
  }
  throw new Error('expected a TwilioHttpError');
}

describe('str', () => {
  it('reads strings, stringifies scalars, takes the last of repeated keys', () => {
    expect(str({ A: 'x' }, 'A')).toBe('x');
    expect(str({ A: '' }, 'A')).toBe('');
    expect(str({ A: 5 }, 'A')).toBe('5');
    expect(str({ A: ['first', 'last'] }, 'A')).toBe('last');
    expect(str({ A: [] }, 'A')).toBeUndefined();
    expect(str({ A: null }, 'A')).toBeUndefined();
    expect(str({}, 'A')).toBeUndefined();
  });
});

describe('required', () => {
  it('returns a present value', () => {
    expect(required({ To: '+15550001111' }, 'To')).toBe('+15550001111');
  });

  it('is 400 "missing" naming the parameter when absent or empty', () => {
    for (const p of [{}, { To: '' }, { To: null }, { To: [] }]) {
      const err = badRequest(() => required(p, 'To'));
      expect(err.code).toBe(TWILIO_ERROR.INVALID_PARAMETER);
      expect(err.message).toBe('Missing required parameter To in the post body');
    }
  });
});

describe('oneOf', () => {
  const allowed = ['mono', 'dual'] as const;
  it('accepts allowed values and falls back when absent or empty', () => {
    expect(oneOf({ C: 'dual' }, 'C', allowed)).toBe('dual');
    expect(oneOf({}, 'C', allowed, 'mono')).toBe('mono');
    expect(oneOf({ C: '' }, 'C', allowed, 'mono')).toBe('mono');
    expect(oneOf({}, 'C', allowed)).toBeUndefined();
    expect(oneOf({ C: ['mono', 'dual'] }, 'C', allowed)).toBe('dual');
  });

  it('refuses other values, naming the parameter, the choices and the value', () => {
    const err = badRequest(() => oneOf({ RecordingChannels: 'stereo' }, 'RecordingChannels', allowed, 'mono'));
    expect(err.code).toBe(TWILIO_ERROR.INVALID_PARAMETER);
    expect(err.message).toBe("Invalid parameter RecordingChannels: must be one of mono, dual; got 'stereo'");
    // Case matters, as at Twilio.
    expect(badRequest(() => oneOf({ C: 'Dual' }, 'C', allowed)).message).toContain("got 'Dual'");
  });
});

describe('bool', () => {
  it('reads true/false in any case and falls back when absent', () => {
    expect(bool({ Hold: 'true' }, 'Hold', false)).toBe(true);
    expect(bool({ Hold: 'TRUE' }, 'Hold', false)).toBe(true);
    expect(bool({ Hold: 'False' }, 'Hold', true)).toBe(false);
    expect(bool({}, 'Hold', true)).toBe(true);
    expect(bool({ Hold: '' }, 'Hold', false)).toBe(false);
  });

  it('refuses anything else, naming the parameter', () => {
    for (const v of ['yes', '1', '0', 'on']) {
      expect(badRequest(() => bool({ Muted: v }, 'Muted', false)).message).toBe(`Invalid parameter Muted: must be true or false; got '${v}'`);
    }
  });
});

describe('int', () => {
  const range = { min: 0, max: 3 };
  it('reads integers in range; absent or empty is undefined', () => {
    expect(int({ S: '0' }, 'S', range)).toBe(0);
    expect(int({ S: '3' }, 'S', range)).toBe(3);
    expect(int({ S: '-5' }, 'S', { min: -10, max: 10 })).toBe(-5);
    expect(int({}, 'S', range)).toBeUndefined();
    expect(int({ S: '' }, 'S', range)).toBeUndefined();
  });

  it('refuses non-integers and values out of range, naming the parameter', () => {
    for (const v of ['1.5', 'abc', '1e2', ' 1', '0x1']) {
      expect(badRequest(() => int({ StampSlot: v }, 'StampSlot', range)).message).toBe(`Invalid parameter StampSlot: must be an integer; got '${v}'`);
    }
    expect(badRequest(() => int({ StampSlot: '4' }, 'StampSlot', range)).message).toBe('Invalid parameter StampSlot: must be between 0 and 3; got 4');
    expect(badRequest(() => int({ StampSlot: '-1' }, 'StampSlot', range)).message).toContain('between 0 and 3');
  });
});

describe('url', () => {
  it('accepts absolute http and https URLs; absent or empty is undefined', () => {
    expect(url({ U: 'http://127.0.0.1:3000/cb?x=1' }, 'U')).toBe('http://127.0.0.1:3000/cb?x=1');
    expect(url({ U: 'https://example.com/a' }, 'U')).toBe('https://example.com/a');
    expect(url({}, 'U')).toBeUndefined();
    expect(url({ U: '' }, 'U')).toBeUndefined();
  });

  it('refuses relative and non-http URLs with 21205, naming the parameter', () => {
    const rel = badRequest(() => url({ StatusCallback: '/cb' }, 'StatusCallback'));
    expect(rel.code).toBe(TWILIO_ERROR.INVALID_URL);
    expect(rel.message).toBe("Invalid parameter StatusCallback: must be an absolute http(s) URL; got '/cb'");
    const ftp = badRequest(() => url({ StatusCallback: 'ftp://example.com/x' }, 'StatusCallback'));
    expect(ftp.code).toBe(TWILIO_ERROR.INVALID_URL);
    expect(ftp.message).toBe("Invalid parameter StatusCallback: must be an http or https URL; got 'ftp://example.com/x'");
  });
});

describe('eventList', () => {
  const allowed = ['in-progress', 'completed', 'absent'] as const;
  const name = 'RecordingStatusCallbackEvent';

  it('takes repeated keys (the SDK) and one space-separated value (curl) alike', () => {
    expect(eventList({ [name]: ['in-progress', 'completed'] }, name, allowed, ['completed'])).toEqual(['in-progress', 'completed']);
    expect(eventList({ [name]: 'in-progress completed' }, name, allowed, ['completed'])).toEqual(['in-progress', 'completed']);
    expect(eventList({ [name]: 'in-progress,completed' }, name, allowed, ['completed'])).toEqual(['in-progress', 'completed']);
    expect(eventList({ [name]: ['in-progress absent', 'completed'] }, name, allowed, [])).toEqual(['in-progress', 'absent', 'completed']);
  });

  it('falls back when absent or empty, drops duplicates', () => {
    expect(eventList({}, name, allowed, ['completed'])).toEqual(['completed']);
    expect(eventList({ [name]: '' }, name, allowed, ['completed'])).toEqual(['completed']);
    expect(eventList({ [name]: ['completed', 'completed'] }, name, allowed, [])).toEqual(['completed']);
  });

  it('the fallback is a copy, so callers cannot change the default', () => {
    const fallback = ['completed'] as const;
    const got = eventList({}, name, allowed, fallback);
    got.push('absent');
    expect(fallback).toEqual(['completed']);
  });

  it('refuses an unknown event, naming the parameter and the event', () => {
    expect(badRequest(() => eventList({ [name]: 'in-progress paused' }, name, allowed, [])).message).toBe(
      `Invalid parameter ${name}: has unknown event 'paused'; allowed: in-progress, completed, absent`,
    );
  });
});
