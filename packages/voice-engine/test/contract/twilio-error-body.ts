/** Twilio's error body, checked on its own (the spec does not describe it for every route). */
import { isLenientUri } from './formats.ts';

const TWILIO_ERROR_KEYS = ['code', 'message', 'more_info', 'status'] as const;

export interface ErrorCheck {
  ok: boolean;
  errors: string[];
}

/**
 * Twilio's error body: exactly `{code: int, message: string, more_info: uri string, status: int}`
 * with `status` equal to the HTTP status. Extra keys are refused: with both `type` and `title`
 * present twilio-node 6 throws `TwilioServiceException` instead of `RestException`.
 */
export function validateTwilioError(status: number, body: unknown): ErrorCheck {
  const errors: string[] = [];
  const parsed = parseBody(body);
  if (!parsed.ok) return { ok: false, errors: [parsed.error] };
  const value = parsed.value;
  if (!isRecord(value)) {
    return { ok: false, errors: [`body must be a JSON object {code, message, more_info, status}, got ${describe(value)}`] };
  }
  for (const key of TWILIO_ERROR_KEYS) {
    if (!(key in value)) errors.push(`/${key} is missing (Twilio errors are exactly {code, message, more_info, status})`);
  }
  const extra = Object.keys(value).filter((k) => !(TWILIO_ERROR_KEYS as readonly string[]).includes(k));
  for (const key of extra) {
    errors.push(`/${key} is not allowed (Twilio errors are exactly {code, message, more_info, status})`);
  }
  if (extra.includes('type') && extra.includes('title')) {
    errors.push('body has both type and title: twilio-node 6 would throw TwilioServiceException, not RestException');
  }
  if ('code' in value && !Number.isInteger(value['code'])) errors.push(`/code must be an integer, got ${describe(value['code'])}`);
  if ('message' in value && typeof value['message'] !== 'string') {
    errors.push(`/message must be a string, got ${describe(value['message'])}`);
  }
  if ('more_info' in value) {
    const moreInfo = value['more_info'];
    if (typeof moreInfo !== 'string') errors.push(`/more_info must be a string, got ${describe(moreInfo)}`);
    else if (!isLenientUri(moreInfo)) errors.push(`/more_info must be a URI, got ${JSON.stringify(moreInfo)}`);
  }
  if ('status' in value) {
    if (!Number.isInteger(value['status'])) errors.push(`/status must be an integer, got ${describe(value['status'])}`);
    else if (value['status'] !== status) errors.push(`/status must equal the HTTP status ${status}, got ${String(value['status'])}`);
  }
  return { ok: errors.length === 0, errors };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '...' : value)}`;
  if (typeof value === 'object') return 'object';
  return `${typeof value} ${String(value)}`;
}

type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

/** Bodies may be given parsed or as the raw JSON text of the response. */
export function parseBody(body: unknown): Parsed {
  if (typeof body !== 'string') return { ok: true, value: body };
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch (e) {
    return { ok: false, error: `body is not JSON: ${(e as Error).message}` };
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
