import { describe, expect, it } from 'vitest';
import { PASSWORD_HASH_PATTERN } from '@pause-recording/core';
import { BearerTokens } from './bearer-tokens.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { UserDirectory } from './user-directory.ts';

describe('passwords', () => {
  it('hashes with scrypt in the config format and verifies', async () => {
    const h = await hashPassword('s3cret', { N: 1024, r: 8, p: 1 });
    expect(h).toMatch(PASSWORD_HASH_PATTERN);
    expect(await verifyPassword('s3cret', h)).toBe(true);
    expect(await verifyPassword('S3cret', h)).toBe(false);
    expect(await verifyPassword('s3cret', 'plain')).toBe(false);
  });
});

describe('BearerTokens', () => {
  let now = 1_000_000_000_000;
  const tokens = new BearerTokens('x'.repeat(32), 60, () => now);
  it('issues tokens it accepts until they expire', () => {
    const { token } = tokens.issue('alice', ['agent']);
    expect(tokens.check(token)).toEqual({
      ok: true,
      claims: { sub: 'alice', roles: ['agent'], exp: 1_000_000_060, jti: expect.stringMatching(/^[\w-]{22}$/) },
    });
    now += 60_000;
    expect(tokens.check(token)).toEqual({ ok: false, reason: 'expired' });
  });
  it('refuses tampered, foreign and malformed tokens', () => {
    const { token } = tokens.issue('bob', ['agent']);
    const [payload, sig] = token.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify({ sub: 'bob', roles: ['supervisor'], exp: 9e9 })).toString('base64url');
    expect(tokens.check(`${forged}.${sig}`)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(new BearerTokens('y'.repeat(32), 60).check(token)).toEqual({ ok: false, reason: 'bad-signature' });
    // The last base64url character of a 32-byte MAC carries 2 unused bits: another spelling of the same bytes is refused too.
    const last = sig.at(-1)!;
    const sameBytes = 'AEIMQUYcgkosw048'.includes(last) ? String.fromCharCode(last.charCodeAt(0) + 1) : null;
    if (sameBytes !== null) expect(tokens.check(`${payload}.${sig.slice(0, -1)}${sameBytes}`)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(tokens.check(`${payload}.${sig.slice(0, -1)}`)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(tokens.check('nodot')).toEqual({ ok: false, reason: 'malformed' });
    expect(tokens.check(`${payload}.${sig}.x`)).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('UserDirectory', () => {
  it('has the demo users with the given password', async () => {
    const dir = await UserDirectory.demo('pw');
    expect(dir.list()).toEqual([
      { identity: 'alice', role: 'agent' },
      { identity: 'bob', role: 'agent' },
      { identity: 'sam', role: 'supervisor' },
    ]);
    expect(await dir.authenticate('sam', 'pw')).toEqual({ identity: 'sam', role: 'supervisor' });
    expect(await dir.authenticate('sam', 'demo')).toBeNull();
    expect(await dir.authenticate('mallory', 'pw')).toBeNull();
    expect(dir.agents()).toEqual(['alice', 'bob']);
  });
});
