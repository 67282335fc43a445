import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import twilio from 'twilio';
import { startEngine, type RunningEngine } from '../src/index.ts';

describe('faults over real HTTP', () => {
  let e: RunningEngine;
  const dir = mkdtempSync(join(tmpdir(), 'engine-faults-'));
  let auth: string;
  let callsUrl: string;
  beforeAll(async () => {
    e = await startEngine({ dataDir: dir, clock: 'manual', devRoutes: true });
    auth = `Basic ${Buffer.from(`${e.accountSid}:${e.authToken}`).toString('base64')}`;
    callsUrl = `${e.url}/2010-04-01/Accounts/${e.accountSid}/Calls.json`;
  });
  afterAll(async () => {
    await e.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const listCalls = (init: RequestInit = {}) => fetch(callsUrl, { ...init, headers: { authorization: auth } });
  const dev = (method: string, path: string, params?: Record<string, string>) =>
    fetch(`${e.url}${path}`, {
      method,
      headers: { authorization: auth, ...(params ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(params ? { body: new URLSearchParams(params).toString() } : {}),
    });

  it('429 and 500 answer in Twilio error shape, once, then the route works again', async () => {
    e.faults.add({ path: '/Calls.json', method: 'GET', action: 'status', status: 429 });
    const limited = await listCalls();
    expect(limited.status).toBe(429);
    expect(await limited.json()).toEqual({ code: 20429, message: 'Too Many Requests', more_info: 'https://www.twilio.com/docs/errors/20429', status: 429 });
    expect((await listCalls()).status).toBe(200);

    e.faults.add({ path: '/Calls.json', action: 'status', status: 500 });
    const failed = await listCalls();
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({
      code: 20500,
      message: 'Injected fault: HTTP 500',
      more_info: 'https://www.twilio.com/docs/errors/20500',
      status: 500,
    });
    expect((await listCalls()).status).toBe(200);
  });

  it('the twilio SDK sees an injected 429 as a RestException with code 20429', async () => {
    const client = twilio(e.accountSid, e.authToken, { region: '', edge: '' });
    client.api.baseUrl = e.url;
    e.faults.add({ path: '/Calls.json', action: 'status', status: 429 });
    const err = (await client.calls.list().catch((x: unknown) => x)) as { status: number; code: number };
    expect(err.status).toBe(429);
    expect(err.code).toBe(20429);
    expect(await client.calls.list()).toEqual([]);
  });

  it('a fault applies before authentication (a rate limiter answers first)', async () => {
    e.faults.add({ path: '/Calls.json', action: 'status', status: 503 });
    const res = await fetch(callsUrl, { headers: { authorization: 'Basic bm9wZTpub3Bl' } });
    expect(res.status).toBe(503);
    expect((await fetch(callsUrl, { headers: { authorization: 'Basic bm9wZTpub3Bl' } })).status).toBe(401);
  });

  it('hang: the request gets no answer until the client gives up', async () => {
    e.faults.add({ path: '/Calls.json', action: 'hang' });
    const ctl = new AbortController();
    const before = e.faults.hits;
    const pending = listCalls({ signal: ctl.signal }).then(
      () => 'answered',
      (x: unknown) => (x as Error).name,
    );
    // The request reached the engine and the fault took it...
    for (let i = 0; i < 500 && e.faults.hits === before; i++) await new Promise((r) => setTimeout(r, 10));
    expect(e.faults.hits).toBe(before + 1);
    // ...and other requests are served meanwhile while that one stays unanswered.
    expect((await listCalls()).status).toBe(200);
    const state = await Promise.race([pending, new Promise((r) => setTimeout(() => r('still waiting'), 300))]);
    expect(state).toBe('still waiting');
    ctl.abort();
    expect(await pending).toBe('AbortError');
  });

  it('drop: the connection is closed without an answer', async () => {
    e.faults.add({ path: '/Calls.json', action: 'drop' });
    const err = (await listCalls().catch((x: unknown) => x)) as Error;
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toBe('fetch failed');
    expect((await listCalls()).status).toBe(200);
  });

  it('delay: the request is answered normally, after a request sent later', async () => {
    e.faults.add({ path: '/Calls.json', action: 'delay', delayMs: 400 });
    const order: string[] = [];
    const before = e.faults.hits;
    const slow = listCalls().then(async (r) => {
      order.push('delayed');
      return r;
    });
    for (let i = 0; i < 500 && e.faults.hits === before; i++) await new Promise((r) => setTimeout(r, 10));
    const fast = await listCalls();
    order.push('plain');
    expect(fast.status).toBe(200);
    const delayed = await slow;
    expect(delayed.status).toBe(200);
    expect(await delayed.json()).toMatchObject({ calls: [], page: 0 });
    expect(order).toEqual(['plain', 'delayed']);
  });

  it('lose: the request is applied but its answer never arrives', async () => {
    e.faults.add({ path: '/Calls.json', method: 'POST', action: 'lose' });
    const before = e.engine.calls.size;
    const form = new URLSearchParams({ To: '+15550001111', From: '+15550002222', Twiml: '<Response><Pause length="5"/></Response>' });
    const err = (await fetch(callsUrl, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    }).catch((x: unknown) => x)) as Error;
    expect(err).toBeInstanceOf(TypeError);
    // The call was created even though the client never heard so.
    expect(e.engine.calls.size).toBe(before + 1);
    expect((await listCalls()).status).toBe(200);
  });

  it('POST /dev/faults adds rules (path or pathGlob, method, times); GET lists; DELETE removes', async () => {
    const add = await dev('POST', '/dev/faults', { action: 'status', status: '502', path: '/Calls.json', method: 'GET', times: '2' });
    expect(add.status).toBe(201);
    const { id } = (await add.json()) as { id: number };
    const listed = (await (await dev('GET', '/dev/faults')).json()) as { faults: { id: number; path: string; times: number; status: number }[] };
    expect(listed.faults).toEqual([
      expect.objectContaining({ id, path: '/Calls.json', glob: false, times: 2, status: 502, method: 'GET', action: 'status', hits: 0 }),
    ]);
    // POSTs to the same path are not affected (method filter).
    const post = await fetch(callsUrl, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    expect(post.status).toBe(400);
    expect((await listCalls()).status).toBe(502);
    expect((await listCalls()).status).toBe(502);
    expect((await listCalls()).status).toBe(200);

    const rx = await dev('POST', '/dev/faults', { action: 'status', status: '504', pathGlob: '*/Calls.json', times: '0' });
    expect(rx.status).toBe(201);
    const rxId = ((await rx.json()) as { id: number }).id;
    expect((await listCalls()).status).toBe(504);
    expect((await listCalls()).status).toBe(504);
    // Dev routes are never faulted, so a test can always clean up.
    expect((await dev('DELETE', `/dev/faults/${rxId}`)).status).toBe(204);
    expect((await dev('DELETE', `/dev/faults/${rxId}`)).status).toBe(404);
    expect((await listCalls()).status).toBe(200);

    await dev('POST', '/dev/faults', { action: 'hang', path: '/Calls.json', times: '0' });
    expect((await dev('DELETE', '/dev/faults')).status).toBe(204);
    expect((await (await dev('GET', '/dev/faults')).json()) as unknown).toEqual({ faults: [] });
    expect((await listCalls()).status).toBe(200);
  });

  it('POST /dev/faults refuses bad rules with a 400 naming the parameter', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ path: '/x' }, 'action'],
      [{ action: 'explode', path: '/x' }, 'action'],
      [{ action: 'status' }, 'path or pathGlob'],
      [{ action: 'status', path: '/x', status: '404' }, 'status'],
      [{ action: 'status', path: '/x' }, 'status'],
      [{ action: 'delay', path: '/x' }, 'delayMs'],
      // Regular expressions are not taken at all, well-formed or not.
      [{ action: 'hang', pathRegex: '(' }, 'pathRegex'],
      [{ action: 'hang', pathRegex: '^(a+)+$' }, 'pathRegex'],
      [{ action: 'hang', path: '/x', pathGlob: '/x*' }, 'pathGlob'],
      [{ action: 'hang', pathGlob: 'x'.repeat(513) }, 'pathGlob'],
      [{ action: 'hang', path: '/x', times: '-1' }, 'times'],
    ];
    for (const [params, name] of cases) {
      const res = await dev('POST', '/dev/faults', params);
      expect(res.status, JSON.stringify(params)).toBe(400);
      const body = (await res.json()) as { message: string };
      expect(body.message, JSON.stringify(params)).toContain(name);
      // A refused value is never echoed at length.
      expect(body.message.length, JSON.stringify(params)).toBeLessThan(300);
    }
    expect((await (await dev('GET', '/dev/faults')).json()) as unknown).toEqual({ faults: [] });
  });
});
