/**
 * The local contact center over real HTTP and the real engine: offers, reject, accept with the
 * recordings config asks for, the caller hanging up, wrap-up and complete.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import twilio from 'twilio';
import type { LiveEvent } from '@pause-recording/core';
import { TaskRouterClient } from '../../src/taskrouter/taskrouter-client.ts';
import { startSystem, waitUntil, type System } from '../support/system.ts';

let sys: System | null = null;
afterEach(async () => {
  await sys?.close();
  sys = null;
});

interface Rec {
  sid: string;
  channels: number;
  callSid: string | null;
  conferenceSid: string | null;
}

describe('contact center', () => {
  it('offers a call, moves it to the next agent on reject, and tells each agent', async () => {
    sys = await startSystem();
    const s = sys;
    const events: [LiveEvent, string | null][] = [];
    s.server.bus.tap((e, a) => events.push([e, a.worker]));
    const alice = await s.login('alice');
    const bob = await s.login('bob');
    const taskSid = await s.call(alice, 'alice');
    expect(events.find(([e]) => e.type === 'task.offered')?.[1]).toBe('alice');
    expect((await s.api('POST', `/api/tasks/${taskSid}/accept`, { token: bob })).status).toBe(403);
    const r = await s.api('POST', `/api/tasks/${taskSid}/reject`, { token: alice });
    expect(r.body['task']).toMatchObject({ status: 'reserved', worker: 'bob', acceptedAt: null });
    expect(events.filter(([e]) => e.type === 'task.offered').map(([, w]) => w)).toEqual(['alice', 'bob']);
    expect((await s.api('GET', '/api/tasks', { token: alice })).body['tasks']).toEqual([]);
    const accepted = await s.api('POST', `/api/tasks/${taskSid}/accept`, { token: bob });
    expect(accepted.body['task']).toMatchObject({ status: 'assigned', worker: 'bob' });
    // The call timer's start: after the task was made, no later than the answer.
    const { acceptedAt, createdAt } = accepted.body['task'] as { acceptedAt: string; createdAt: string };
    expect(Date.parse(acceptedAt)).toBeGreaterThan(Date.parse(createdAt));
    expect(Date.parse(acceptedAt)).toBeLessThanOrEqual(Date.now());
    // Completing before hanging up is refused and changes nothing.
    const early = await s.api('POST', `/api/tasks/${taskSid}/complete`, { token: bob });
    expect([early.status, early.body.error?.code]).toEqual([409, 'CONFLICT']);
    expect(s.server.tasks.get(taskSid)?.status).toBe('assigned');
  });

  it('keeps a call waiting while every agent is busy and offers it to the first who completes', async () => {
    sys = await startSystem();
    const s = sys;
    const a = await s.acceptedCall('alice');
    const b = await s.acceptedCall('bob');
    const r = await s.api('POST', '/api/simulator/calls', { token: a.token, json: {} });
    const waiting = r.body['taskSid'] as string;
    expect(s.server.tasks.get(waiting)).toMatchObject({ status: 'pending', worker: null });
    await s.api('POST', `/api/tasks/${b.taskSid}/hangup`, { token: b.token });
    expect(s.server.tasks.get(waiting)?.status).toBe('pending'); // bob is wrapping up: still busy
    await s.api('POST', `/api/tasks/${b.taskSid}/complete`, { token: b.token });
    expect(s.server.tasks.get(waiting)).toMatchObject({ status: 'reserved', worker: 'bob' });
    const sam = await s.login('sam');
    expect(((await s.api('GET', '/api/tasks', { token: sam })).body['tasks'] as unknown[]).length).toBe(3);
  });

  it('never publishes a state read before an offer made meanwhile (a slow TaskRouter answer to the voice webhook)', async () => {
    sys = await startSystem();
    const s = sys;
    const events: LiveEvent[] = [];
    s.server.bus.tap((e) => events.push(e));
    const a = await s.acceptedCall('alice');
    const b = await s.acceptedCall('bob');
    // The answer to the new call's first read of its pending reservations (none: every agent is busy)
    // is held, as a slow network would, until bob has completed and been offered the call.
    let held = false;
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const read = TaskRouterClient.prototype.taskReservations;
    const slow = vi.spyOn(TaskRouterClient.prototype, 'taskReservations').mockImplementation(async function (this: TaskRouterClient, ...args) {
      const answer = await read.apply(this, args);
      if (!held && args[1]?.[0] === 'pending' && args[2] === undefined) {
        held = true;
        await released;
      }
      return answer;
    });
    try {
      const placing = s.api('POST', '/api/simulator/calls', { token: a.token, json: {} });
      await waitUntil('the webhook read is held', () => held);
      const waiting = s.server.tasks.list({ statuses: ['pending'] })[0]!.sid;
      await s.api('POST', `/api/tasks/${b.taskSid}/hangup`, { token: b.token });
      await s.api('POST', `/api/tasks/${b.taskSid}/complete`, { token: b.token });
      expect(s.server.tasks.get(waiting)).toMatchObject({ status: 'reserved', worker: 'bob' });
      release();
      expect((await placing).body['taskSid']).toBe(waiting);
      const ofIt = events.flatMap((e) => ('task' in e && e.task.sid === waiting ? [`${e.type}:${e.task.status}`] : []));
      expect(ofIt.at(-1)).toBe('task.offered:reserved');
      expect(s.server.tasks.get(waiting)).toMatchObject({ status: 'reserved', worker: 'bob' });
    } finally {
      release();
      slow.mockRestore();
    }
  });

  it('puts the customer on hold and back through the Participants API, audited', async () => {
    sys = await startSystem();
    const s = sys;
    const { token, taskSid } = await s.acceptedCall('alice');
    const bob = await s.login('bob');
    const t = s.server.tasks.get(taskSid)!;
    const client = twilio(s.engine.accountSid, s.engine.authToken, { region: '', edge: '' });
    client.api.baseUrl = s.engine.url;
    const customerHold = async () => (await client.conferences(t.conferenceSid!).participants(t.attributes.call_sid).fetch()).hold;

    for (const [body, field] of [
      [{}, 'hold'],
      [{ hold: 'yes' }, 'hold'],
      [{ hold: true, x: 1 }, 'x'],
    ] as const) {
      const bad = await s.api('POST', `/api/tasks/${taskSid}/hold`, { token, json: body });
      expect([bad.status, bad.body.error?.field]).toEqual([400, field]);
    }
    expect((await s.api('POST', `/api/tasks/${taskSid}/hold`, { token: bob, json: { hold: true } })).status).toBe(403);
    expect(await customerHold()).toBe(false);

    const on = await s.api('POST', `/api/tasks/${taskSid}/hold`, { token, json: { hold: true } });
    expect(on.body['task']).toMatchObject({ attributes: { customer_on_hold: true } });
    expect(await customerHold()).toBe(true);
    // Hold does not touch the recordings: pause still works while the customer waits.
    expect((await s.api('POST', `/api/tasks/${taskSid}/recording/pause`, { token })).body['status']).toBe('paused');
    await s.api('POST', `/api/tasks/${taskSid}/hold`, { token, json: { hold: false } });
    expect(await customerHold()).toBe(false);
    expect(
      s.server.audit
        .query({ taskSid })
        .filter((e) => e.action === 'task-hold')
        .map((e) => e.details['hold']),
    ).toEqual([true, false]);
  });

  it('cancels the task when the caller hangs up before anyone accepts', async () => {
    // The engine's clock runs 4x: the caller's second passes in a quarter of one.
    sys = await startSystem({ speed: 4 });
    const s = sys;
    const alice = await s.login('alice');
    const r = await s.api('POST', '/api/simulator/calls', { token: alice, json: { agent: 'alice', durationSeconds: 1 } });
    expect(r.status).toBe(201);
    const taskSid = r.body['taskSid'] as string;
    await waitUntil('canceled', () => s.server.tasks.get(taskSid)?.status === 'canceled');
    const accept = await s.api('POST', `/api/tasks/${taskSid}/accept`, { token: alice });
    expect([accept.status, accept.body.error?.code]).toEqual([409, 'CONFLICT']);
  });

  it('goes to wrap-up when the caller hangs up during the call, ending an open pause', async () => {
    sys = await startSystem();
    const s = sys;
    const { token: alice, taskSid } = await s.acceptedCall('alice');
    expect((await s.api('POST', `/api/tasks/${taskSid}/recording/pause`, { token: alice })).body['status']).toBe('paused');
    // The customer hangs up (through Twilio's API, as their phone company would end the call).
    const client = twilio(s.engine.accountSid, s.engine.authToken, { region: '', edge: '' });
    client.api.baseUrl = s.engine.url;
    await client.calls(s.server.tasks.get(taskSid)!.attributes.call_sid).update({ status: 'completed' });
    await waitUntil('wrapping', () => s.server.tasks.get(taskSid)?.status === 'wrapping');
    const state = await s.api('GET', `/api/tasks/${taskSid}/recording`, { token: alice });
    expect(state.body).toMatchObject({ status: 'not-recording', pausedAt: null });
    const p = await s.api('POST', `/api/tasks/${taskSid}/recording/pause`, { token: alice });
    expect([p.status, p.body.error?.code]).toEqual([409, 'CONFLICT']);
    expect((await s.api('POST', `/api/tasks/${taskSid}/complete`, { token: alice })).body['task']).toMatchObject({ status: 'completed' });
  });

  it("ends the conference when the agent's leg drops, so the caller is not left alone", async () => {
    sys = await startSystem();
    const s = sys;
    const { taskSid } = await s.acceptedCall('alice');
    const t = s.server.tasks.get(taskSid)!;
    const client = twilio(s.engine.accountSid, s.engine.authToken, { region: '', edge: '' });
    client.api.baseUrl = s.engine.url;
    await client.calls(t.workerCallSid!).update({ status: 'completed' });
    await waitUntil('wrapping', () => s.server.tasks.get(taskSid)?.status === 'wrapping');
    await waitUntil('conference over', async () => (await client.conferences(t.conferenceSid!).fetch()).status === 'completed');
    await waitUntil('caller hung up', async () => (await client.calls(t.attributes.call_sid).fetch()).status === 'completed');
  });

  it('records the customer leg when channel is customer, and only the conference when the queue is excluded', async () => {
    sys = await startSystem({ settings: { features: { dual_channel_recording: { channel: 'customer' } } } });
    let { token, taskSid } = await sys.acceptedCall('alice');
    let recs = (await sys.api('GET', `/api/tasks/${taskSid}/recording`, { token })).body['recordings'] as Rec[];
    expect(recs).toEqual([expect.objectContaining({ channels: 2, callSid: sys.server.tasks.get(taskSid)?.attributes.call_sid })]);
    await sys.close();

    sys = await startSystem({ settings: { call_recording_enabled: true, features: { dual_channel_recording: { exclude_queues: ['Everyone'] } } } });
    ({ token, taskSid } = await sys.acceptedCall('alice'));
    recs = (await sys.api('GET', `/api/tasks/${taskSid}/recording`, { token })).body['recordings'] as Rec[];
    expect(recs).toEqual([expect.objectContaining({ channels: 1, conferenceSid: sys.server.tasks.get(taskSid)?.conferenceSid })]);
  });

  it('is not-recording when config records nothing, and a pause is refused', async () => {
    sys = await startSystem({ settings: { features: { dual_channel_recording: { enabled: false } } } });
    const { token, taskSid } = await sys.acceptedCall('alice');
    expect((await sys.api('GET', `/api/tasks/${taskSid}/recording`, { token })).body).toMatchObject({ status: 'not-recording', recordings: [] });
    const p = await sys.api('POST', `/api/tasks/${taskSid}/recording/pause`, { token });
    expect([p.status, p.body.error?.code]).toEqual([409, 'CONFLICT']);
    expect(sys.server.audit.query({ taskSid }).filter((e) => e.action === 'pause')).toEqual([]);
  });
});
