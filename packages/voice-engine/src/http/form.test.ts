import Type, { type TSchema } from 'typebox';
import { describe, expect, it } from 'vitest';
import { TWILIO_ERROR } from '@pause-recording/core';
import { decodeForm, Form, Paging, twilioValidatorCompiler } from './form.ts';
import { TwilioHttpError } from './twilio-error.ts';

const Schema = Type.Object({
  To: Form.text(),
  Twiml: Type.Optional(Type.String()),
  RecordingChannels: Type.Optional(Form.oneOf(['mono', 'dual'])),
  Hold: Type.Optional(Form.bool()),
  StampSlot: Type.Optional(Form.int(0, 3)),
  StatusCallback: Type.Optional(Form.url()),
  RecordingStatusCallbackEvent: Type.Optional(Form.events(['in-progress', 'completed', 'absent'])),
  ...Paging,
});

/** Runs a body through the route validator as Fastify would. */
function validate(schema: TSchema, body: unknown): { value?: unknown; error?: unknown } {
  const fn = twilioValidatorCompiler({ schema, method: 'POST', url: '/x', httpPart: 'body' });
  return fn(body) as { value?: unknown; error?: unknown };
}

/** The 400 a body gets, in Twilio's exact shape. */
function badRequest(body: unknown): TwilioHttpError {
  const { error } = validate(Schema, body);
  expect(error).toBeInstanceOf(TwilioHttpError);
  const err = error as TwilioHttpError;
  expect(err.status).toBe(400);
  expect(Object.keys(err.body()).sort()).toEqual(['code', 'message', 'more_info', 'status']);
  return err;
}

describe('decodeForm', () => {
  it('takes the last of repeated keys, stringifies JSON scalars, passes unknown keys through', () => {
    expect(decodeForm(Schema, { To: ['first', 'last'], Other: ['a', 'b'] })).toEqual({ To: 'last', Other: ['a', 'b'] });
    expect(decodeForm(Schema, { StampSlot: 2, Hold: true })).toEqual({ StampSlot: 2, Hold: true });
    expect(decodeForm(Schema, undefined)).toEqual({});
    expect(decodeForm(Schema, null)).toEqual({});
  });

  it('reads true/false in any case as booleans and digit strings as integers; leaves the rest for the schema to refuse', () => {
    expect(decodeForm(Schema, { Hold: 'TRUE', StampSlot: '3' })).toEqual({ Hold: true, StampSlot: 3 });
    expect(decodeForm(Schema, { Hold: 'yes', StampSlot: '1e2' })).toEqual({ Hold: 'yes', StampSlot: '1e2' });
  });

  it('an empty value is absent unless the schema accepts it', () => {
    expect(decodeForm(Schema, { To: '', RecordingChannels: '', Twiml: '' })).toEqual({ Twiml: '' });
  });

  it('event lists: repeated keys (the SDK) and one space- or comma-separated value (curl) alike, without duplicates', () => {
    const name = 'RecordingStatusCallbackEvent';
    expect(decodeForm(Schema, { [name]: ['in-progress', 'completed'] })).toEqual({ [name]: ['in-progress', 'completed'] });
    expect(decodeForm(Schema, { [name]: 'in-progress completed' })).toEqual({ [name]: ['in-progress', 'completed'] });
    expect(decodeForm(Schema, { [name]: 'in-progress,completed' })).toEqual({ [name]: ['in-progress', 'completed'] });
    expect(decodeForm(Schema, { [name]: ['in-progress absent', 'completed', 'completed'] })).toEqual({ [name]: ['in-progress', 'absent', 'completed'] });
    expect(decodeForm(Schema, { [name]: '' })).toEqual({});
  });

  it('refuses a body that is not a parameter bag', () => {
    expect(() => decodeForm(Schema, ['To'])).toThrow(TwilioHttpError);
    expect(badRequest(['To']).message).toBe('Request body must be form-encoded parameters');
  });
});

describe('twilioValidatorCompiler', () => {
  it('hands the route the decoded, typed value', () => {
    expect(validate(Schema, { To: '+1555', Hold: 'false', StampSlot: '0' })).toEqual({ value: { To: '+1555', Hold: false, StampSlot: 0 } });
  });

  it('a missing or empty required parameter is "missing", naming it', () => {
    for (const body of [{}, { To: '' }, { To: [] }]) {
      const err = badRequest(body);
      expect(err.code).toBe(TWILIO_ERROR.INVALID_PARAMETER);
      expect(err.message).toBe('Missing required parameter To in the post body');
    }
  });

  it('names the parameter, the problem and the value', () => {
    const ok = { To: '+1555' };
    expect(badRequest({ ...ok, RecordingChannels: 'stereo' }).message).toBe("Invalid parameter RecordingChannels: must be one of mono, dual; got 'stereo'");
    // Case matters, as at Twilio.
    expect(badRequest({ ...ok, RecordingChannels: 'Dual' }).message).toContain("got 'Dual'");
    for (const v of ['yes', '1', '0', 'on']) expect(badRequest({ ...ok, Hold: v }).message).toBe(`Invalid parameter Hold: must be true or false; got '${v}'`);
    for (const v of ['1.5', 'abc', '1e2', ' 1', '0x1'])
      expect(badRequest({ ...ok, StampSlot: v }).message).toBe(`Invalid parameter StampSlot: must be an integer; got '${v}'`);
    expect(badRequest({ ...ok, StampSlot: '4' }).message).toBe("Invalid parameter StampSlot: must be between 0 and 3; got '4'");
    expect(badRequest({ ...ok, PageSize: '0' }).message).toContain('PageSize: must be between 1 and 1000');
    expect(badRequest({ ...ok, RecordingStatusCallbackEvent: 'in-progress paused' }).message).toBe(
      "Invalid parameter RecordingStatusCallbackEvent: has unknown event 'paused'; allowed: in-progress, completed, absent",
    );
  });

  it('a URL parameter that is not an absolute http(s) URL is 21205', () => {
    for (const v of ['/cb', 'ftp://example.com/x', 'javascript:alert(1)', 'http://']) {
      const err = badRequest({ To: '+1555', StatusCallback: v });
      expect(err.code).toBe(TWILIO_ERROR.INVALID_URL);
      expect(err.message).toBe(`Invalid parameter StatusCallback: must be an absolute http(s) URL; got '${v}'`);
    }
    expect(validate(Schema, { To: '+1555', StatusCallback: 'HTTPS://example.com/cb?x=1' }).error).toBeUndefined();
  });
});
