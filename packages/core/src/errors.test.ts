import { describe, expect, it } from 'vitest';
import { AppError, ERROR_STATUS, TWILIO_ERROR, ValidationError, httpStatusFor, isAppError, type ErrorCode } from './errors.ts';

const EXPECTED_STATUS: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  INVALID_PARAMETER: 400,
  MISSING_PARAMETER: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  RANGE_NOT_SATISFIABLE: 416,
  RATE_LIMITED: 429,
  CALL_NOT_IN_PROGRESS: 400,
  RECORDING_NOT_ACTIVE: 400,
  NOT_COMPLETE: 400,
  UPSTREAM_UNAVAILABLE: 502,
  UPSTREAM_TIMEOUT: 504,
  STORAGE_UNAVAILABLE: 503,
  AUTH_UNAVAILABLE: 503,
  INTERNAL: 500,
};
const CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

describe('ERROR_STATUS / httpStatusFor', () => {
  it('covers exactly the expected codes', () => {
    expect(CODES.sort()).toEqual((Object.keys(EXPECTED_STATUS) as ErrorCode[]).sort());
  });

  it.each(CODES)('%s -> its HTTP status', (code) => {
    expect(httpStatusFor(code)).toBe(EXPECTED_STATUS[code]);
    expect(new AppError(code, 'x').status).toBe(EXPECTED_STATUS[code]);
  });

  it('every status is an HTTP error status', () => {
    for (const code of CODES) {
      expect(httpStatusFor(code)).toBeGreaterThanOrEqual(400);
      expect(httpStatusFor(code)).toBeLessThan(600);
    }
  });
});

describe('TWILIO_ERROR', () => {
  it('names the codes twilio-contract.md measured', () => {
    expect(TWILIO_ERROR.NOT_FOUND).toBe(20404);
    expect(TWILIO_ERROR.CALL_NOT_IN_PROGRESS).toBe(21220);
    expect(TWILIO_ERROR.RATE_LIMITED).toBe(20429);
    expect(TWILIO_ERROR.UNAUTHENTICATED).toBe(20003);
    expect(TWILIO_ERROR.INVALID_PHONE_NUMBER).toBe(21421);
    expect(TWILIO_ERROR.SERVICE_UNAVAILABLE).toBe(20503);
    expect(TWILIO_ERROR.INTERNAL_SERVER_ERROR).toBe(20500);
    expect(TWILIO_ERROR.ACCESS_TOKEN_INVALID).toBe(20101);
    expect(TWILIO_ERROR.ACCESS_TOKEN_SIGNATURE_INVALID).toBe(20107);
    expect(TWILIO_ERROR.ACCESS_TOKEN_EXPIRED).toBe(20104);
  });

  it('has distinct integer codes', () => {
    const values = Object.values(TWILIO_ERROR) as number[];
    for (const v of values) expect(Number.isInteger(v) && v > 0).toBe(true);
    expect(new Set(values).size).toBe(values.length);
  });
});

describe('AppError', () => {
  it('carries code, status, message and name, and is an Error', () => {
    const e = new AppError('NOT_FOUND', 'No such recording RE1');
    expect(e).toBeInstanceOf(Error);
    expect(e).toBeInstanceOf(AppError);
    expect(e.name).toBe('AppError');
    expect(e.code).toBe('NOT_FOUND');
    expect(e.status).toBe(404);
    expect(e.message).toBe('No such recording RE1');
    expect(e.field).toBeUndefined();
    expect(e.details).toBeUndefined();
    expect(e.cause).toBeUndefined();
    expect('cause' in e).toBe(false);
    expect(typeof e.stack).toBe('string');
  });

  it('keeps field, details and cause', () => {
    const cause = new Error('socket hang up');
    const e = new AppError('UPSTREAM_UNAVAILABLE', 'Twilio unreachable', { field: 'recordingSid', details: { attempt: 3 }, cause });
    expect(e.field).toBe('recordingSid');
    expect(e.details).toEqual({ attempt: 3 });
    expect(e.cause).toBe(cause);
    expect(e.status).toBe(502);
  });

  it('keeps a falsy cause other than undefined', () => {
    expect(new AppError('INTERNAL', 'x', { cause: null }).cause).toBeNull();
    expect(new AppError('INTERNAL', 'x', { cause: 0 }).cause).toBe(0);
  });

  it('toJSON is { error: { code, message } } with field and details only when present', () => {
    expect(new AppError('FORBIDDEN', 'not your task').toJSON()).toEqual({ error: { code: 'FORBIDDEN', message: 'not your task' } });
    expect(Object.keys(new AppError('FORBIDDEN', 'x').toJSON().error)).toEqual(['code', 'message']);
    expect(new AppError('MISSING_PARAMETER', 'Status is required', { field: 'Status' }).toJSON()).toEqual({
      error: { code: 'MISSING_PARAMETER', message: 'Status is required', field: 'Status' },
    });
    const full = new AppError('CONFLICT', 'already paused', { field: 'status', details: { current: 'paused' }, cause: new Error('x') });
    expect(full.toJSON()).toEqual({ error: { code: 'CONFLICT', message: 'already paused', field: 'status', details: { current: 'paused' } } });
  });

  it('toJSON never leaks the status, the cause or the stack', () => {
    const json = JSON.stringify(new AppError('INTERNAL', 'boom', { cause: new Error('secret') }));
    expect(json).toBe('{"error":{"code":"INTERNAL","message":"boom"}}');
  });
});

describe('isAppError', () => {
  it('is true for AppError and its subclasses only', () => {
    expect(isAppError(new AppError('BAD_REQUEST', 'x'))).toBe(true);
    expect(isAppError(new ValidationError('config', ['a']))).toBe(true);
    expect(isAppError(new Error('x'))).toBe(false);
    expect(isAppError({ code: 'NOT_FOUND', status: 404, message: 'x' })).toBe(false);
    expect(isAppError(null)).toBe(false);
    expect(isAppError(undefined)).toBe(false);
    expect(isAppError('NOT_FOUND')).toBe(false);
  });
});

describe('ValidationError', () => {
  const problems = ['features.pause_recording.reminder_seconds must be a number', 'unknown key features.foo', 'call_recording_enabled must be a boolean'];

  it('lists every problem in its message, one per line', () => {
    const e = new ValidationError('Invalid configuration', problems);
    expect(e.message).toBe(
      'Invalid configuration:\n' +
        '  - features.pause_recording.reminder_seconds must be a number\n' +
        '  - unknown key features.foo\n' +
        '  - call_recording_enabled must be a boolean',
    );
    for (const p of problems) expect(e.message).toContain(p);
  });

  it('is an INVALID_PARAMETER AppError (400) with the problems as data', () => {
    const e = new ValidationError('Invalid configuration', problems);
    expect(e).toBeInstanceOf(AppError);
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.name).toBe('ValidationError');
    expect(e.code).toBe('INVALID_PARAMETER');
    expect(e.status).toBe(400);
    expect(e.problems).toEqual(problems);
    expect(e.details).toEqual({ problems });
    expect(e.field).toBeUndefined();
    expect(e.toJSON()).toEqual({ error: { code: 'INVALID_PARAMETER', message: e.message, details: { problems } } });
  });

  it('works with a single problem', () => {
    const e = new ValidationError('Bad request', ['Status is required']);
    expect(e.message).toBe('Bad request:\n  - Status is required');
    expect(e.problems).toHaveLength(1);
  });
});
