/**
 * Safe defaults (issue 9, item 7): the server refuses to start, with one message naming every
 * reason, when the demo users or the engine's default token would be exposed, when production has
 * no way to sign in, or when a known default secret is used in production.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '@pause-recording/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/auth/passwords.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { startServer } from '../../src/server.ts';
import { loadServerConfig, type Env } from '../../src/config/server-config.ts';
import { isLoopbackHost, startupProblems } from '../../src/config/startup-safety.ts';

const AC = 'AC' + 'a'.repeat(32);
const TOKEN = 'a-real-looking-auth-token-7f3k9q';
const SECRET = 'Zr8vQ2xL5nT1wK9yB4mD7cF0hJ6gP3sA';
const PROD = { SERVER_MODE: 'production', TWILIO_ACCOUNT_SID: AC, TWILIO_AUTH_TOKEN: TOKEN, PUBLIC_URL: 'https://pr.example.com' };

let settingsWithUsers: string;
beforeAll(async () => {
  settingsWithUsers = JSON.stringify({ users: [{ identity: 'ann', role: 'agent', password_hash: await hashPassword('pw', { N: 1024, r: 8, p: 1 }) }] });
});

/** startServer's refusal (a ValidationError) for this environment, or null when it started. */
async function refusal(env: Env, settings = '{}'): Promise<ValidationError | null> {
  const dataDir = mkdtempSync(join(tmpdir(), 'safety-'));
  const config = loadServerConfig({ PORT: '0', DATA_DIR: dataDir, CONFIG: 'x.json', TWILIO_TIMEOUT_MS: '100', ...env }, () => settings);
  try {
    const s = await startServer(config, { logger: createLogger('silent') });
    await s.close();
    return null;
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    // Refused before anything was written.
    expect(existsSync(dataDir) ? readdirSync(dataDir) : []).toEqual([]);
    return e;
  }
}

describe('startup refusals', () => {
  it('refuses demo users and the default engine token on a non-loopback HOST', async () => {
    const e = await refusal({ HOST: '0.0.0.0' });
    expect(e?.message).toMatch(/^Refusing to start: demo or default credentials would be exposed:\n/);
    expect(e?.problems).toEqual([
      expect.stringMatching(
        /^users: the demo users \(alice, bob, sam\) with a published password would be reachable \(HOST=0\.0\.0\.0 is not a loopback address\)/,
      ),
      expect.stringMatching(/^TWILIO_AUTH_TOKEN: the engine's default token "engine-dev-token" is public/),
    ]);
    // With real users and a secret token the same HOST is fine (checked without listening: tests stay on loopback).
    const ok = loadServerConfig({ HOST: '0.0.0.0', TWILIO_AUTH_TOKEN: TOKEN, CONFIG: 'x.json' }, () => settingsWithUsers);
    expect(startupProblems(ok, { demoUsers: false })).toEqual([]);
  });

  it('refuses NODE_ENV=production with the demo users, and production mode with the default auth token', async () => {
    expect((await refusal({ NODE_ENV: 'production' }))?.problems).toEqual([
      expect.stringContaining('users: the demo users (alice, bob, sam) with a published password would be reachable (NODE_ENV=production)'),
      expect.stringContaining('TWILIO_AUTH_TOKEN: the engine\'s default token "engine-dev-token" is public'),
    ]);
    expect((await refusal({ ...PROD, TWILIO_AUTH_TOKEN: 'engine-dev-token' }))?.problems).toEqual([
      expect.stringContaining(
        'TWILIO_AUTH_TOKEN: the engine\'s default token "engine-dev-token" is public, so anyone could sign webhooks (SERVER_MODE=production)',
      ),
    ]);
  });

  it('refuses a known default or non-random AUTH_SECRET in production', async () => {
    for (const secret of ['changeme-changeme-changeme-changeme', 'x'.repeat(32), 'engine-dev-token-engine-dev-token!']) {
      expect([secret, (await refusal({ ...PROD, AUTH_SECRET: secret }))?.problems]).toEqual([
        secret,
        [expect.stringMatching(/^AUTH_SECRET: is a known default or not random/)],
      ]);
    }
    expect(await refusal({ ...PROD, AUTH_SECRET: SECRET })).toBeNull();
  });

  it('refuses production with no users and no Flex login', async () => {
    expect((await refusal({ ...PROD, FLEX_LOGIN: 'off' }))?.problems).toEqual([
      'users: production mode has no users in the settings file and FLEX_LOGIN=off, so no one could sign in; add "users" or turn FLEX_LOGIN on',
    ]);
    expect(await refusal({ ...PROD, FLEX_LOGIN: 'off' }, settingsWithUsers)).toBeNull();
    expect(await refusal(PROD)).toBeNull();
  });

  it('says so in one message and exit code 2 from `npm run server`, without a stack trace', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'packages/server/src/main.ts'], {
      env: { PATH: process.env['PATH'], HOST: '0.0.0.0', PORT: '0', DATA_DIR: mkdtempSync(join(tmpdir(), 'safety-main-')), LOG_LEVEL: 'silent' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^Refusing to start: demo or default credentials would be exposed:\n {2}- users: the demo users/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).not.toContain('listening');
  }, 40_000);

  it('knows loopback hosts', () => {
    for (const h of ['127.0.0.1', 'localhost', '::1', '[::1]', '127.1.2.3', '::ffff:127.0.0.1']) expect([h, isLoopbackHost(h)]).toEqual([h, true]);
    for (const h of ['0.0.0.0', '::', '192.168.1.10', 'example.com', '']) expect([h, isLoopbackHost(h)]).toEqual([h, false]);
  });
});
