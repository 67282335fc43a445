import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type RunningEngine } from '../src/index.ts';

describe('Flex tokens over HTTP (IAM Tokens/validate shape)', () => {
  let e: RunningEngine;
  const dir = mkdtempSync(join(tmpdir(), 'engine-flex-'));
  let auth: string;
  beforeAll(async () => {
    e = await startEngine({ dataDir: dir, clock: 'manual' });
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
    expect(v.body).toMatchObject({ valid: true, code: 0, message: null, identity: 'alice', realm_user_id: 'alice@flex', roles: ['agent', 'supervisor'], worker_sid: workerSid });
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
    expect((await validate(expired.body['token'])).body).toEqual({ valid: false, code: 20104, message: 'Access Token expired or expiration date invalid', ...nulls });
    const good = (await issue({ identity: 'erin' })).body['token'] as string;
    const [, sig] = good.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify({ identity: 'mallory', roles: ['supervisor'], workerSid: null, realmUserId: 'm', exp: 4e9 })).toString('base64url');
    expect((await validate(`${forged}.${sig}`)).body).toEqual({ valid: false, code: 20107, message: 'Invalid Access Token signature', ...nulls });
    expect((await validate('garbage')).body).toEqual({ valid: false, code: 20101, message: 'Invalid Access Token', ...nulls });
    expect((await validate(undefined)).body).toMatchObject({ valid: false, code: 20101 });
  });

  it('a token issued by one engine is not valid at an engine with other credentials', async () => {
    const dir2 = mkdtempSync(join(tmpdir(), 'engine-flex2-'));
    const other = await startEngine({ dataDir: dir2, clock: 'manual', authToken: 'another-token-123' });
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
