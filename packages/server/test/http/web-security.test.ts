/**
 * Security headers on every answer, CORS only for configured origins, per-identity rate limits
 * and a cap on failed logins.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type System } from '../support/system.ts';
import { SECURITY_HEADERS } from '../../src/http/web-security.ts';

let s: System;

beforeAll(async () => {
  s = await startSystem({ env: { CORS_ORIGINS: 'https://flex.twilio.com', RATE_LIMIT_PER_MINUTE: '5', LOGIN_FAILURES_PER_MINUTE: '3' } });
});
afterAll(async () => {
  await s.close();
});

describe('web security', () => {
  it('sends the security headers on answers, errors and the event stream', async () => {
    for (const path of ['/api/health', '/api/nowhere', '/api/tasks']) {
      const r = await fetch(s.url + path);
      for (const [k, v] of Object.entries(SECURITY_HEADERS)) expect([path, k, r.headers.get(k)]).toEqual([path, k, v]);
      // helmet's further defaults ride along.
      expect([path, r.headers.get('cross-origin-resource-policy'), r.headers.get('strict-transport-security')]).toEqual([
        path,
        'same-origin',
        'max-age=31536000; includeSubDomains',
      ]);
    }
    const token = await s.login('sam');
    const ac = new AbortController();
    const ticket = (await s.api('POST', '/api/events/ticket', { token })).body['ticket'] as string;
    const sse = await fetch(`${s.url}/api/events?ticket=${ticket}`, { signal: ac.signal });
    expect(sse.headers.get('content-type')).toContain('text/event-stream');
    expect(sse.headers.get('x-content-type-options')).toBe('nosniff');
    ac.abort();
  });

  it('answers CORS for allowed origins only', async () => {
    const pre = await fetch(`${s.url}/features/pause-recording/flex/pause-call-recording`, {
      method: 'OPTIONS',
      headers: { origin: 'https://flex.twilio.com', 'access-control-request-method': 'POST' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://flex.twilio.com');
    const other = await fetch(`${s.url}/api/health`, { headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const allowed = await fetch(`${s.url}/api/health`, { headers: { origin: 'https://flex.twilio.com' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://flex.twilio.com');
  });

  it('limits requests per identity, with Retry-After, without touching others', async () => {
    const bob = await s.login('bob');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await s.api('GET', '/api/tasks', { token: bob })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const limited = await s.api('GET', '/api/tasks', { token: bob });
    expect(limited.body.error?.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await s.api('GET', '/api/tasks', { token: await s.login('alice') })).status).toBe(200);
  });

  it('stops password guessing after a few failures for one identity', async () => {
    const attempt = (identity: string, password: string) => s.api('POST', '/api/auth/login', { json: { identity, password } });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await attempt('sam', 'guess' + i)).status);
    statuses.push((await attempt('sam', 'demo')).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect((await attempt('bob', 'demo')).status).toBe(200);
  });
});
