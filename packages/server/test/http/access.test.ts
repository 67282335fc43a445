/**
 * Access and input checks over real HTTP: bob gets 403 on alice's task, no or bad token 401,
 * malformed SIDs and bodies 400 naming the field, unknown routes 404 JSON, oversized bodies 413.
 * None of these changes anything: the engine's recordings, the task and the audit stay as they were.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import twilio from 'twilio';
import { listen } from '../support/sse.ts';
import { startSystem, waitUntil, type System } from '../support/system.ts';

let s: System;
let alice: string;
let bob: string;
let sam: string;
let taskSid: string;

beforeAll(async () => {
  s = await startSystem({ settings: { call_recording_enabled: true } });
  ({ token: alice, taskSid } = await s.acceptedCall('alice'));
  bob = await s.login('bob');
  sam = await s.login('sam');
});
afterAll(async () => {
  await s.close();
});

/** Everything a refused request must leave alone. */
async function snapshot(): Promise<unknown> {
  const c = twilio(s.engine.accountSid, s.engine.authToken, { region: '', edge: '' });
  c.api.baseUrl = s.engine.url;
  const recs = (await c.recordings.list()).map((r) => [r.sid, r.status]).sort();
  return { recs, task: s.server.tasks.get(taskSid), audit: s.server.audit.count(), tasks: s.server.tasks.list().length };
}

async function unchanged(fn: () => Promise<void>): Promise<void> {
  const before = await snapshot();
  await fn();
  expect(await snapshot()).toEqual(before);
}

const WT_UNKNOWN = 'WT' + '0'.repeat(32);

describe('access', () => {
  it("gives bob 403 on every route of alice's task, and changes nothing", async () => {
    await unchanged(async () => {
      for (const [method, path] of [
        ['GET', `/api/tasks/${taskSid}`],
        ['GET', `/api/tasks/${taskSid}/recording`],
        ['POST', `/api/tasks/${taskSid}/recording/pause`],
        ['POST', `/api/tasks/${taskSid}/recording/resume`],
        ['POST', `/api/tasks/${taskSid}/recording/toggle`],
        ['POST', `/api/tasks/${taskSid}/accept`],
        ['POST', `/api/tasks/${taskSid}/reject`],
        ['POST', `/api/tasks/${taskSid}/hangup`],
        ['POST', `/api/tasks/${taskSid}/complete`],
      ] as const) {
        const r = await s.api(method, path, { token: bob });
        expect([method, path, r.status, r.body.error?.code]).toEqual([method, path, 403, 'FORBIDDEN']);
        expect(r.body.error?.field).toBe('taskSid');
      }
      expect((await s.api('GET', '/api/tasks', { token: bob })).body['tasks']).toEqual([]);
    });
  });

  it('gives 401 without a token or with a bad or forged one', async () => {
    await unchanged(async () => {
      // alice's signature on a payload that claims the supervisor role.
      const forged = Buffer.from(JSON.stringify({ sub: 'alice', roles: ['supervisor'], exp: 4_102_444_800 })).toString('base64url') + '.' + alice.split('.')[1];
      for (const token of [undefined, 'nonsense', forged]) {
        for (const [method, path] of [
          ['GET', '/api/tasks'],
          ['POST', `/api/tasks/${taskSid}/recording/pause`],
          ['GET', '/api/audit'],
          ['GET', '/api/recordings'],
          ['POST', '/api/simulator/calls'],
          ['GET', '/api/events'],
        ] as const) {
          const r = await s.api(method, path, token === undefined ? {} : { token });
          expect([path, r.status, r.body.error?.code, r.body.error?.field]).toEqual([path, 401, 'UNAUTHENTICATED', 'authorization']);
        }
      }
      const wrong = await s.api('POST', '/api/auth/login', { json: { identity: 'alice', password: 'nope' } });
      expect(wrong.status).toBe(401);
    });
  });

  it('lets the supervisor see and control any task, audited with the supervisor role', async () => {
    const r = await s.api('GET', `/api/tasks/${taskSid}/recording`, { token: sam });
    expect(r.status).toBe(200);
    expect((await s.api('GET', '/api/tasks', { token: sam })).body['tasks']).toEqual([expect.objectContaining({ sid: taskSid })]);
    const p = await s.api('POST', `/api/tasks/${taskSid}/recording/pause`, { token: sam });
    expect(p.body).toMatchObject({ status: 'paused', pausedBy: 'sam' });
    const t = await s.api('POST', `/api/tasks/${taskSid}/recording/toggle`, { token: alice });
    expect(t.body).toMatchObject({ status: 'recording' });
    const events = s.server.audit.query({ taskSid }).filter((e) => e.action === 'pause' || e.action === 'resume');
    expect(events.map((e) => [e.action, e.actor, e.role])).toEqual([
      ['pause', 'sam', 'supervisor'],
      ['resume', 'alice', 'agent'],
    ]);
    // Agents see their own audit; bob sees none of alice's.
    expect((await s.api('GET', '/api/audit', { token: bob })).body['events']).toEqual([]);
    expect(((await s.api('GET', '/api/audit', { token: alice })).body['events'] as unknown[]).length).toBeGreaterThanOrEqual(4);
  });
  it("streams alice's events to alice and the supervisor, never to bob", async () => {
    const [a, b, sv] = [listen(s, alice), listen(s, bob), listen(s, sam)];
    await Promise.all([a.ready, b.ready, sv.ready]);
    await s.api('POST', `/api/tasks/${taskSid}/recording/pause`, { token: alice });
    await s.api('POST', `/api/tasks/${taskSid}/recording/resume`, { token: alice });
    // A call offered to bob afterwards: once bob has it, he has everything published before it.
    const bobsTask = await s.call(bob, 'bob');
    await waitUntil('bob offered', () => b.events.some((e) => e.type === 'task.offered'));
    await waitUntil('sam sees bob offered', () => sv.events.some((e) => e.type === 'task.offered'));
    for (const l of [a, b, sv]) l.stop();
    const about = (events: typeof a.events, sid: string) => events.filter((e) => ('taskSid' in e ? e.taskSid : e.task.sid) === sid).map((e) => e.type);
    expect(about(a.events, taskSid)).toEqual(['recording.state', 'recording.state']);
    expect(about(sv.events, taskSid)).toEqual(['recording.state', 'recording.state']);
    expect(about(b.events, taskSid)).toEqual([]);
    expect(about(a.events, bobsTask)).toEqual([]);
    expect(about(b.events, bobsTask)).toEqual(['task.offered']);
    // Leave bob free for the checks below.
    await s.api('POST', `/api/tasks/${bobsTask}/reject`, { token: bob });
  });
});

describe('input', () => {
  it('answers 400 naming the field for malformed SIDs', async () => {
    await unchanged(async () => {
      for (const bad of ['WT123', 'XX' + '0'.repeat(32), 'WT' + 'G'.repeat(32), 'wt' + '0'.repeat(32)]) {
        for (const path of [`/api/tasks/${bad}`, `/api/tasks/${bad}/recording`, `/api/tasks/${bad}/recording/pause`, `/api/tasks/${bad}/accept`]) {
          const r = await s.api(path.endsWith('pause') || path.endsWith('accept') ? 'POST' : 'GET', path, { token: alice });
          expect([path, r.status, r.body.error?.field]).toEqual([path, 400, 'taskSid']);
          expect(r.body.error?.message).toMatch(/^taskSid: /);
        }
      }
      const rec = await s.api('GET', '/api/recordings/RE1', { token: alice });
      expect([rec.status, rec.body.error?.field]).toEqual([400, 'sid']);
      const audit = await s.api('GET', '/api/audit?taskSid=CA1', { token: alice });
      expect([audit.status, audit.body.error?.field]).toEqual([400, 'taskSid']);
      const unknown = await s.api('GET', `/api/tasks/${WT_UNKNOWN}/recording`, { token: alice });
      expect([unknown.status, unknown.body.error?.code]).toEqual([404, 'NOT_FOUND']);
    });
  });

  it('answers 400 naming the field for malformed bodies and queries', async () => {
    await unchanged(async () => {
      const cases: [string, string, { json?: unknown; raw?: string }, string][] = [
        ['POST', `/api/tasks/${taskSid}/recording/pause`, { json: { reason: 5 } }, 'reason'],
        ['POST', `/api/tasks/${taskSid}/recording/pause`, { json: { colour: 'red' } }, 'colour'],
        ['POST', `/api/tasks/${taskSid}/recording/pause`, { json: [1, 2] }, 'body'],
        ['POST', `/api/tasks/${taskSid}/recording/pause`, { raw: '{"reason": ' }, 'body'],
        ['POST', `/api/tasks/${taskSid}/recording/resume`, { json: { reason: '' } }, 'reason'],
        ['POST', '/api/auth/login', { json: { identity: 'alice' } }, 'password'],
        ['POST', '/api/auth/login', { json: { password: 'demo' } }, 'identity'],
        ['POST', '/api/simulator/calls', { json: { from: '555' } }, 'from'],
        ['POST', '/api/simulator/calls', { json: { durationSeconds: 0 } }, 'durationSeconds'],
        ['POST', '/api/simulator/calls', { json: { durationSeconds: 1.5 } }, 'durationSeconds'],
        ['POST', '/api/simulator/calls', { json: { agent: 'sam' } }, 'agent'],
        ['GET', '/api/audit?from=yesterday', {}, 'from'],
        ['GET', '/api/audit?format=xml', {}, 'format'],
        ['GET', '/api/audit?actor=bob', {}, 'actor'],
      ];
      for (const [method, path, body, field] of cases) {
        const r = await s.api(method, path, { token: alice, ...body });
        expect([path, JSON.stringify(body), r.status, r.body.error?.field]).toEqual([path, JSON.stringify(body), 400, field]);
        expect(r.body.error?.message).toContain(field);
      }
      // Several problems at once are all named.
      const many = await s.api('POST', '/api/simulator/calls', { token: alice, json: { from: 1, agent: 'nobody' } });
      expect(many.status).toBe(400);
      expect((many.body.error as unknown as { details: { problems: { field: string }[] } }).details.problems.map((p) => p.field)).toEqual(['from', 'agent']);
    });
  });

  it('answers unknown routes with 404 JSON and oversized bodies with 413', async () => {
    await unchanged(async () => {
      const r = await s.api('GET', '/api/nothing-here', { token: alice });
      expect(r.status).toBe(404);
      expect(r.body.error?.code).toBe('NOT_FOUND');
      expect(r.headers.get('content-type')).toContain('application/json');
      const big = await s.api('POST', `/api/tasks/${taskSid}/recording/pause`, { token: alice, json: { reason: 'x'.repeat(70_000) } });
      expect(big.status).toBe(413);
      expect(big.body.error?.code).toBe('PAYLOAD_TOO_LARGE');
    });
  });

  it('refuses webhooks without a valid Twilio signature', async () => {
    await unchanged(async () => {
      const r = await s.api('POST', '/webhooks/voice', { raw: 'CallSid=CA1&From=%2B1555&To=%2B1555', contentType: 'application/x-www-form-urlencoded' });
      expect([r.status, r.body.error?.field]).toEqual([403, 'x-twilio-signature']);
    });
  });
});
