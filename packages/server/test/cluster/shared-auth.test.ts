/**
 * Sessions and limits across instances (issue 14): two servers in one process on one throwaway
 * PostgreSQL with one AUTH_SECRET. A logout on A refuses the token on B and ends its stream
 * there; a stream ticket from A opens one stream on B, once; failed logins and requests are
 * counted across both instances.
 */
import { createHash, randomBytes } from 'node:crypto';
import pgLib from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BearerTokens } from '../../src/auth/bearer-tokens.ts';
import { startPostgres, type PostgresCluster } from '../support/postgres.ts';
import { startSystem, waitUntil, type System } from '../support/system.ts';

let pg: PostgresCluster;
let a: System;
let b: System;
let databaseUrl: string;
const secret = randomBytes(32).toString('base64url');

beforeAll(async () => {
  pg = await startPostgres();
  databaseUrl = await pg.createDatabase();
  const env = {
    DATABASE_URL: databaseUrl,
    AUTH_SECRET: secret,
    RATE_LIMIT_PER_MINUTE: '40',
    LOGIN_FAILURES_PER_MINUTE: '3',
    LOGIN_BACKOFF_SECONDS: '60',
  };
  a = await startSystem({ env });
  b = await startSystem({ env, engine: a.engine });
}, 90_000);
afterAll(async () => {
  await b?.close();
  await a?.close();
  await pg?.stop();
});

describe('two instances, one PostgreSQL', () => {
  it("a logout on A refuses the token on B at once and ends the session's stream there", async () => {
    const token = await a.login('alice');
    expect((await b.api('GET', '/api/me', { token })).status).toBe(200);
    const t = await a.api('POST', '/api/events/ticket', { token });
    const ac = new AbortController();
    const res = await fetch(`${b.url}/api/events?ticket=${encodeURIComponent(t.body['ticket'] as string)}`, { signal: ac.signal });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    await reader.read(); // hello
    let ended = false;
    void (async () => {
      for (;;) if ((await reader.read()).done) break;
      ended = true;
    })().catch(() => undefined);

    expect((await a.api('POST', '/api/auth/logout', { token })).status).toBe(204);
    // Logout answers once the revocation is stored and signalled; B applies it as it arrives.
    await waitUntil('B refuses the token', async () => (await b.api('GET', '/api/me', { token })).status === 401, 5000);
    const refused = await b.api('GET', '/api/me', { token });
    expect(refused.body.error?.message).toMatch(/revoked/);
    await waitUntil("B ended the session's stream", () => ended, 5000);
    ac.abort();
  });

  it('a stream ticket from A opens one stream on B, once', async () => {
    const token = await a.login('bob');
    const t = await a.api('POST', '/api/events/ticket', { token });
    const ticket = encodeURIComponent(t.body['ticket'] as string);
    const ac = new AbortController();
    const first = await fetch(`${b.url}/api/events?ticket=${ticket}`, { signal: ac.signal });
    expect(first.status).toBe(200);
    ac.abort();
    for (const s of [a, b]) {
      const again = await fetch(`${s.url}/api/events?ticket=${ticket}`);
      expect(again.status).toBe(401);
      expect(((await again.json()) as { error: { field: string } }).error.field).toBe('ticket');
    }
  });

  it("a ticket from A opens a stream on B that ends when the session expires; a stored ticket without its session's expiry is refused", async () => {
    // This deployment's token for sam, expiring in about 3 s (minted with the shared secret on a clock set back).
    const { token } = new BearerTokens(secret, 60, () => Date.now() - 57_000).issue('sam', ['agent']);
    const t = await a.api('POST', '/api/events/ticket', { token });
    const res = await fetch(`${b.url}/api/events?ticket=${encodeURIComponent(t.body['ticket'] as string)}`);
    expect(res.status).toBe(200);
    const body = await Promise.race([res.text(), new Promise<null>((r) => setTimeout(() => r(null), 10_000))]);
    expect(body).toContain(': session expired');

    // A row as an instance before the session_exp column writes it.
    const pool = new pgLib.Pool({ connectionString: databaseUrl });
    const old = randomBytes(32).toString('base64url');
    await pool.query('INSERT INTO stream_tickets (ticket_hash, identity, jti, expires_at) VALUES ($1, $2, $3, $4)', [
      createHash('sha256').update(old).digest('base64url'),
      'sam',
      'an-older-instance-session',
      Date.now() + 30_000,
    ]);
    await pool.end();
    expect((await fetch(`${b.url}/api/events?ticket=${old}`)).status).toBe(401);
  });

  it("B's event streams end once its live-event listener is back after a cut (what was sent in the gap never reaches them)", async () => {
    const token = await a.login('alice');
    const t = await b.api('POST', '/api/events/ticket', { token });
    const res = await fetch(`${b.url}/api/events?ticket=${encodeURIComponent(t.body['ticket'] as string)}`);
    expect(res.status).toBe(200);
    const body = Promise.race([res.text(), new Promise<null>((r) => setTimeout(() => r(null), 15_000))]);
    const admin = new pgLib.Pool({ connectionString: databaseUrl });
    await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid()");
    await admin.end();
    const text = await body;
    expect(text).toContain('event: hello');
    expect(text).toContain(': live events were interrupted; reconnect and reload');
    // The client's next stream opens as before.
    const again = await b.api('POST', '/api/events/ticket', { token });
    const ac = new AbortController();
    const next = await fetch(`${b.url}/api/events?ticket=${encodeURIComponent(again.body['ticket'] as string)}`, { signal: ac.signal });
    expect(next.status).toBe(200);
    ac.abort();
  });

  it('failed logins on A and B count together', async () => {
    const wrong = (s: System) => s.api('POST', '/api/auth/login', { json: { identity: 'sam', password: 'nope' } });
    // Three free failures, spread over both instances; the fourth waits, on either.
    expect((await wrong(a)).status).toBe(401);
    expect((await wrong(b)).status).toBe(401);
    expect((await wrong(a)).status).toBe(401);
    for (const s of [b, a]) {
      const r = await wrong(s);
      expect(r.status).toBe(429);
      expect(r.body.error?.field).toBe('identity');
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    }
  });

  it("one identity's requests are counted across instances (RATE_LIMIT_PER_MINUTE in total)", async () => {
    const token = await a.login('bob');
    // Alternating A and B: the limit of 40 a minute is reached in total (bob used a few earlier),
    // where two separate counts would allow 80.
    let ok = 0;
    for (let i = 0; i < 80; i++) {
      const r = await (i % 2 === 0 ? a : b).api('GET', '/api/me', { token });
      if (r.status !== 200) break;
      ok++;
    }
    expect(ok).toBeGreaterThan(20);
    expect(ok).toBeLessThanOrEqual(40);
    for (const s of [a, b]) {
      const r = await s.api('GET', '/api/me', { token });
      expect(r.status).toBe(429);
      expect(r.body.error?.code).toBe('RATE_LIMITED');
    }
  });
});
