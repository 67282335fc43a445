/**
 * The Flex-token validation cache of the `/api` routes: only valid answers, at most the configured
 * seconds, never past the token's expiry, bounded; refusals and failures are asked again. Real
 * engine IAM; its fault injector stands in for an IAM outage; the clock is the cache's own.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type RunningEngine } from '@pause-recording/voice-engine';
import { FlexBearerAuth, UNSTATED_EXPIRY_MS } from '../../src/auth/flex-bearer.ts';
import { HttpFlexTokenValidator } from '../../src/auth/flex-token-validator.ts';

let engine: RunningEngine;
let validator: HttpFlexTokenValidator;
beforeAll(async () => {
  engine = await startEngine({ dataDir: join(mkdtempSync(join(tmpdir(), 'flex-cache-')), 'engine'), devRoutes: true });
  validator = new HttpFlexTokenValidator(engine.url, engine.accountSid, engine.authToken, 2000);
});
afterAll(async () => {
  await engine.close();
});
afterEach(() => {
  engine.faults.clear();
});

let lifetime = 3600;
/** A new token each time (engine tokens are deterministic: a new lifetime makes a new one). */
async function token(identity: string, ttlSeconds = lifetime--): Promise<string> {
  const res = await fetch(`${engine.url}/dev/flex-tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Basic ' + Buffer.from(`${engine.accountSid}:${engine.authToken}`).toString('base64') },
    body: JSON.stringify({ identity, roles: ['agent'], ttlSeconds, workerSid: 'WK' + '1'.repeat(32) }),
  });
  return ((await res.json()) as { token: string }).token;
}

const iamDown = (): void => void engine.faults.add({ path: '/Tokens/validate', action: 'status', status: 503, times: 0 });
async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return (e as { code: string }).code;
  }
}

describe('FlexBearerAuth', () => {
  it('maps the validation to a caller with the worker SID; reuses a valid answer for at most cacheSeconds', async () => {
    let now = Date.now();
    const auth = new FlexBearerAuth(validator, { cacheSeconds: 30, now: () => now });
    const t = await token('alice');
    const c = await auth.authenticate(t);
    expect([c.user, c.claims.sub, c.claims.jti]).toEqual([
      { identity: 'alice', role: 'agent', workerSid: 'WK' + '1'.repeat(32) },
      'alice',
      expect.stringMatching(/^flex:agent:/),
    ]);
    iamDown();
    now += 29_000;
    expect(await codeOf(auth.authenticate(t))).toBe('ok');
    now += 1_000;
    expect(await codeOf(auth.authenticate(t))).toBe('AUTH_UNAVAILABLE');
  });

  it("never keeps an answer past the token's own expiry", async () => {
    let now = Date.now();
    const auth = new FlexBearerAuth(validator, { cacheSeconds: 60, now: () => now });
    const t = await token('alice', 20);
    await auth.authenticate(t);
    now += 21_000;
    // Asked again (the entry is gone); IAM's clock still says valid, but the expiry has passed here: refused.
    expect(await codeOf(auth.authenticate(t))).toBe('UNAUTHENTICATED');
  });

  it('keeps nothing with cacheSeconds 0, and never a refusal', async () => {
    const none = new FlexBearerAuth(validator, { cacheSeconds: 0 });
    const t = await token('alice');
    await none.authenticate(t);
    expect(none.size).toBe(0);
    const auth = new FlexBearerAuth(validator, { cacheSeconds: 30 });
    expect(await codeOf(auth.authenticate('forged.token'))).toBe('UNAUTHENTICATED');
    expect(auth.size).toBe(0);
    iamDown();
    expect(await codeOf(none.authenticate(t))).toBe('AUTH_UNAVAILABLE');
    expect(await codeOf(auth.authenticate('forged.token'))).toBe('AUTH_UNAVAILABLE');
  });

  it('holds at most maxEntries answers (the oldest goes first)', async () => {
    const auth = new FlexBearerAuth(validator, { cacheSeconds: 30, maxEntries: 2 });
    const [a, b, c] = [await token('a'), await token('b'), await token('c')];
    for (const t of [a, b, c]) await auth.authenticate(t);
    expect(auth.size).toBe(2);
    iamDown();
    expect([await codeOf(auth.authenticate(a)), await codeOf(auth.authenticate(b)), await codeOf(auth.authenticate(c))]).toEqual([
      'AUTH_UNAVAILABLE',
      'ok',
      'ok',
    ]);
  });

  it('takes a session whose expiry IAM does not state to last UNSTATED_EXPIRY_MS (its streams end then), and does not cache it', async () => {
    // The engine's IAM always states the expiry: a validator answering without one stands in for that answer.
    let asked = 0;
    const silent = {
      check: async () => {
        asked++;
        return { ok: true as const, id: { identity: 'alice', roles: ['agent'], workerSid: null, expiresAt: null } };
      },
      validate: async () => null,
    };
    const now = 1_000_000_000_000;
    const auth = new FlexBearerAuth(silent, { cacheSeconds: 30, now: () => now });
    const c = await auth.authenticate('some.flex.token');
    expect(c.claims.exp).toBe((now + UNSTATED_EXPIRY_MS) / 1000);
    await auth.authenticate('some.flex.token');
    expect(asked).toBe(2);
  });
});
