import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { UserRole } from '@pause-recording/core';

/**
 * Bearer tokens: `base64url(JSON payload).base64url(HMAC-SHA256)`. Signed with the server's
 * secret, expiring, each with its own id (`jti`) so one session can be revoked (logout) without
 * touching the others. Several instances with one secret accept each other's tokens; with
 * DATABASE_URL revocations are shared too (cluster/shared-revocations.ts).
 */
export interface TokenClaims {
  readonly sub: string;
  readonly roles: readonly UserRole[];
  /** Expiry, epoch seconds. */
  readonly exp: number;
  /** The session's id: what logout revokes. */
  readonly jti: string;
}

export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' | 'revoked' };

export class BearerTokens {
  constructor(
    private readonly secret: string,
    private readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
    /** True when the session `jti` was revoked (logout). */
    private readonly isRevoked: (jti: string) => boolean = () => false,
  ) {}

  issue(identity: string, roles: readonly UserRole[]): { token: string; expiresAt: Date; jti: string } {
    const exp = Math.floor(this.now() / 1000) + this.ttlSeconds;
    const jti = randomBytes(16).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ sub: identity, roles, exp, jti })).toString('base64url');
    return { token: `${payload}.${this.sign(payload)}`, expiresAt: new Date(exp * 1000), jti };
  }

  check(token: string): TokenCheck {
    const dot = token.indexOf('.');
    if (dot <= 0 || dot !== token.lastIndexOf('.')) return { ok: false, reason: 'malformed' };
    const payload = token.slice(0, dot);
    // Compared as text: a signature spelled differently (e.g. other unused trailing bits) is not ours.
    const sig = Buffer.from(token.slice(dot + 1));
    const want = Buffer.from(this.sign(payload));
    if (sig.length !== want.length || !timingSafeEqual(sig, want)) return { ok: false, reason: 'bad-signature' };
    let claims: unknown;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    // A token without a session id could never be revoked: refused (fail closed).
    if (!isClaims(claims)) return { ok: false, reason: 'malformed' };
    if (claims.exp * 1000 <= this.now()) return { ok: false, reason: 'expired' };
    if (this.isRevoked(claims.jti)) return { ok: false, reason: 'revoked' };
    return { ok: true, claims };
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.secret).update(payload).digest('base64url');
  }
}

function isClaims(v: unknown): v is TokenClaims {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o['sub'] === 'string' &&
    typeof o['exp'] === 'number' &&
    typeof o['jti'] === 'string' &&
    o['jti'] !== '' &&
    Array.isArray(o['roles']) &&
    o['roles'].every((r) => r === 'agent' || r === 'supervisor')
  );
}
