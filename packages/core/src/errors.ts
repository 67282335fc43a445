/**
 * Typed errors with string codes. One table maps each code to an HTTP status,
 * so every layer that answers HTTP agrees on it (no bare numbers checked inline).
 */
export const ERROR_STATUS = {
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
  /** The server's own storage (SQLite) refused a write: disk full, read-only, or locked by another process. */
  STORAGE_UNAVAILABLE: 503,
  /** A credential could not be checked (Twilio IAM unreachable for a Flex token): refused, fail closed. */
  AUTH_UNAVAILABLE: 503,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export function httpStatusFor(code: ErrorCode): number {
  return ERROR_STATUS[code];
}

/**
 * Twilio error numbers we produce or react to, by name.
 * The template checked a bare `21220` inline twice; here it has a name.
 */
export const TWILIO_ERROR = {
  /**
   * Engine's choice for a missing or malformed parameter; the message names it. TaskRouter also
   * answers 400/20001 for a change the resource's state forbids (a reservation no longer pending).
   */
  INVALID_PARAMETER: 20001,
  UNAUTHENTICATED: 20003,
  NOT_FOUND: 20404,
  RATE_LIMITED: 20429,
  CANNOT_DELETE_INCOMPLETE: 20009,
  METHOD_NOT_ALLOWED: 20004,
  CALL_NOT_IN_PROGRESS: 21220,
  INVALID_URL: 21205,
  /** `PhoneNumber` is not E.164. */
  INVALID_PHONE_NUMBER: 21421,
  /** The engine is shutting down and takes no new calls. */
  SERVICE_UNAVAILABLE: 20503,
  INTERNAL_SERVER_ERROR: 20500,
  /** Flex token validation (Twilio IAM): malformed token, bad signature, expired. */
  ACCESS_TOKEN_INVALID: 20101,
  ACCESS_TOKEN_SIGNATURE_INVALID: 20107,
  ACCESS_TOKEN_EXPIRED: 20104,
  INVALID_TWIML: 12100,
  INTERNAL_FAILURE: 12400,
  /** More than one active recording when addressing `Twilio.CURRENT`. */
  CONCURRENT_RECORDINGS: 16108,
} as const;

export type TwilioErrorName = keyof typeof TWILIO_ERROR;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** The request field the problem is about, when there is one. */
  readonly field: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, opts: { field?: string; details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = httpStatusFor(code);
    this.field = opts.field;
    this.details = opts.details;
  }

  toJSON(): { error: { code: ErrorCode; message: string; field?: string; details?: Record<string, unknown> } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.field === undefined ? {} : { field: this.field }),
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    };
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

/** One error listing several problems (config parsing reports them all at once). */
export class ValidationError extends AppError {
  readonly problems: readonly string[];
  constructor(what: string, problems: readonly string[]) {
    super('INVALID_PARAMETER', `${what}:\n${problems.map((p) => `  - ${p}`).join('\n')}`, {
      details: { problems },
    });
    this.name = 'ValidationError';
    this.problems = problems;
  }
}
