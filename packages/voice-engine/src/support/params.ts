import { TWILIO_ERROR } from '@pause-recording/core';
import { TwilioHttpError } from '../http/twilio-error.ts';

/**
 * Twilio form parameters arrive as strings, or as arrays when a key repeats.
 * These readers turn them into typed values or a 400 that names the parameter.
 */
export type Params = Record<string, unknown>;

export function str(p: Params, name: string): string | undefined {
  const v = p[name];
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v.length === 0 ? undefined : String(v[v.length - 1]);
  return String(v);
}

export function required(p: Params, name: string): string {
  const v = str(p, name);
  if (v === undefined || v === '') throw TwilioHttpError.missing(name);
  return v;
}

export function oneOf<T extends string>(p: Params, name: string, allowed: readonly T[], fallback?: T): T | undefined {
  const v = str(p, name);
  if (v === undefined || v === '') return fallback;
  if (!(allowed as readonly string[]).includes(v)) {
    throw TwilioHttpError.invalid(name, `must be one of ${allowed.join(', ')}; got '${v}'`);
  }
  return v as T;
}

export function bool(p: Params, name: string, fallback: boolean): boolean {
  const v = str(p, name);
  if (v === undefined || v === '') return fallback;
  const l = v.toLowerCase();
  if (l === 'true') return true;
  if (l === 'false') return false;
  throw TwilioHttpError.invalid(name, `must be true or false; got '${v}'`);
}

export function int(p: Params, name: string, opts: { min: number; max: number }): number | undefined {
  const v = str(p, name);
  if (v === undefined || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw TwilioHttpError.invalid(name, `must be an integer; got '${v}'`);
  const n = Number(v);
  if (n < opts.min || n > opts.max) throw TwilioHttpError.invalid(name, `must be between ${opts.min} and ${opts.max}; got ${n}`);
  return n;
}

export function url(p: Params, name: string): string | undefined {
  const v = str(p, name);
  if (v === undefined || v === '') return undefined;
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw TwilioHttpError.invalid(name, `must be an absolute http(s) URL; got '${v}'`, TWILIO_ERROR.INVALID_URL);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw TwilioHttpError.invalid(name, `must be an http or https URL; got '${v}'`, TWILIO_ERROR.INVALID_URL);
  }
  return v;
}

/**
 * Event lists such as `RecordingStatusCallbackEvent` come as repeated keys (the SDK)
 * or as one space-separated value (curl users). Accept both.
 */
export function eventList<T extends string>(p: Params, name: string, allowed: readonly T[], fallback: readonly T[]): T[] {
  const raw = p[name];
  if (raw === undefined || raw === null || raw === '') return [...fallback];
  const parts = (Array.isArray(raw) ? raw : [raw]).flatMap((x) => String(x).split(/[\s,]+/)).filter((x) => x !== '');
  for (const part of parts) {
    if (!(allowed as readonly string[]).includes(part)) {
      throw TwilioHttpError.invalid(name, `has unknown event '${part}'; allowed: ${allowed.join(', ')}`);
    }
  }
  return [...new Set(parts)] as T[];
}
