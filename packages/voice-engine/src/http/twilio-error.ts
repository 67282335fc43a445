import { TWILIO_ERROR } from '@pause-recording/core';
import { isDomainError, type DomainError } from '../model/errors.ts';

/**
 * An error answered in Twilio's exact shape: `{code, message, more_info, status}`.
 * Never add `type`/`title`: twilio-node 6 would then throw a different exception class.
 */
export class TwilioHttpError extends Error {
  readonly status: number;
  readonly code: number;

  constructor(status: number, code: number, message: string) {
    super(message);
    this.name = 'TwilioHttpError';
    this.status = status;
    this.code = code;
  }

  body(): { code: number; message: string; more_info: string; status: number } {
    return {
      code: this.code,
      message: this.message,
      more_info: `https://www.twilio.com/docs/errors/${this.code}`,
      status: this.status,
    };
  }

  static notFound(what: string): TwilioHttpError {
    return new TwilioHttpError(404, TWILIO_ERROR.NOT_FOUND, `The requested resource ${what} was not found`);
  }

  static missing(param: string): TwilioHttpError {
    return new TwilioHttpError(400, TWILIO_ERROR.INVALID_PARAMETER, `Missing required parameter ${param} in the post body`);
  }

  static invalid(param: string, problem: string, code: number = TWILIO_ERROR.INVALID_PARAMETER): TwilioHttpError {
    return new TwilioHttpError(400, code, `Invalid parameter ${param}: ${problem}`);
  }

  static callNotInProgress(callSid: string, status: string): TwilioHttpError {
    return new TwilioHttpError(
      400,
      TWILIO_ERROR.CALL_NOT_IN_PROGRESS,
      `Call ${callSid} is not in-progress (status: ${status}). Cannot create or change a recording`,
    );
  }

  static badRequest(message: string): TwilioHttpError {
    return new TwilioHttpError(400, TWILIO_ERROR.INVALID_PARAMETER, message);
  }

  /** 404/20404 with a message of our own (a malformed SID, media not ready). */
  static notFoundBecause(message: string): TwilioHttpError {
    return new TwilioHttpError(404, TWILIO_ERROR.NOT_FOUND, message);
  }

  /**
   * The one place the domain's errors become Twilio's HTTP answers (status, code, message).
   * Every kind is listed, so a new one does not compile until it is mapped.
   */
  static fromDomain(e: DomainError): TwilioHttpError {
    switch (e.kind) {
      case 'NOT_FOUND':
        return TwilioHttpError.notFound(e.what);
      case 'MISSING_PARAMETER':
        return TwilioHttpError.missing(e.param);
      case 'INVALID_PARAMETER':
        return TwilioHttpError.invalid(e.param, e.problem);
      case 'INVALID_TWIML':
        return TwilioHttpError.invalid(e.param, e.problem, TWILIO_ERROR.INVALID_TWIML);
      case 'CALL_NOT_IN_PROGRESS':
        return TwilioHttpError.callNotInProgress(e.callSid, e.status);
      // A recording that can no longer change, asked (or, for a transition, found) to change.
      case 'RECORDING_NOT_ACTIVE':
      case 'ILLEGAL_TRANSITION':
        return new TwilioHttpError(400, TWILIO_ERROR.CALL_NOT_IN_PROGRESS, e.message);
      case 'NO_ACTIVE_RECORDING':
        return new TwilioHttpError(404, TWILIO_ERROR.NOT_FOUND, e.message);
      case 'CONCURRENT_RECORDINGS':
        return new TwilioHttpError(400, TWILIO_ERROR.CONCURRENT_RECORDINGS, e.message);
      case 'CONFLICT':
        return new TwilioHttpError(400, TWILIO_ERROR.CANNOT_DELETE_INCOMPLETE, e.message);
      case 'SHUTTING_DOWN':
        return new TwilioHttpError(503, TWILIO_ERROR.SERVICE_UNAVAILABLE, e.message);
      case 'INVALID_STATE':
        return new TwilioHttpError(400, TWILIO_ERROR.INVALID_PARAMETER, e.message);
    }
  }

  /** A TwilioHttpError as it is, a domain error mapped, anything else null. */
  static from(err: unknown): TwilioHttpError | null {
    if (err instanceof TwilioHttpError) return err;
    if (isDomainError(err)) return TwilioHttpError.fromDomain(err);
    return null;
  }

  static unauthenticated(): TwilioHttpError {
    return new TwilioHttpError(401, TWILIO_ERROR.UNAUTHENTICATED, 'Authenticate');
  }

  static rateLimited(): TwilioHttpError {
    return new TwilioHttpError(429, TWILIO_ERROR.RATE_LIMITED, 'Too Many Requests');
  }
}
