import { describe, expect, it } from 'vitest';
import { TWILIO_ERROR } from '@pause-recording/core';
import {
  CallNotInProgressError,
  ConcurrentRecordingsError,
  ConflictError,
  IllegalTransitionError,
  InvalidParameterError,
  InvalidTwimlError,
  MissingParameterError,
  NoActiveRecordingError,
  NotFoundError,
  RecordingNotActiveError,
  ShuttingDownError,
  InvalidStateError,
  ENGINE_ERROR_KINDS,
  type DomainError,
} from '../model/errors.ts';
import { TwilioHttpError } from './twilio-error.ts';

const RE = `RE${'a'.repeat(32)}`;
const CA = `CA${'b'.repeat(32)}`;

/** Each domain error and the exact Twilio answer the engine gave for that case before the split. */
const CASES: [DomainError, number, number, string][] = [
  [new NotFoundError(`Call ${CA}`), 404, TWILIO_ERROR.NOT_FOUND, `The requested resource Call ${CA} was not found`],
  [new MissingParameterError('Url or Twiml'), 400, TWILIO_ERROR.INVALID_PARAMETER, 'Missing required parameter Url or Twiml in the post body'],
  [new InvalidParameterError('To', 'number +1555 has no VoiceUrl'), 400, TWILIO_ERROR.INVALID_PARAMETER, 'Invalid parameter To: number +1555 has no VoiceUrl'],
  [new InvalidTwimlError('Twiml', '<Gather> is not supported'), 400, TWILIO_ERROR.INVALID_TWIML, 'Invalid parameter Twiml: <Gather> is not supported'],
  [
    new CallNotInProgressError(CA, 'ringing'),
    400,
    TWILIO_ERROR.CALL_NOT_IN_PROGRESS,
    `Call ${CA} is not in-progress (status: ringing). Cannot create or change a recording`,
  ],
  [
    new RecordingNotActiveError(RE, 'completed'),
    400,
    TWILIO_ERROR.CALL_NOT_IN_PROGRESS,
    `Recording ${RE} is completed; only an in-progress or paused recording can be changed`,
  ],
  [new IllegalTransitionError(RE, 'completed', 'paused'), 400, TWILIO_ERROR.CALL_NOT_IN_PROGRESS, `Recording ${RE} cannot go from completed to paused`],
  [new NoActiveRecordingError(`call ${CA}`), 404, TWILIO_ERROR.NOT_FOUND, `No active recording for call ${CA} (Twilio.CURRENT)`],
  [
    new ConcurrentRecordingsError(`call ${CA}`),
    400,
    TWILIO_ERROR.CONCURRENT_RECORDINGS,
    `More than one active recording for call ${CA}; address a recording by its SID`,
  ],
  [
    new ConflictError(`Recording ${RE} is paused; it can be deleted once completed`),
    400,
    TWILIO_ERROR.CANNOT_DELETE_INCOMPLETE,
    `Recording ${RE} is paused; it can be deleted once completed`,
  ],
  [new ShuttingDownError(), 503, TWILIO_ERROR.SERVICE_UNAVAILABLE, 'The engine is shutting down'],
  [new InvalidStateError('Reservation WR1 is accepted, not pending'), 400, TWILIO_ERROR.INVALID_PARAMETER, 'Reservation WR1 is accepted, not pending'],
];

describe('TwilioHttpError.fromDomain: the one mapping of domain errors to Twilio answers', () => {
  it.each(CASES.map(([e, status, code, message]) => ({ kind: e.kind, e, status, code, message })))(
    '$kind -> $status / $code',
    ({ e, status, code, message }) => {
      const http = TwilioHttpError.fromDomain(e);
      expect(http.body()).toEqual({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
    },
  );

  it('covers every kind of domain error', () => {
    expect(CASES.map(([e]) => e.kind).sort()).toEqual([...ENGINE_ERROR_KINDS].sort());
  });
});

describe('TwilioHttpError.from', () => {
  it('passes a TwilioHttpError through unchanged', () => {
    const e = TwilioHttpError.missing('To');
    expect(TwilioHttpError.from(e)).toBe(e);
  });

  it('maps a domain error', () => {
    expect(TwilioHttpError.from(new ShuttingDownError())?.status).toBe(503);
  });

  it('leaves anything else to the generic handler (null)', () => {
    expect(TwilioHttpError.from(new Error('boom'))).toBeNull();
    expect(TwilioHttpError.from('boom')).toBeNull();
    expect(TwilioHttpError.from(undefined)).toBeNull();
  });
});
