import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FlexTokenIssuer, type FlexTokenClaims } from './flex-tokens.ts';

const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);
const KEY1 = 'k1'.repeat(16);
const KEY2 = 'k2'.repeat(16);
const claims = (over: Partial<FlexTokenClaims> = {}): FlexTokenClaims => ({
  identity: 'alice',
  roles: ['agent'],
  workerSid: `WK${'a'.repeat(32)}`,
  realmUserId: 'alice@flex',
  exp: NOW / 1000 + 3600,
  ...over,
});

describe('FlexTokenIssuer', () => {
  const issuer = new FlexTokenIssuer(KEY1);

  it('validates a token it issued and returns its claims', () => {
    const token = issuer.issue(claims());
    expect(token).toMatch(/^[\w-]+\.[\w-]+$/);
    expect(issuer.validate(token, NOW)).toEqual({ valid: true, claims: claims() });
  });

  it('expired: at and after exp', () => {
    const token = issuer.issue(claims({ exp: NOW / 1000 }));
    expect(issuer.validate(token, NOW - 1)).toMatchObject({ valid: true });
    expect(issuer.validate(token, NOW)).toEqual({ valid: false, code: 20104, message: 'Access Token expired or expiration date invalid' });
    expect(issuer.validate(token, NOW + 86_400_000)).toMatchObject({ valid: false, code: 20104 });
  });

  it('tampered claims, tampered or missing signature, another key: invalid signature', () => {
    const token = issuer.issue(claims());
    const [body, sig] = token.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify(claims({ roles: ['supervisor'] }))).toString('base64url');
    const bad = { valid: false, code: 20107, message: 'Invalid Access Token signature' };
    expect(issuer.validate(`${forged}.${sig}`, NOW)).toEqual(bad);
    const flipped = sig[0] === 'A' ? `B${sig.slice(1)}` : `A${sig.slice(1)}`;
    expect(issuer.validate(`${body}.${flipped}`, NOW)).toEqual(bad);
    expect(issuer.validate(`${body}.`, NOW)).toEqual(bad);
    expect(issuer.validate(`${body}.${sig.slice(0, -2)}`, NOW)).toEqual(bad);
    expect(new FlexTokenIssuer(KEY2).validate(token, NOW)).toEqual(bad);
  });

  it('extra segments after a valid token make it invalid', () => {
    const token = issuer.issue(claims());
    const bad = { valid: false, code: 20101, message: 'Invalid Access Token' };
    expect(issuer.validate(`${token}.extra`, NOW)).toEqual(bad);
    expect(issuer.validate(`${token}.`, NOW)).toEqual(bad);
    expect(issuer.validate(`x.${token}`, NOW)).toEqual(bad);
  });

  it('garbage and non-strings: invalid token', () => {
    const bad = { valid: false, code: 20101, message: 'Invalid Access Token' };
    for (const t of ['', 'no-dot', undefined, null, 42, { token: 'x' }]) expect(issuer.validate(t, NOW)).toEqual(bad);
  });

  it('a correctly signed body that is not JSON: invalid token', () => {
    const body = Buffer.from('not json').toString('base64url');
    const sig = createHmac('sha256', KEY1).update(body).digest('base64url');
    expect(issuer.validate(`${body}.${sig}`, NOW)).toEqual({ valid: false, code: 20101, message: 'Invalid Access Token' });
  });
});
