import { createHmac } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlexTokenIssuer, loadOrCreateSigningKey, SIGNING_KEY_FILE, type FlexTokenClaims } from '../src/support/flex-tokens.ts';
import { DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, startEngine, type RunningEngine } from '../src/index.ts';

const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);
const claims = (over: Partial<FlexTokenClaims> = {}): FlexTokenClaims => ({
  identity: 'alice',
  roles: ['agent'],
  workerSid: `WK${'a'.repeat(32)}`,
  realmUserId: 'alice@flex',
  exp: NOW / 1000 + 3600,
  ...over,
});

describe('Flex tokens over HTTP (IAM Tokens/validate shape)', () => {
  let e: RunningEngine;
  const dir = mkdtempSync(join(tmpdir(), 'engine-flex-'));
  let auth: string;
  beforeAll(async () => {
    e = await startEngine({ dataDir: dir, clock: 'manual', devRoutes: true });
    auth = `Basic ${Buffer.from(`${e.accountSid}:${e.authToken}`).toString('base64')}`;
  });
  afterAll(async () => {
    await e.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function issue(params: Record<string, string | string[]>): Promise<{ status: number; body: Record<string, unknown> }> {
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) for (const x of Array.isArray(v) ? v : [v]) form.append(k, x);
    const res = await fetch(`${e.url}/dev/flex-tokens`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  async function validate(token: unknown, authorization = auth): Promise<{ status: number; body: Record<string, unknown> }> {
    // Exactly what twilio-flex-token-validator sends: JSON {token} with Basic auth.
    const res = await fetch(`${e.url}/v1/Accounts/${e.accountSid}/Tokens/validate`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it('issues a token and validates it with every field the validator reads', async () => {
    const workerSid = `WK${'0123456789abcdef'.repeat(2)}`;
    const issued = await issue({ identity: 'alice', roles: ['agent', 'supervisor'], workerSid, ttlSeconds: '600' });
    expect(issued.status).toBe(201);
    expect(issued.body).toMatchObject({ identity: 'alice', roles: ['agent', 'supervisor'], worker_sid: workerSid });
    const token = issued.body['token'] as string;
    const v = await validate(token);
    expect(v.status).toBe(200);
    expect(Object.keys(v.body).sort()).toEqual(['code', 'expiration', 'identity', 'message', 'realm_user_id', 'roles', 'valid', 'worker_sid']);
    expect(v.body).toMatchObject({
      valid: true,
      code: 0,
      message: null,
      identity: 'alice',
      realm_user_id: 'alice@flex',
      roles: ['agent', 'supervisor'],
      worker_sid: workerSid,
    });
    expect(v.body['expiration']).toBe(issued.body['expiration']);
    expect(Number.isNaN(Date.parse(v.body['expiration'] as string))).toBe(false);
  });

  it('defaults: role agent, no worker, an hour; roles may be one space-separated value', async () => {
    const plain = await issue({ identity: 'bob' });
    const v = await validate(plain.body['token']);
    expect(v.body).toMatchObject({ valid: true, roles: ['agent'], worker_sid: null, identity: 'bob' });
    const spaced = await issue({ identity: 'carol', roles: 'agent supervisor' });
    expect((await validate(spaced.body['token'])).body['roles']).toEqual(['agent', 'supervisor']);
  });

  it('expired, tampered and garbage tokens are answered valid:false with a code and nulls', async () => {
    const expired = await issue({ identity: 'dave', ttlSeconds: '-60' });
    const nulls = { expiration: null, realm_user_id: null, identity: null, roles: null, worker_sid: null };
    expect((await validate(expired.body['token'])).body).toEqual({
      valid: false,
      code: 20104,
      message: 'Access Token expired or expiration date invalid',
      ...nulls,
    });
    const good = (await issue({ identity: 'erin' })).body['token'] as string;
    const [, sig] = good.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify({ identity: 'mallory', roles: ['supervisor'], workerSid: null, realmUserId: 'm', exp: 4e9 })).toString(
      'base64url',
    );
    expect((await validate(`${forged}.${sig}`)).body).toEqual({ valid: false, code: 20107, message: 'Invalid Access Token signature', ...nulls });
    expect((await validate('garbage')).body).toEqual({ valid: false, code: 20101, message: 'Invalid Access Token', ...nulls });
    expect((await validate(undefined)).body).toMatchObject({ valid: false, code: 20101 });
  });

  it('a token issued by one engine is not valid at an engine with other credentials', async () => {
    const dir2 = mkdtempSync(join(tmpdir(), 'engine-flex2-'));
    const other = await startEngine({ dataDir: dir2, clock: 'manual', authToken: 'another-token-123', devRoutes: true });
    try {
      const token = (await issue({ identity: 'frank' })).body['token'];
      const otherAuth = `Basic ${Buffer.from(`${other.accountSid}:${other.authToken}`).toString('base64')}`;
      const res = await fetch(`${other.url}/v1/Accounts/${other.accountSid}/Tokens/validate`, {
        method: 'POST',
        headers: { authorization: otherAuth, 'content-type': 'application/json' },
        body: JSON.stringify({ token }),
      });
      expect(await res.json()).toMatchObject({ valid: false, code: 20107 });
    } finally {
      await other.close();
      rmSync(dir2, { recursive: true, force: true });
    }
  });

  it('validation needs the account credentials; issuing needs identity and a well-formed worker SID', async () => {
    const token = (await issue({ identity: 'gina' })).body['token'];
    const wrong = await validate(token, `Basic ${Buffer.from(`${e.accountSid}:wrong-token`).toString('base64')}`);
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ code: 20003, status: 401 });
    const noIdentity = await issue({});
    expect(noIdentity.status).toBe(400);
    expect(noIdentity.body['message']).toContain('identity');
    const badWorker = await issue({ identity: 'h', workerSid: 'WK123' });
    expect(badWorker.status).toBe(400);
    expect(badWorker.body['message']).toContain('workerSid');
  });
});

describe('the signing key: a random secret of the engine, never derived from its credentials', () => {
  const dirs: string[] = [];
  const tmp = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'engine-flexkey-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  async function validateAt(e: RunningEngine, token: string): Promise<Record<string, unknown>> {
    const res = await fetch(`${e.url}/v1/Accounts/${e.accountSid}/Tokens/validate`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${e.accountSid}:${e.authToken}`).toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    });
    return (await res.json()) as Record<string, unknown>;
  }

  it('a token forged offline with a key derived from the default credentials is rejected', async () => {
    const e = await startEngine({ dataDir: tmp(), clock: 'manual' });
    try {
      const forgedClaims = {
        identity: 'mallory',
        roles: ['supervisor'],
        workerSid: null,
        realmUserId: 'mallory@flex',
        exp: Math.floor(Date.now() / 1000) + 3600,
      };
      // The old derivation, and the obvious variants of it.
      for (const key of [`flex:${DEFAULT_ACCOUNT_SID}:${DEFAULT_AUTH_TOKEN}`, DEFAULT_AUTH_TOKEN, `${DEFAULT_ACCOUNT_SID}:${DEFAULT_AUTH_TOKEN}`]) {
        const body = Buffer.from(JSON.stringify(forgedClaims)).toString('base64url');
        const sig = createHmac('sha256', key).update(body).digest('base64url');
        expect(await validateAt(e, `${body}.${sig}`)).toMatchObject({ valid: false, code: 20107, identity: null, roles: null });
      }
    } finally {
      await e.close();
    }
  });

  it('is made on first start as 64 random hex digits, mode 0600, and reused after a restart', async () => {
    const dir = tmp();
    const first = await startEngine({ dataDir: dir, clock: 'manual', devRoutes: true });
    const file = join(dir, SIGNING_KEY_FILE);
    let token: string;
    try {
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const key = readFileSync(file, 'utf8').trim();
      expect(key).toMatch(/^[0-9a-f]{64}$/);
      expect(key).not.toContain(DEFAULT_AUTH_TOKEN);
      const issued = await fetch(`${first.url}/dev/flex-tokens`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${first.accountSid}:${first.authToken}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'identity=alice',
      });
      token = ((await issued.json()) as { token: string }).token;
      expect(await validateAt(first, token)).toMatchObject({ valid: true, identity: 'alice' });
    } finally {
      await first.close();
    }
    const again = await startEngine({ dataDir: dir, clock: 'manual' });
    try {
      expect(await validateAt(again, token)).toMatchObject({ valid: true, identity: 'alice' });
    } finally {
      await again.close();
    }
    // Two data folders, two keys: a token of one engine is not valid at the other.
    const other = await startEngine({ dataDir: tmp(), clock: 'manual' });
    try {
      expect(await validateAt(other, token)).toMatchObject({ valid: false, code: 20107 });
    } finally {
      await other.close();
    }
  });

  it('an explicit key is used instead of the file; a short one, or one holding the auth token, is refused', async () => {
    const key = 'explicit-signing-key-0123456789abcdef';
    const a = new FlexTokenIssuer(key).issue(claims({ exp: Math.floor(Date.now() / 1000) + 600 }));
    const dir = tmp();
    const e = await startEngine({ dataDir: dir, clock: 'manual', flexSigningKey: key });
    try {
      expect(await validateAt(e, a)).toMatchObject({ valid: true, identity: 'alice' });
      expect(() => statSync(join(dir, SIGNING_KEY_FILE))).toThrow();
    } finally {
      await e.close();
    }
    await expect(startEngine({ dataDir: tmp(), flexSigningKey: 'short' })).rejects.toThrow('flexSigningKey: must be at least 32 characters');
    await expect(
      startEngine({ dataDir: tmp(), authToken: 'a-token-of-the-account', flexSigningKey: 'x'.repeat(20) + 'a-token-of-the-account' }),
    ).rejects.toThrow('flexSigningKey: must not contain the auth token');
  });

  it('a key file others can read, or that is not a key, stops the start with a message saying what to do', () => {
    const dir = tmp();
    const key = loadOrCreateSigningKey(dir);
    expect(loadOrCreateSigningKey(dir)).toBe(key);
    const file = join(dir, SIGNING_KEY_FILE);
    chmodSync(file, 0o644);
    expect(() => loadOrCreateSigningKey(dir)).toThrow(/readable by other users \(mode 644\); run chmod 600/);
    writeFileSync(file, 'not a key\n', { mode: 0o600 });
    chmodSync(file, 0o600);
    expect(() => loadOrCreateSigningKey(dir)).toThrow(/not a Flex signing key/);
  });

  it('a correctly signed token without an expiry, or with roles that are not a list, is not valid', () => {
    const key = 'k'.repeat(40);
    const sign = (c: unknown) => {
      const body = Buffer.from(JSON.stringify(c)).toString('base64url');
      return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
    };
    const issuer = new FlexTokenIssuer(key);
    expect(issuer.validate(sign({ identity: 'a', roles: ['supervisor'], workerSid: null, realmUserId: 'a' }), NOW)).toMatchObject({
      valid: false,
      code: 20101,
    });
    expect(issuer.validate(sign({ ...claims(), roles: 'supervisor' }), NOW)).toMatchObject({ valid: false, code: 20101 });
    expect(issuer.validate(sign(claims()), NOW)).toMatchObject({ valid: true });
  });
});
