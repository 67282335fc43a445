import { createHmac, timingSafeEqual } from 'node:crypto';

export interface FlexTokenClaims {
  identity: string;
  roles: string[];
  workerSid: string | null;
  realmUserId: string;
  /** Seconds since the epoch. */
  exp: number;
}

export type ValidationResult =
  | { valid: true; claims: FlexTokenClaims }
  | { valid: false; code: number; message: string };

/**
 * Development Flex tokens: the engine issues them and validates them the way Twilio's
 * IAM `Tokens/validate` does, so a server's Flex-token path runs without Twilio.
 * Format: base64url(JSON claims) "." base64url(HMAC-SHA256(key, claims)).
 */
export class FlexTokenIssuer {
  constructor(private readonly key: string) {}

  issue(claims: FlexTokenClaims): string {
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${body}.${this.sign(body)}`;
  }

  validate(token: unknown, nowMs: number): ValidationResult {
    const parts = typeof token === 'string' ? token.split('.') : [];
    if (parts.length !== 2) {
      return { valid: false, code: 20101, message: 'Invalid Access Token' };
    }
    const [body, sig] = parts as [string, string];
    const expected = Buffer.from(this.sign(body));
    const given = Buffer.from(sig);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      return { valid: false, code: 20107, message: 'Invalid Access Token signature' };
    }
    let claims: FlexTokenClaims;
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as FlexTokenClaims;
    } catch {
      return { valid: false, code: 20101, message: 'Invalid Access Token' };
    }
    if (claims.exp * 1000 <= nowMs) return { valid: false, code: 20104, message: 'Access Token expired or expiration date invalid' };
    return { valid: true, claims };
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
