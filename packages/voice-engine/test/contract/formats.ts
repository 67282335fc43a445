/**
 * The string formats Twilio's spec uses, registered on Ajv for the contract validator
 * (see openapi.ts's module comment for what each accepts).
 */
import type { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS with `exports.default`; under NodeNext the default import is the module object.
const addFormats = addFormatsModule.default;

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
const RFC2822 =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/;

/**
 * RFC 2822 date-time in the form Twilio emits: `Tue, 10 Nov 2026 14:03:00 +0000`.
 * Checks the calendar date exists, the weekday matches it, the time is in range and the zone
 * is a numeric offset (RFC 2822 obsolete zone names like `GMT` are not accepted).
 */
export function isRfc2822DateTime(value: string): boolean {
  const m = RFC2822.exec(value);
  if (!m) return false;
  const [, wd, dd, mon, yyyy, hh, mi, ss, , zh, zm] = m;
  const day = Number(dd);
  const month = MONTHS.indexOf(mon as (typeof MONTHS)[number]);
  const year = Number(yyyy);
  if (Number(hh) > 23 || Number(mi) > 59 || Number(ss) > 60 || Number(zh) > 99 || Number(zm) > 59) return false;
  const date = new Date(Date.UTC(year, month, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month || date.getUTCDate() !== day) return false;
  return WEEKDAYS[date.getUTCDay()] === wd;
}

function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** Absolute URI (`scheme:...`) or an absolute path (`/2010-04-01/...`, as Twilio's `uri` fields are). */
export function isLenientUri(value: string): boolean {
  if (value.length === 0 || /\s/.test(value) || hasControlCharacter(value)) return false;
  return value.startsWith('/') || /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(value);
}

/** The `uri` format also accepts `""`: Twilio returns it for unset URLs (the spec's own examples do). */
function isLenientUriOrEmpty(value: string): boolean {
  return value === '' || isLenientUri(value);
}

export function registerFormats(ajv: Ajv): void {
  addFormats(ajv, ['date', 'date-time', 'int32', 'int64']);
  ajv.addFormat('date-time-rfc-2822', { type: 'string', validate: isRfc2822DateTime });
  ajv.addFormat('uri', { type: 'string', validate: isLenientUriOrEmpty });
  // E.164 numbers, but also `client:alice`, `sip:...`, `Anonymous`: any non-empty, trimmed string.
  ajv.addFormat('phone-number', { type: 'string', validate: (v: string) => v.length > 0 && v.trim() === v });
  ajv.addFormat('currency', { type: 'string', validate: /^[A-Za-z]{3}$/ });
  ajv.addFormat('iso-country-code', { type: 'string', validate: /^[A-Za-z]{2}$/ });
  ajv.addFormat('http-method', { type: 'string', validate: /^(GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS)$/i });
  for (const name of ['uri-map', 'phone-number-capabilities', 'ice-server', 'endpoint', 'twiml']) {
    ajv.addFormat(name, true);
  }
}
