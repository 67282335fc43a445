/**
 * The grant cache in production mode with the operator's opt-in, against the engine as "Twilio":
 * the workspace's EventCallbackUrl is this server's event route (PUBLIC_URL), so TaskRouter's
 * events reach it. A Flex-shaped call (task made as Studio's Send to Flex would, reservation
 * accepted with the conference instruction): alice's Flex token pauses, and her resume reads no
 * TaskRouter; bob's token is refused with the same message as without a cache; once Flex
 * completes her task, its event drops her grant and her next pause is 403.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEngine } from '@pause-recording/voice-engine';
import { afterEach, describe, expect, it } from 'vitest';
import { TwilioProvider } from '../../src/provider/twilio-provider.ts';
import { provisionTaskRouter, PREFERRED_WORKER } from '../../src/taskrouter/provision.ts';
import { TaskRouterClient } from '../../src/taskrouter/taskrouter-client.ts';
import { TASKROUTER_EVENTS_PATH } from '../../src/webhooks/taskrouter-events.ts';
import { startCountingProxy } from '../support/counting-proxy.ts';
import { startSystem, waitUntil } from '../support/system.ts';

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

/** A loopback port nobody listens on now (PUBLIC_URL must be known before the server starts). */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('TaskRouter grant cache in production mode', () => {
  it("is on only when the operator opts in and the workspace's EventCallbackUrl is this server's event route", async () => {
    const engine = await startEngine({
      dataDir: mkdtempSync(join(tmpdir(), 'grant-cache-prod-')),
      audio: 'stamped',
      devRoutes: true,
      authToken: randomBytes(18).toString('base64url'),
    });
    cleanup.push(() => engine.close());
    const tr = new TaskRouterClient({
      accountSid: engine.accountSid,
      authToken: engine.authToken,
      apiBaseUrl: engine.url,
      requestTimeoutMs: 2000,
      workspaceSid: null,
    });
    const { workspaceSid } = await provisionTaskRouter(tr, ['alice']);
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    const enabledWith = async (env: Record<string, string>): Promise<boolean> => {
      const s = await startSystem({
        engine,
        env: { SERVER_MODE: 'production', TWILIO_WORKSPACE_SID: workspaceSid, PORT: String(port), PUBLIC_URL: publicUrl, ...env },
      });
      const on = s.server.grants.enabled;
      await s.close();
      return on;
    };
    await tr.setWorkspaceEventCallbackUrl('http://127.0.0.1:9/taskrouter-events');
    expect(await enabledWith({ TASKROUTER_GRANT_CACHE_MS: '2000' })).toBe(false); // events go elsewhere
    await tr.setWorkspaceEventCallbackUrl(publicUrl + TASKROUTER_EVENTS_PATH);
    expect(await enabledWith({})).toBe(false); // not opted in
    expect(await enabledWith({ TASKROUTER_GRANT_CACHE_MS: '2000' })).toBe(true);
  }, 60_000);

  it("reuses alice's grant, refuses bob as before, and drops her grant on the task.completed event", async () => {
    const engine = await startEngine({
      dataDir: mkdtempSync(join(tmpdir(), 'grant-prod-')),
      audio: 'stamped',
      devRoutes: true,
      authToken: randomBytes(18).toString('base64url'),
    });
    const proxy = await startCountingProxy(engine.url, 20);
    cleanup.push(
      () => engine.close(),
      () => proxy.close(),
    );
    const tr = new TaskRouterClient({
      accountSid: engine.accountSid,
      authToken: engine.authToken,
      apiBaseUrl: engine.url,
      requestTimeoutMs: 2000,
      workspaceSid: null,
    });
    const routing = await provisionTaskRouter(tr, ['alice', 'bob']);
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    // The Flex admin points the workspace's events at the server (TaskRouter console: Event callback URL).
    await tr.setWorkspaceEventCallbackUrl(publicUrl + TASKROUTER_EVENTS_PATH);
    const s = await startSystem({
      engine,
      env: {
        SERVER_MODE: 'production',
        PORT: String(port),
        PUBLIC_URL: publicUrl,
        TWILIO_API_URL: proxy.url,
        TWILIO_WORKSPACE_SID: routing.workspaceSid,
        TASKROUTER_GRANT_CACHE_MS: '10000',
      },
    });
    cleanup.push(() => s.close());
    expect(s.server.grants.enabled).toBe(true);

    const twilioApi = new TwilioProvider({
      accountSid: engine.accountSid,
      authToken: engine.authToken,
      apiBaseUrl: engine.url,
      requestTimeoutMs: 2000,
      retry: { budgetMs: 0, baseDelayMs: 1, maxDelayMs: 1 },
    });
    const flexToken = async (identity: string, workerSid: string): Promise<string> => {
      const res = await fetch(`${engine.url}/dev/flex-tokens`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: 'Basic ' + Buffer.from(`${engine.accountSid}:${engine.authToken}`).toString('base64'),
        },
        body: JSON.stringify({ identity, roles: ['agent'], workerSid }),
      });
      return ((await res.json()) as { token: string }).token;
    };
    const alice = await flexToken('alice', (await tr.workerOf('alice'))!.sid);
    const bob = await flexToken('bob', (await tr.workerOf('bob'))!.sid);

    // What Flex does for one inbound call.
    const call = await twilioApi.client.calls.create({ from: '+15550001111', to: '+15550002222', twiml: '<Response><Pause length="600"/></Response>' });
    await twilioApi.waitForCallInProgress(call.sid, 5000);
    const attributes = { call_sid: call.sid, from: '+15550001111', to: '+15550002222', direction: 'inbound', [PREFERRED_WORKER]: 'alice' };
    const task = await tr.createTask(routing.workflowSid, attributes);
    const reservation = await waitUntil('reservation', async () => (await tr.taskReservations(task.sid, ['pending']))[0]);
    await tr
      .ws()
      .tasks(task.sid)
      .reservations(reservation.sid)
      .update({ reservationStatus: 'accepted', instruction: 'conference', from: '+15550002222', to: 'client:alice' });
    const conference = await waitUntil(
      'conference',
      async () => (await twilioApi.client.conferences.list({ friendlyName: task.sid, status: 'in-progress' }))[0],
    );
    const worker = await twilioApi.participantCallSid(conference.sid, 'worker');
    await tr.updateTask(task.sid, { attributes: { ...attributes, conference: { sid: conference.sid, participants: { customer: call.sid, worker } } } });
    const rec = await twilioApi.createCallRecording(call.sid, { channels: 'dual' }, { waitMs: 5000, notInProgressRetryMs: 20 });
    await engine.engine.callbacks.drain();

    const seed = async (path: string, form: Record<string, string>) => {
      const from = proxy.requests.length;
      const r = await s.api('POST', `/features/pause-recording/flex/${path}`, { form });
      return { r, taskRouterReads: proxy.requests.slice(from).filter((q) => q.path.startsWith('/v1/Workspaces')).length };
    };
    const status = async () => (await twilioApi.client.recordings(rec.sid).fetch()).status;

    const p = await seed('pause-call-recording', { Token: alice, callSid: call.sid });
    expect([p.r.status, await status()]).toEqual([200, 'paused']);
    expect(p.taskRouterReads).toBeGreaterThan(0);
    const r = await seed('resume-call-recording', { Token: alice, callSid: call.sid, recordingSid: rec.sid });
    expect([r.r.status, r.taskRouterReads, await status()]).toEqual([200, 0, 'in-progress']);

    // Bob: the same refusal as without a cache, read anew each time.
    for (let i = 0; i < 2; i++) {
      const b = await seed('pause-call-recording', { Token: bob, callSid: call.sid });
      expect([b.r.status, b.r.body['message']]).toEqual([
        403,
        expect.stringMatching(/^callSid: bob holds no accepted or wrapping reservation on the task of call CA/),
      ]);
      expect(b.taskRouterReads).toBeGreaterThan(0);
    }

    // Flex completes her task; the server learns it from TaskRouter's event, not from the TTL (10 s).
    const dropped = async () => (await s.server.metrics.counts('grant-invalidations'))['event'] ?? 0;
    const before = await dropped();
    await tr.updateTask(task.sid, { status: 'completed', reason: 'done in Flex' });
    await waitUntil('the event to drop her grant', async () => (await dropped()) > before);
    const after = await seed('pause-call-recording', { Token: alice, callSid: call.sid });
    expect([after.r.status, after.r.body['message']]).toEqual([
      403,
      expect.stringMatching(/^callSid: no live TaskRouter task names call CA[0-9a-f]{32} \(.*completed/),
    ]);
    expect(await status()).toBe('in-progress');
  }, 60_000);
});
