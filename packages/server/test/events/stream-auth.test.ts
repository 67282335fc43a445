/**
 * The event stream's credentials (issue 9, items 6 and 7): a single-use, short-lived ticket in
 * the URL instead of the bearer token; `?token=` refused; at most SSE_STREAMS_PER_IDENTITY open
 * streams per identity; logout ends the session's streams.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, waitUntil, type System } from '../support/system.ts';
import { BearerTokens } from '../../src/auth/bearer-tokens.ts';
import { StreamTickets } from '../../src/events/tickets.ts';

const SECRET = randomBytes(32).toString('base64url');
let s: System;
beforeAll(async () => {
  s = await startSystem({ env: { SSE_STREAMS_PER_IDENTITY: '3', AUTH_SECRET: SECRET } });
});
afterAll(async () => {
  await s.close();
});

async function ticket(token: string): Promise<string> {
  const r = await s.api('POST', '/api/events/ticket', { token });
  expect(r.status).toBe(201);
  expect(Date.parse(r.body['expiresAt'] as string) - Date.now()).toBeLessThanOrEqual(30_000);
  return r.body['ticket'] as string;
}

/** Opens a stream; resolves with its status once the head is in, and a way to read it and to end it. */
async function open(query: string): Promise<{ status: number; text: () => Promise<string>; stop: () => void }> {
  const ac = new AbortController();
  const res = await fetch(`${s.url}/api/events${query}`, { signal: ac.signal });
  return {
    status: res.status,
    text: async () => {
      try {
        return await res.text();
      } catch {
        return '';
      }
    },
    stop: () => ac.abort(),
  };
}

describe('event stream tickets', () => {
  it('opens a stream with a ticket once; the same ticket again, a made-up one or a bearer token in the URL are refused', async () => {
    const token = await s.login('alice');
    const t = await ticket(token);
    const first = await open(`?ticket=${t}`);
    expect(first.status).toBe(200);
    const again = await open(`?ticket=${t}`);
    expect(again.status).toBe(401);
    expect(await again.text()).toContain('ticket: unknown, already used or expired');
    expect((await open('?ticket=' + 'x'.repeat(43))).status).toBe(401);
    const inUrl = await open(`?token=${encodeURIComponent(token)}`);
    expect(inUrl.status).toBe(400);
    expect(JSON.parse(await inUrl.text())).toMatchObject({
      error: { field: 'token', message: expect.stringContaining('credentials do not belong in the URL') },
    });
    // Without anything: 401.
    expect((await open('')).status).toBe(401);
    first.stop();
  });

  it('expires a ticket after its lifetime', () => {
    let now = 0;
    const tickets = new StreamTickets(30_000, () => now);
    const a = tickets.issue({ identity: 'alice', jti: 'j1', exp: 7200 }).ticket;
    const b = tickets.issue({ identity: 'alice', jti: 'j1', exp: 7200 }).ticket;
    now = 29_999;
    expect(tickets.redeem(a)).toEqual({ identity: 'alice', jti: 'j1', exp: 7200 });
    now = 30_000;
    expect(tickets.redeem(b)).toBeNull();
  });

  it('caps the open streams per identity (429 with Retry-After), without touching other identities', async () => {
    const bob = await s.login('bob');
    const streams = [];
    for (let i = 0; i < 3; i++) {
      const st = await open(`?ticket=${await ticket(bob)}`);
      expect(st.status).toBe(200);
      streams.push(st);
    }
    const fourth = await fetch(`${s.url}/api/events?ticket=${await ticket(bob)}`);
    expect(fourth.status).toBe(429);
    expect(Number(fourth.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await fourth.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
    const sam = await open(`?ticket=${await ticket(await s.login('sam'))}`);
    expect(sam.status).toBe(200);
    // Closing one frees a place.
    streams.pop()!.stop();
    await waitUntil('a place is free', async () => {
      const st = await open(`?ticket=${await ticket(bob)}`);
      if (st.status === 200) streams.push(st);
      else await st.text();
      return st.status === 200;
    });
    for (const st of [...streams, sam]) st.stop();
  });

  it("ends the session's streams and voids its unused tickets on logout", async () => {
    const token = await s.login('alice');
    const unused = await ticket(token);
    const st = await open(`?ticket=${await ticket(token)}`);
    expect(st.status).toBe(200);
    const body = st.text();
    expect((await s.api('POST', '/api/auth/logout', { token })).status).toBe(204);
    // The stream ends (its body completes) without being aborted by us.
    expect(await body).toContain('event: hello');
    expect((await open(`?ticket=${unused}`)).status).toBe(401);
  });
});

describe('a stream lives no longer than the session that opened it', () => {
  /** This server's token for `identity`, expiring in about `seconds` (minted with its secret on a clock set back). */
  const expiring = (identity: string, seconds: number): { token: string; expiresAt: Date } =>
    new BearerTokens(SECRET, 60, () => Date.now() - (60 - seconds) * 1000).issue(identity, ['agent']);
  /** The body once the server ends the stream, or null if it is still open after `ms`. */
  const endedWithin = (text: Promise<string>, ms: number): Promise<string | null> => Promise.race([text, sleep(ms).then(() => null)]);

  it('ends a stream opened by ticket or by bearer header when its session expires', async () => {
    const { token, expiresAt } = expiring('sam', 3);
    const byTicket = await open(`?ticket=${await ticket(token)}`);
    const byHeader = await fetch(`${s.url}/api/events`, { headers: { authorization: `Bearer ${token}` } });
    expect([byTicket.status, byHeader.status]).toEqual([200, 200]);
    const ended = await Promise.all([endedWithin(byTicket.text(), 10_000), endedWithin(byHeader.text(), 10_000)]);
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt.getTime());
    for (const body of ended) {
      expect(body).toContain('event: hello');
      expect(body).toContain(': session expired');
    }
    // A session that lives on keeps its stream.
    const alive = await open(`?ticket=${await ticket(await s.login('sam'))}`);
    expect(await endedWithin(alive.text(), 500)).toBeNull();
    alive.stop();
  });

  it('refuses a ticket whose session expired before the ticket was used (401), though the ticket had time left', async () => {
    const { token, expiresAt } = expiring('sam', 2);
    const t = await ticket(token);
    await sleep(expiresAt.getTime() - Date.now() + 50);
    const late = await open(`?ticket=${t}`);
    expect(late.status).toBe(401);
    expect(JSON.parse(await late.text())).toMatchObject({ error: { field: 'ticket', message: expect.stringContaining('has expired; log in again') } });
  });
});
