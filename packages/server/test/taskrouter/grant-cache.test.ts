/**
 * Issue 13: the TaskRouter grant cache (src/taskrouter/grant-cache.ts). A positive authorization is
 * reused (no TaskRouter read) while fresh; TaskRouter's event callbacks drop it at once when its
 * task is completed, transferred or its reservation completed behind the server's back (as Flex
 * does), so the next pause is refused though the TTL has not run out; with events not arriving the
 * TTL alone bounds it; forged events change nothing. Real engine, real TaskRouter flows, TaskRouter
 * requests counted by a real proxy between the server's SDK and the engine.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PREFERRED_WORKER, WORKSPACE_NAME } from '../../src/taskrouter/provision.ts';
import { TaskRouterClient } from '../../src/taskrouter/taskrouter-client.ts';
import { TASKROUTER_EVENTS_PATH } from '../../src/webhooks/taskrouter-events.ts';
import { startProxiedSystem, type ProxiedSystem } from '../support/counting-proxy.ts';
import { sdk, waitUntil, type System } from '../support/system.ts';

let rigs: ProxiedSystem[] = [];
afterEach(async () => {
  for (const r of rigs.reverse()) await r.close();
  rigs = [];
});

interface Rig extends ProxiedSystem {
  /** TaskRouter as Flex (or an admin) changes it: straight to the engine, not through the server. */
  tr: TaskRouterClient;
}

async function rig(env: Record<string, string> = {}): Promise<Rig> {
  const p = await startProxiedSystem({ settings: { call_recording_enabled: true }, env: { TASKROUTER_GRANT_CACHE_MS: '10000', ...env }, quietMs: 20 });
  rigs.push(p);
  const tr = new TaskRouterClient({
    accountSid: p.engine.accountSid,
    authToken: p.engine.authToken,
    apiBaseUrl: p.engine.url,
    requestTimeoutMs: 2000,
    workspaceSid: null,
  });
  tr.workspaceSid = (await tr.client.taskrouter.v1.workspaces.list({ friendlyName: WORKSPACE_NAME, limit: 1 }))[0]!.sid;
  return { ...p, tr };
}

/** Every event the engine queued so far has reached the server (or given up). */
const settled = (r: Rig): Promise<void> => r.engine.engine.callbacks.drain();

/** One task API call and the TaskRouter requests (`/v1/Workspaces/...`) it made. */
async function act(r: Rig, token: string, taskSid: string, what: 'pause' | 'resume') {
  const from = r.proxy.requests.length;
  const res = await r.s.api('POST', `/api/tasks/${taskSid}/recording/${what}`, { token, json: {} });
  return { status: res.status, body: res.body, taskRouterReads: r.proxy.requests.slice(from).filter((q) => q.path.startsWith('/v1/Workspaces')).length };
}

const droppedByEvents = async (s: System): Promise<number> => (await s.server.metrics.counts('grant-invalidations'))['event'] ?? 0;

/** alice's call, accepted, its recording running, her grant cached: a pause read TaskRouter once, the resume not at all. */
async function cachedCall(r: Rig): Promise<{ token: string; taskSid: string; routerTaskSid: string; callSid: string }> {
  const { token, taskSid } = await r.s.acceptedCall('alice');
  const task = r.s.server.tasks.get(taskSid)!;
  await settled(r);
  const p = await act(r, token, taskSid, 'pause');
  expect([p.status, p.body['status']]).toEqual([200, 'paused']);
  const q = await act(r, token, taskSid, 'resume');
  expect([q.status, q.body['status'], q.taskRouterReads]).toEqual([200, 'recording', 0]);
  return { token, taskSid, routerTaskSid: task.routerTaskSid, callSid: task.attributes.call_sid };
}

/** The statuses of the call's and its conference's recordings, at "Twilio". */
async function recordingStatuses(r: Rig, callSid: string): Promise<string[]> {
  const task = r.s.server.tasks.byCallSid(callSid)!;
  const api = sdk(r.s);
  const all = [
    ...(await api.calls(callSid).recordings.list()),
    ...(task.conferenceSid === null ? [] : await api.conferences(task.conferenceSid).recordings.list()),
  ];
  return all.map((x) => x.status);
}

/** After a change made straight at TaskRouter: waits for its event to drop the grant, then alice's next pause is refused, and nothing changed. */
async function refusedOnTheEvent(r: Rig, call: Awaited<ReturnType<typeof cachedCall>>, before: number, message: RegExp): Promise<void> {
  await waitUntil('the event to drop the grant', async () => (await droppedByEvents(r.s)) > before);
  const p = await act(r, call.token, call.taskSid, 'pause');
  expect([p.status, p.body.error?.code, p.body.error?.message]).toEqual([403, 'FORBIDDEN', expect.stringMatching(message)]);
  expect(p.taskRouterReads).toBeGreaterThan(0);
  expect(await recordingStatuses(r, call.callSid)).toEqual(['in-progress']); // the conference's recording, untouched
}

describe('TaskRouter grant cache', () => {
  it("reuses alice's and a supervisor's grants without reading TaskRouter; never reuses bob's refusal", async () => {
    const r = await rig();
    expect(r.s.server.grants.enabled).toBe(true);
    const { token, taskSid } = await r.s.acceptedCall('alice');
    await settled(r);
    const first = await act(r, token, taskSid, 'pause');
    expect([first.status, first.body['status']]).toEqual([200, 'paused']);
    expect(first.taskRouterReads).toBeGreaterThan(0);
    // Within the TTL and with no event naming her task: zero TaskRouter reads.
    for (const what of ['resume', 'pause', 'resume'] as const) {
      const again = await act(r, token, taskSid, what);
      expect([again.status, again.taskRouterReads]).toEqual([200, 0]);
    }

    const sam = await r.s.login('sam');
    const sp = await act(r, sam, taskSid, 'pause');
    expect([sp.status, sp.taskRouterReads]).toEqual([200, 1]); // the task's status
    const sr = await act(r, sam, taskSid, 'resume');
    expect([sr.status, sr.taskRouterReads]).toEqual([200, 0]);

    // Bob: refused with the same message as without a cache, and read anew every time.
    const bob = await r.s.login('bob');
    for (let i = 0; i < 2; i++) {
      const b = await act(r, bob, taskSid, 'pause');
      expect([b.status, b.body.error?.message]).toEqual([
        403,
        expect.stringMatching(/^task WT[0-9a-f]{32}: callSid: bob holds no accepted or wrapping reservation/),
      ]);
      expect(b.taskRouterReads).toBeGreaterThan(0);
    }
    const lookups = await r.s.server.metrics.counts('grant-lookups');
    expect(lookups['hit']).toBeGreaterThanOrEqual(4);
    expect(lookups['miss']).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it("drops alice's grant on TaskRouter's event: her task completed, transferred, or her reservation wrapping then completed", async () => {
    const r = await rig();

    // 1. Flex completes her task.
    const one = await cachedCall(r);
    let before = await droppedByEvents(r.s);
    await r.tr.updateTask(one.routerTaskSid, { status: 'completed', reason: 'done in Flex' });
    await refusedOnTheEvent(r, one, before, /^task WT[0-9a-f]{32}: callSid: no live TaskRouter task names call CA[0-9a-f]{32}/);

    // 2. Flex transfers her call to bob: a new task for bob names it, hers is completed.
    const two = await cachedCall(r);
    const attributes = (await r.tr.fetchTask(two.routerTaskSid)).attributes;
    const moved = await r.tr.createTask((await r.tr.ws().workflows.list({ limit: 20 })).find((w) => w.friendlyName.startsWith('Inbound calls'))!.sid, {
      ...attributes,
      [PREFERRED_WORKER]: 'bob',
      transfer_of: two.routerTaskSid,
    });
    const offered = await waitUntil('bob reserved', async () => (await r.tr.taskReservations(moved.sid, ['pending']))[0]);
    await r.tr.acceptReservation(moved.sid, offered.sid, null);
    before = await droppedByEvents(r.s);
    await r.tr.updateTask(two.routerTaskSid, { status: 'completed', reason: 'transferred to bob' });
    await refusedOnTheEvent(r, two, before, /^task WT[0-9a-f]{32}: callSid: alice holds no accepted or wrapping reservation/);

    // 3. Her reservation goes to wrapping (still hers to pause), then completed.
    const three = await cachedCall(r);
    const mine = (await r.tr.taskReservations(three.routerTaskSid, ['accepted']))[0]!;
    before = await droppedByEvents(r.s);
    await r.tr.ws().tasks(three.routerTaskSid).reservations(mine.sid).update({ reservationStatus: 'wrapping' });
    await waitUntil('the wrap-up event', async () => (await droppedByEvents(r.s)) > before);
    await settled(r);
    const wrapping = await act(r, three.token, three.taskSid, 'pause');
    expect([wrapping.status, wrapping.taskRouterReads]).toEqual([200, 1]); // read anew: a wrapping reservation still authorizes
    const cached = await act(r, three.token, three.taskSid, 'resume');
    expect([cached.status, cached.taskRouterReads]).toEqual([200, 0]);
    before = await droppedByEvents(r.s);
    await r.tr.ws().tasks(three.routerTaskSid).reservations(mine.sid).update({ reservationStatus: 'completed' });
    await refusedOnTheEvent(r, three, before, /^task WT[0-9a-f]{32}: callSid: no live TaskRouter task names call/);
  }, 90_000);

  it("with the workspace's events going elsewhere, a grant lives no longer than the TTL", async () => {
    const ttlMs = 400;
    const r = await rig({ TASKROUTER_GRANT_CACHE_MS: String(ttlMs) });
    const { token, taskSid } = await r.s.acceptedCall('alice');
    await settled(r);
    // An admin points the workspace's events at another address: the server hears of nothing now.
    await r.tr.setWorkspaceEventCallbackUrl('http://127.0.0.1:9/elsewhere');
    await settled(r);
    const eventsBefore = await r.s.server.metrics.counts('taskrouter-events');
    const p = await act(r, token, taskSid, 'pause');
    expect(p.status).toBe(200);
    const routerTaskSid = r.s.server.tasks.get(taskSid)!.routerTaskSid;
    await r.tr.updateTask(routerTaskSid, { status: 'completed', reason: 'done in Flex' });
    const completedAt = Date.now();
    // Once the TTL has passed since the change (so since the grant was stored), the grant is gone.
    await waitUntil('the TTL to pass', () => Date.now() > completedAt + ttlMs);
    const q = await act(r, token, taskSid, 'resume');
    // Read anew: her reservations on the task (none held now), then the live tasks naming the call (none).
    expect([q.status, q.body.error?.code, q.taskRouterReads]).toEqual([403, 'FORBIDDEN', 2]);
    expect(await r.s.server.metrics.counts('taskrouter-events')).toEqual(eventsBefore);
  }, 60_000);

  it('refuses forged and unsigned event callbacks (403) and malformed fields (400 naming them), dropping nothing', async () => {
    // 30 requests a minute per identity on /api, and 30 bad signatures a minute per address here.
    const r = await rig({ RATE_LIMIT_PER_MINUTE: '30' });
    const call = await cachedCall(r);
    const worker = (await r.tr.workerOf('alice'))!.sid;
    const event = { EventType: 'task.completed', TaskSid: call.routerTaskSid, WorkerSid: worker };
    const post = (headers: Record<string, string>, body: Record<string, string>) =>
      fetch(r.s.url + TASKROUTER_EVENTS_PATH, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams(body).toString(),
      });
    const before = await r.s.server.metrics.counts('grant-invalidations');
    const unsigned = await post({}, event);
    const forged = await post({ 'x-twilio-signature': 'bm90IGEgc2lnbmF0dXJl' }, event);
    expect([unsigned.status, forged.status]).toEqual([403, 403]);
    expect(((await forged.json()) as { error: { field: string } }).error.field).toBe('x-twilio-signature');

    // Signed, but a field is not what TaskRouter sends: 400 naming it, nothing dropped.
    for (const [body, field] of [
      [{ TaskSid: call.routerTaskSid }, 'EventType'],
      [{ ...event, EventType: 'task completed; drop everything' }, 'EventType'],
      [{ ...event, WorkerSid: 'WK123' }, 'WorkerSid'],
      [{ ...event, ReservationSid: 'WT' + 'a'.repeat(32) }, 'ReservationSid'],
    ] as const) {
      const bad = await r.s.webhook(TASKROUTER_EVENTS_PATH, body);
      expect([bad.status, (JSON.parse(bad.text) as { error: { field: string } }).error.field]).toEqual([400, field]);
    }
    expect(await r.s.server.metrics.counts('grant-invalidations')).toEqual(before);
    // Her grant is still cached: the next pause reads nothing.
    const p = await act(r, call.token, call.taskSid, 'pause');
    expect([p.status, p.taskRouterReads]).toEqual([200, 0]);

    // Bad signatures are rate limited per address (30 a minute here, 2 spent above); signed events never are.
    const statuses: number[] = [];
    for (let i = 0; i < 29; i++) statuses.push((await post({ 'x-twilio-signature': 'AAAA' }, event)).status);
    expect(statuses).toEqual([...Array(28).fill(403), 429]);
    const genuine = await r.s.webhook(TASKROUTER_EVENTS_PATH, { EventType: 'worker.activity.update', WorkerSid: worker });
    expect(genuine.status).toBe(204);
    expect((await r.s.server.metrics.counts('grant-invalidations'))['event']).toBe((before['event'] ?? 0) + 1);
    const q = await act(r, call.token, call.taskSid, 'resume');
    expect([q.status, q.taskRouterReads]).toEqual([200, 1]);
  }, 60_000);
});
