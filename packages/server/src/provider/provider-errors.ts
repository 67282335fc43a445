import twilio from 'twilio';
import { AppError, TWILIO_ERROR, type ErrorCode } from '@pause-recording/core';

/**
 * A failed call to the Twilio API, with the Twilio error number when there was one.
 * `transient` failures (429, 5xx, connection resets, timeouts) are worth retrying.
 */
export class ProviderError extends AppError {
  readonly twilioErrorCode: number | null;
  readonly twilioStatus: number | null;
  readonly transient: boolean;
  readonly moreInfo: string | null;

  constructor(
    code: ErrorCode,
    message: string,
    opts: { twilioErrorCode?: number | null; twilioStatus?: number | null; transient: boolean; moreInfo?: string | null; cause?: unknown },
  ) {
    super(code, message, {
      cause: opts.cause,
      details: { twilioErrorCode: opts.twilioErrorCode ?? null, twilioStatus: opts.twilioStatus ?? null },
    });
    this.name = 'ProviderError';
    this.twilioErrorCode = opts.twilioErrorCode ?? null;
    this.twilioStatus = opts.twilioStatus ?? null;
    this.transient = opts.transient;
    this.moreInfo = opts.moreInfo ?? null;
  }
}

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ERR_NETWORK']);
const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ERR_CANCELED']);

function errCode(e: unknown): string | undefined {
  if (typeof e === 'object' && e !== null && 'code' in e) {
    const c = (e as { code: unknown }).code;
    if (typeof c === 'string') return c;
  }
  return undefined;
}

/** Turns whatever the SDK (or fetch) threw into a ProviderError with a name and a status. */
export function toProviderError(e: unknown, what: string): ProviderError {
  if (e instanceof ProviderError) return e;
  if (e instanceof twilio.RestException) {
    const status = e.status;
    const tcode = e.code ?? null;
    const opts = { twilioErrorCode: tcode, twilioStatus: status, moreInfo: e.moreInfo ?? null, cause: e };
    const msg = `${what}: Twilio answered ${status}${tcode === null ? '' : ` / ${tcode}`} (${e.message})`;
    if (status === 429 || tcode === TWILIO_ERROR.RATE_LIMITED) return new ProviderError('RATE_LIMITED', msg, { ...opts, transient: true });
    if (status >= 500) return new ProviderError('UPSTREAM_UNAVAILABLE', msg, { ...opts, transient: true });
    if (tcode === TWILIO_ERROR.CALL_NOT_IN_PROGRESS) return new ProviderError('CALL_NOT_IN_PROGRESS', msg, { ...opts, transient: false });
    if (status === 404 || tcode === TWILIO_ERROR.NOT_FOUND) return new ProviderError('NOT_FOUND', msg, { ...opts, transient: false });
    if (status === 401 || status === 403) {
      return new ProviderError('UPSTREAM_UNAVAILABLE', `${msg}: check TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN`, { ...opts, transient: false });
    }
    return new ProviderError('CONFLICT', msg, { ...opts, transient: false });
  }
  const code = errCode(e);
  const message = e instanceof Error ? e.message : String(e);
  if ((code !== undefined && TIMEOUT_CODES.has(code)) || /timeout/i.test(message) || (e instanceof Error && e.name === 'TimeoutError')) {
    return new ProviderError('UPSTREAM_TIMEOUT', `${what}: no answer in time (${message})`, { transient: true, cause: e });
  }
  if ((code !== undefined && NETWORK_CODES.has(code)) || /socket hang up|ECONNRESET|fetch failed/i.test(message)) {
    return new ProviderError('UPSTREAM_UNAVAILABLE', `${what}: connection failed (${code ?? message})`, { transient: true, cause: e });
  }
  return new ProviderError('INTERNAL', `${what}: ${message}`, { transient: false, cause: e });
}

export function isTransientProviderError(e: unknown): boolean {
  return e instanceof ProviderError && e.transient;
}
