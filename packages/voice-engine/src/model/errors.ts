import type { RecordingStatus } from '@pause-recording/core';

/**
 * What the engine's domain refuses, in its own words. The model throws these and knows
 * nothing of HTTP; `http/twilio-error.ts` maps each kind to Twilio's status and error code.
 */
export const ENGINE_ERROR_KINDS = [
  'NOT_FOUND',
  'MISSING_PARAMETER',
  'INVALID_PARAMETER',
  'INVALID_TWIML',
  'CALL_NOT_IN_PROGRESS',
  'RECORDING_NOT_ACTIVE',
  'ILLEGAL_TRANSITION',
  'NO_ACTIVE_RECORDING',
  'CONCURRENT_RECORDINGS',
  'CONFLICT',
  'SHUTTING_DOWN',
  'INVALID_STATE',
] as const;

export type EngineErrorKind = (typeof ENGINE_ERROR_KINDS)[number];

export abstract class EngineError extends Error {
  abstract readonly kind: EngineErrorKind;
}

/** Every domain error, so a `switch` on `kind` narrows to its fields. */
export type DomainError =
  | NotFoundError
  | MissingParameterError
  | InvalidParameterError
  | InvalidTwimlError
  | CallNotInProgressError
  | RecordingNotActiveError
  | IllegalTransitionError
  | NoActiveRecordingError
  | ConcurrentRecordingsError
  | ConflictError
  | ShuttingDownError
  | InvalidStateError;

/** Only this module's classes extend EngineError, so every EngineError is one of DomainError. */
export function isDomainError(e: unknown): e is DomainError {
  return e instanceof EngineError;
}

/** No such resource. `what` names it ("Call CA…"). */
export class NotFoundError extends EngineError {
  readonly kind = 'NOT_FOUND';
  readonly what: string;
  constructor(what: string) {
    super(`${what} was not found`);
    this.name = 'NotFoundError';
    this.what = what;
  }
}

/** A parameter the request needs is absent. */
export class MissingParameterError extends EngineError {
  readonly kind = 'MISSING_PARAMETER';
  readonly param: string;
  constructor(param: string) {
    super(`Missing required parameter ${param}`);
    this.name = 'MissingParameterError';
    this.param = param;
  }
}

/** A parameter's value cannot be used; `problem` says why. */
export class InvalidParameterError extends EngineError {
  readonly kind = 'INVALID_PARAMETER';
  readonly param: string;
  readonly problem: string;
  constructor(param: string, problem: string) {
    super(`Invalid parameter ${param}: ${problem}`);
    this.name = 'InvalidParameterError';
    this.param = param;
    this.problem = problem;
  }
}

/** TwiML the engine cannot follow (a parse error or an unsupported verb). */
export class InvalidTwimlError extends EngineError {
  readonly kind = 'INVALID_TWIML';
  readonly param: string;
  readonly problem: string;
  constructor(param: string, problem: string) {
    super(`Invalid TwiML in ${param}: ${problem}`);
    this.name = 'InvalidTwimlError';
    this.param = param;
    this.problem = problem;
  }
}

/** Recording a call, or redirecting it, needs the call to be in progress. */
export class CallNotInProgressError extends EngineError {
  readonly kind = 'CALL_NOT_IN_PROGRESS';
  readonly callSid: string;
  readonly status: string;
  constructor(callSid: string, status: string) {
    super(`Call ${callSid} is not in-progress (status: ${status}). Cannot create or change a recording`);
    this.name = 'CallNotInProgressError';
    this.callSid = callSid;
    this.status = status;
  }
}

/** An update of a recording that is no longer in progress or paused. */
export class RecordingNotActiveError extends EngineError {
  readonly kind = 'RECORDING_NOT_ACTIVE';
  readonly recordingSid: string;
  readonly status: RecordingStatus;
  constructor(recordingSid: string, status: RecordingStatus) {
    super(`Recording ${recordingSid} is ${status}; only an in-progress or paused recording can be changed`);
    this.name = 'RecordingNotActiveError';
    this.recordingSid = recordingSid;
    this.status = status;
  }
}

/** A status change core's transition table does not allow. */
export class IllegalTransitionError extends EngineError {
  readonly kind = 'ILLEGAL_TRANSITION';
  readonly recordingSid: string;
  readonly from: RecordingStatus;
  readonly to: RecordingStatus;
  constructor(recordingSid: string, from: RecordingStatus, to: RecordingStatus) {
    super(`Recording ${recordingSid} cannot go from ${from} to ${to}`);
    this.name = 'IllegalTransitionError';
    this.recordingSid = recordingSid;
    this.from = from;
    this.to = to;
  }
}

/** `Twilio.CURRENT` when the call or conference has no active recording. */
export class NoActiveRecordingError extends EngineError {
  readonly kind = 'NO_ACTIVE_RECORDING';
  readonly owner: string;
  constructor(owner: string) {
    super(`No active recording for ${owner} (Twilio.CURRENT)`);
    this.name = 'NoActiveRecordingError';
    this.owner = owner;
  }
}

/** `Twilio.CURRENT` when the call or conference has more than one active recording. */
export class ConcurrentRecordingsError extends EngineError {
  readonly kind = 'CONCURRENT_RECORDINGS';
  readonly owner: string;
  constructor(owner: string) {
    super(`More than one active recording for ${owner}; address a recording by its SID`);
    this.name = 'ConcurrentRecordingsError';
    this.owner = owner;
  }
}

/** The resource's present state forbids the request (deleting a live call or an unfinished recording). */
export class ConflictError extends EngineError {
  readonly kind = 'CONFLICT';
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}

/** The engine is closing and takes no new calls. */
export class ShuttingDownError extends EngineError {
  readonly kind = 'SHUTTING_DOWN';
  constructor() {
    super('The engine is shutting down');
    this.name = 'ShuttingDownError';
  }
}

/** A TaskRouter resource's state forbids the change (accepting a reservation that is no longer pending). */
export class InvalidStateError extends EngineError {
  readonly kind = 'INVALID_STATE';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidStateError';
  }
}
