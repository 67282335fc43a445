import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { TWILIO_ERROR } from '@pause-recording/core';

export interface FlexTokenClaims {
  identity: string;
  roles: string[];
  workerSid: string | null;
  realmUserId: string;
  /** Seconds since the epoch. */
  exp: number;
}

export type ValidationResult = { valid: true; claims: FlexTokenClaims } | { valid: false; code: number; message: string };

/**
 * Development Flex tokens: the engine issues them and validates them the way Twilio's
 * IAM `Tokens/validate` does, so a server's Flex-token path runs without Twilio.
 * Format: base64url(JSON claims) "." base64url(HMAC-SHA256(key, claims)).
 */
export class FlexTokenIssuer {
  constructor(private readonly key: string) {
    if (key.length < MIN_KEY_LENGTH) throw new Error(`Flex signing key must be at least ${MIN_KEY_LENGTH} characters`);
  }

  issue(claims: FlexTokenClaims): string {
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${body}.${this.sign(body)}`;
  }

  validate(token: unknown, nowMs: number): ValidationResult {
    const parts = typeof token === 'string' ? token.split('.') : [];
    if (parts.length !== 2) {
      return { valid: false, code: TWILIO_ERROR.ACCESS_TOKEN_INVALID, message: 'Invalid Access Token' };
    }
    const [body, sig] = parts as [string, string];
    const expected = Buffer.from(this.sign(body));
    const given = Buffer.from(sig);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      return { valid: false, code: TWILIO_ERROR.ACCESS_TOKEN_SIGNATURE_INVALID, message: 'Invalid Access Token signature' };
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return { valid: false, code: TWILIO_ERROR.ACCESS_TOKEN_INVALID, message: 'Invalid Access Token' };
    }
    // Signed but malformed (no expiry, roles not a list): never valid.
    if (!isClaims(parsed)) return { valid: false, code: TWILIO_ERROR.ACCESS_TOKEN_INVALID, message: 'Invalid Access Token' };
    const claims = parsed;
    if (claims.exp * 1000 <= nowMs)
      return { valid: false, code: TWILIO_ERROR.ACCESS_TOKEN_EXPIRED, message: 'Access Token expired or expiration date invalid' };
    return { valid: true, claims };
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}

function isClaims(v: unknown): v is FlexTokenClaims {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Record<string, unknown>;
  return (
    typeof c['identity'] === 'string' &&
    Array.isArray(c['roles']) &&
    c['roles'].every((r) => typeof r === 'string') &&
    (c['workerSid'] === null || typeof c['workerSid'] === 'string') &&
    typeof c['realmUserId'] === 'string' &&
    typeof c['exp'] === 'number' &&
    Number.isFinite(c['exp'])
  );
}

/** An explicit key must be at least this long; a generated one is 64 hex characters (256 bits). */
export const MIN_KEY_LENGTH = 32;
export const SIGNING_KEY_FILE = 'flex-signing-key';

/**
 * The engine's Flex signing key: a random secret kept in `DATA_DIR/flex-signing-key` (mode 0600),
 * created on first start and reused afterwards, so tokens survive a restart. Never derived from
 * the account SID or auth token (those defaults are public, so such a key could be computed
 * offline and tokens forged). The file is written under a temporary name and linked into place,
 * so a crash never leaves a half-written key and two engines starting at once agree on one key.
 */
export function loadOrCreateSigningKey(dataDir: string): string {
  const file = join(dataDir, SIGNING_KEY_FILE);
  const existing = readKey(file);
  if (existing !== null) return existing;
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, `${randomBytes(32).toString('hex')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    unlinkSync(tmp);
  }
  const key = readKey(file);
  if (key === null) throw new Error(`${file}: could not be created`);
  return key;
}

function readKey(file: string): string | null {
  let st;
  try {
    st = statSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  // Fail closed: a key others can read is no secret.
  if ((st.mode & 0o077) !== 0) throw new Error(`${file}: readable by other users (mode ${(st.mode & 0o777).toString(8)}); run chmod 600 on it`);
  const key = readFileSync(file, 'utf8').trim();
  if (!/^[0-9a-f]{64}$/.test(key)) throw new Error(`${file}: not a Flex signing key (64 hex digits expected); delete it to have a new one made`);
  return key;
}
