import { TWILIO_ERROR } from '@pause-recording/core';

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

  static unauthenticated(): TwilioHttpError {
    return new TwilioHttpError(401, TWILIO_ERROR.UNAUTHENTICATED, 'Authenticate');
  }

  static rateLimited(): TwilioHttpError {
    return new TwilioHttpError(429, TWILIO_ERROR.RATE_LIMITED, 'Too Many Requests');
  }
}
