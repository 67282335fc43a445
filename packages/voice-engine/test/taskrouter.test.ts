import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import twilio from 'twilio';
import type { RunningEngine } from '../src/index.ts';
import { api, testEngine, waitFor } from './helpers.ts';

/**
 * TaskRouter through the official `twilio` SDK over real HTTP: a Flex-shaped flow (a customer's
 * call waits in a conference, a task names it, alice's reservation is accepted with the
 * `conference` instruction and her client leg joins), rejection re-offering to the next
 * worker, and the workspace's event callbacks.
 */

type Event = Record<string, string>;

function sdk(e: RunningEngine): twilio.Twilio {
  const client = twilio(e.accountSid, e.authToken, { region: '', edge: '' });
  client.api.baseUrl = e.url;
  client.taskrouter.baseUrl = e.url;
  return client;
}

describe('TaskRouter (twilio SDK)', () => {
  let e: RunningEngine;
  let client: twilio.Twilio;
  let receiver: Server;
  let callbackUrl = '';
  const events: Event[] = [];

  beforeAll(async () => {
    e = await testEngine({ speed: 10 });
    client = sdk(e);
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        events.push(Object.fromEntries(new URLSearchParams(body)));
        res.end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    const addr = receiver.address();
    callbackUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/taskrouter-events`;
  });
  afterAll(async () => {
    await e?.close();
    receiver?.closeAllConnections();
    await new Promise((r) => receiver?.close(r));
  });

  /** A workspace with alice and bob available (alice idle longest), one queue, a FIFO workflow. */
  async function contactCenter(name: string, withCallback: boolean) {
    const workspace = await client.taskrouter.v1.workspaces.create({ friendlyName: name, ...(withCallback ? { eventCallbackUrl: callbackUrl } : {}) });
    const w = client.taskrouter.v1.workspaces(workspace.sid);
    const activities = await w.activities.list();
    const byName = Object.fromEntries(activities.map((a) => [a.friendlyName, a]));
    const alice = await w.workers.create({
      friendlyName: 'alice',
      attributes: JSON.stringify({ contact_uri: 'client:alice', skills: ['support'] }),
      activitySid: byName['Available']!.sid,
    });
    const bob = await w.workers.create({
      friendlyName: 'bob',
      attributes: JSON.stringify({ contact_uri: 'client:bob', skills: ['support'] }),
      activitySid: byName['Available']!.sid,
    });
    const carol = await w.workers.create({
      friendlyName: 'carol',
      attributes: JSON.stringify({ contact_uri: 'client:carol', skills: ['sales'] }),
      activitySid: byName['Available']!.sid,
    });
    const queue = await w.taskQueues.create({ friendlyName: 'support', targetWorkers: "skills HAS 'support'" });
    const workflow = await w.workflows.create({
      friendlyName: 'fifo',
      configuration: JSON.stringify({ task_routing: { default_filter: { queue: queue.sid } } }),
    });
    return { workspace, w, byName, alice, bob, carol, queue, workflow };
  }

  it('creates a workspace with the default activities and reads it back', async () => {
    const { workspace, byName, w, alice } = await contactCenter('defaults', false);
    expect(Object.keys(byName).sort()).toEqual(['Available', 'Offline', 'Unavailable']);
    expect([byName['Available']!.available, byName['Offline']!.available, byName['Unavailable']!.available]).toEqual([true, false, false]);
    expect(workspace.defaultActivityName).toBe('Offline');
    const fetched = await client.taskrouter.v1.workspaces(workspace.sid).fetch();
    expect(fetched.friendlyName).toBe('defaults');
    expect((await client.taskrouter.v1.workspaces.list()).map((x) => x.sid)).toContain(workspace.sid);
    const a = await w.workers(alice.sid).fetch();
    expect([a.activityName, a.available, JSON.parse(a.attributes).contact_uri]).toEqual(['Available', true, 'client:alice']);
    const offline = await w.workers.create({ friendlyName: 'dave' });
    expect([offline.activityName, offline.available, offline.attributes]).toEqual(['Offline', false, '{}']);
    const renamed = await w.workers(offline.sid).update({ friendlyName: 'david', activitySid: byName['Unavailable']!.sid });
    expect([renamed.friendlyName, renamed.activityName]).toEqual(['david', 'Unavailable']);
    expect((await w.workers.list({ available: 'true' })).map((x) => x.friendlyName).sort()).toEqual(['alice', 'bob', 'carol']);
  });

  it('a task is reserved for the longest-idle matching worker; accepted with the conference instruction, alice joins the customer conference; wrapping then completed', async () => {
    const { w, alice, workflow, queue } = await contactCenter('flow', true);
    // The customer's call waits in its conference, as the server's contact center puts it.
    const customer = await client.calls.create({
      to: '+15550001000',
      from: '+15550002000',
      twiml: '<Response><Dial><Conference startConferenceOnEnter="false" endConferenceOnExit="true">customer-room</Conference></Dial></Response>',
    });
    const conf = await waitFor(
      'the customer in the conference',
      async () => (await client.conferences.list({ friendlyName: 'customer-room', status: 'init' }))[0],
    );

    const task = await w.tasks.create({
      workflowSid: workflow.sid,
      attributes: JSON.stringify({ call_sid: customer.sid, to: '+15550001000', from: '+15550002000' }),
    });
    expect(task.taskQueueSid).toBe(queue.sid);
    expect(task.assignmentStatus).toBe('reserved');
    const reservations = await w.tasks(task.sid).reservations.list();
    expect(reservations).toHaveLength(1);
    // alice was created first, so she has been idle longest; carol is not in the queue's target.
    expect([reservations[0]!.workerSid, reservations[0]!.workerName, reservations[0]!.reservationStatus]).toEqual([alice.sid, 'alice', 'pending']);
    const byWorker = await w.workers(alice.sid).reservations.list({ reservationStatus: 'pending' });
    expect(byWorker.map((r) => r.sid)).toEqual([reservations[0]!.sid]);

    const accepted = await w
      .tasks(task.sid)
      .reservations(reservations[0]!.sid)
      .update({ reservationStatus: 'accepted', instruction: 'conference', from: '+15550001000' });
    expect(accepted.reservationStatus).toBe('accepted');
    expect((await w.tasks(task.sid).fetch()).assignmentStatus).toBe('assigned');

    const aliceLeg = await waitFor('alice connected', async () => {
      const parts = await client.conferences(conf.sid).participants.list();
      for (const p of parts) {
        const c = await client.calls(p.callSid).fetch();
        if (c.to === 'client:alice' && p.status === 'connected') return c;
      }
      return null;
    });
    expect(aliceLeg.status).toBe('in-progress');
    expect((await client.conferences(conf.sid).fetch()).status).toBe('in-progress');

    const wrapping = await w.tasks(task.sid).update({ assignmentStatus: 'wrapping', reason: 'call ended' });
    expect(wrapping.assignmentStatus).toBe('wrapping');
    expect((await w.workers(alice.sid).reservations(accepted.sid).fetch()).reservationStatus).toBe('wrapping');
    const done = await w.workers(alice.sid).reservations(accepted.sid).update({ reservationStatus: 'completed' });
    expect(done.reservationStatus).toBe('completed');
    const finished = await w.tasks(task.sid).fetch();
    expect([finished.assignmentStatus, finished.reason]).toEqual(['completed', 'call ended']);
    expect((await w.tasks.list({ assignmentStatus: ['completed'] })).map((t) => t.sid)).toEqual([task.sid]);

    // Events arrive form-encoded at the workspace's EventCallbackUrl, in order.
    const types = (
      await waitFor('events', () => {
        const mine = events.filter((x) => x['TaskSid'] === task.sid);
        return mine.some((x) => x['EventType'] === 'task.completed') ? mine : null;
      })
    ).map((x) => x['EventType']);
    expect(types).toEqual([
      'task.created',
      'reservation.created',
      'reservation.accepted',
      'reservation.wrapup',
      'task.wrapup',
      'reservation.completed',
      'task.completed',
    ]);
    const created = events.find((x) => x['TaskSid'] === task.sid && x['EventType'] === 'reservation.created')!;
    expect(created).toMatchObject({
      WorkerSid: alice.sid,
      WorkerName: 'alice',
      ReservationSid: reservations[0]!.sid,
      TaskQueueSid: queue.sid,
      WorkflowSid: workflow.sid,
      ResourceType: 'Reservation',
      AccountSid: e.accountSid,
    });
    expect(JSON.parse(created['TaskAttributes']!)).toMatchObject({ call_sid: customer.sid });
  });

  it('a customer call not yet in a conference is moved into one named after the task, and alice joins it', async () => {
    const { w, alice, workflow } = await contactCenter('no-conference-yet', false);
    const customer = await client.calls.create({ to: '+15550001000', from: '+15550002000', twiml: '<Response><Pause length="600"/></Response>' });
    await waitFor('customer answered', async () => (await client.calls(customer.sid).fetch()).status === 'in-progress');
    const task = await w.tasks.create({ workflowSid: workflow.sid, attributes: JSON.stringify({ call_sid: customer.sid, to: '+15550001000' }) });
    const [r] = await w.workers(alice.sid).reservations.list();
    await w.workers(alice.sid).reservations(r!.sid).update({ reservationStatus: 'accepted', instruction: 'conference' });
    const conf = await waitFor(
      'the task conference in progress',
      async () => (await client.conferences.list({ friendlyName: task.sid, status: 'in-progress' }))[0],
    );
    const legs = await waitFor('both legs in the conference', async () => {
      const parts = await client.conferences(conf.sid).participants.list();
      return parts.length === 2 ? parts.map((p) => p.callSid) : null;
    });
    expect(legs).toContain(customer.sid);
    const other = legs.find((sid) => sid !== customer.sid)!;
    const aliceLeg = await client.calls(other).fetch();
    expect([aliceLeg.to, aliceLeg.from]).toEqual(['client:alice', '+15550001000']);
  });

  it('a rejected reservation is offered to the next worker; with no one left the task waits', async () => {
    const { w, alice, bob, workflow } = await contactCenter('reject', true);
    const task = await w.tasks.create({ workflowSid: workflow.sid, attributes: '{"type":"inbound"}' });
    const [first] = await w.tasks(task.sid).reservations.list();
    expect(first!.workerSid).toBe(alice.sid);
    await w.tasks(task.sid).reservations(first!.sid).update({ reservationStatus: 'rejected' });
    const all = await w.tasks(task.sid).reservations.list();
    const byStatus = Object.fromEntries(all.map((r) => [r.reservationStatus, r.workerSid]));
    expect(byStatus).toEqual({ rejected: alice.sid, pending: bob.sid });
    expect((await w.tasks(task.sid).fetch()).assignmentStatus).toBe('reserved');
    const second = all.find((r) => r.reservationStatus === 'pending')!;
    await w.workers(bob.sid).reservations(second.sid).update({ reservationStatus: 'rejected' });
    expect((await w.tasks(task.sid).fetch()).assignmentStatus).toBe('pending');
    await waitFor('rejection events', () => events.filter((x) => x['TaskSid'] === task.sid && x['EventType'] === 'reservation.rejected').length === 2);
    // Canceling a pending task is allowed; its reason is kept.
    const canceled = await w.tasks(task.sid).update({ assignmentStatus: 'canceled', reason: 'caller hung up' });
    expect([canceled.assignmentStatus, canceled.reason]).toEqual(['canceled', 'caller hung up']);
    // Finished, the task and its reservations leave the engine's memory and answer from its store, as before.
    expect(e.engine.taskrouter.tasks.has(task.sid)).toBe(false);
    expect(JSON.stringify(await w.tasks(task.sid).fetch())).toBe(JSON.stringify(canceled));
    const after = await w.tasks(task.sid).reservations.list();
    expect(after.map((r) => [r.sid, r.reservationStatus, r.workerSid])).toEqual(all.map((r) => [r.sid, 'rejected', r.workerSid]));
    expect((await w.workers(alice.sid).reservations.list({ reservationStatus: 'rejected' })).map((r) => r.sid)).toEqual([first!.sid]);
    expect((await w.tasks.list({ assignmentStatus: ['canceled'] })).map((t) => t.sid)).toEqual([task.sid]);
    expect(await w.tasks.list({ assignmentStatus: ['pending', 'reserved'] })).toEqual([]);
  });

  it('a worker becoming available picks up the oldest waiting task', async () => {
    const { w, byName, alice, bob, workflow } = await contactCenter('availability', false);
    await w.workers(alice.sid).update({ activitySid: byName['Offline']!.sid });
    await w.workers(bob.sid).update({ activitySid: byName['Offline']!.sid });
    const older = await w.tasks.create({ workflowSid: workflow.sid, attributes: '{"n":1}' });
    await w.tasks.create({ workflowSid: workflow.sid, attributes: '{"n":2}' });
    expect(older.assignmentStatus).toBe('pending');
    await w.workers(bob.sid).update({ activitySid: byName['Available']!.sid });
    const [r] = await w.workers(bob.sid).reservations.list();
    expect(r!.taskSid).toBe(older.sid);
  });

  it("a Flex token issued for alice's worker validates to her worker_sid, which names her TaskRouter worker", async () => {
    const { w, alice } = await contactCenter('tokens', false);
    const issued = await api(e, 'POST', '/dev/flex-tokens', { identity: 'alice', roles: 'agent', workerSid: alice.sid });
    expect(issued.status).toBe(201);
    const token = (issued.body as { token: string }).token;
    const res = await fetch(`${e.url}/v1/Accounts/${e.accountSid}/Tokens/validate`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${e.accountSid}:${e.authToken}`).toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    });
    const validated = (await res.json()) as { valid: boolean; worker_sid: string };
    expect([validated.valid, validated.worker_sid]).toEqual([true, alice.sid]);
    expect((await w.workers(validated.worker_sid).fetch()).friendlyName).toBe('alice');
  });

  it('errors: unknown SIDs are 404/20404, bad parameters 400 naming the field, state changes out of order 400', async () => {
    const { workspace, w, workflow, byName } = await contactCenter('errors', false);
    const missing = `WS${'0'.repeat(32)}`;
    await expect(client.taskrouter.v1.workspaces(missing).fetch()).rejects.toMatchObject({ status: 404, code: 20404 });
    await expect(w.workers(`WK${'0'.repeat(32)}`).fetch()).rejects.toMatchObject({ status: 404, code: 20404 });
    await expect(w.tasks(`WT${'0'.repeat(32)}`).fetch()).rejects.toMatchObject({ status: 404, code: 20404 });
    await expect(w.tasks('not-a-sid').fetch()).rejects.toMatchObject({ status: 404, code: 20404 });

    const bad = async (path: string, params: Record<string, string>, field: string) => {
      const res = await api(e, 'POST', `/v1/Workspaces/${workspace.sid}${path}`, params);
      expect(res.status, res.text).toBe(400);
      expect((res.body as { code: number }).code).toBe(20001);
      expect((res.body as { message: string }).message).toContain(field);
    };
    await bad('/Workers', {}, 'FriendlyName');
    await bad('/Workers', { FriendlyName: 'x', Attributes: '[1]' }, 'Attributes');
    await bad('/Workers', { FriendlyName: 'x', ActivitySid: `WA${'1'.repeat(32)}` }, 'ActivitySid');
    await bad('/TaskQueues', { FriendlyName: 'q', TargetWorkers: 'skills CONTAINS x' }, 'TargetWorkers');
    await bad('/Workflows', { FriendlyName: 'f', Configuration: '{"task_routing":{}}' }, 'Configuration');
    await bad('/Tasks', { WorkflowSid: workflow.sid, Attributes: 'not json' }, 'Attributes');
    await bad('/Tasks', { WorkflowSid: workflow.sid, Priority: '-1' }, 'Priority');
    const ws2 = await api(e, 'POST', '/v1/Workspaces', { FriendlyName: 'x', EventCallbackUrl: 'http://10.1.2.3/hook' });
    expect([ws2.status, (ws2.body as { code: number }).code, (ws2.body as { message: string }).message]).toEqual([
      400,
      21205,
      expect.stringContaining('EventCallbackUrl'),
    ]);
    const ws3 = await api(e, 'POST', '/v1/Workspaces', { FriendlyName: 'x', EventCallbackUrl: 'ftp://127.0.0.1/hook' });
    expect([ws3.status, (ws3.body as { code: number }).code, (ws3.body as { message: string }).message]).toEqual([
      400,
      21205,
      expect.stringContaining('EventCallbackUrl'),
    ]);
    const badFilter = await api(e, 'GET', `/v1/Workspaces/${workspace.sid}/Tasks?AssignmentStatus=pending,lost`);
    expect([badFilter.status, (badFilter.body as { code: number }).code, (badFilter.body as { message: string }).message]).toEqual([
      400,
      20001,
      expect.stringContaining('AssignmentStatus'),
    ]);

    // Nothing was created by the refused requests.
    expect((await w.workers.list()).map((x) => x.friendlyName).sort()).toEqual(['alice', 'bob', 'carol']);

    const task = await w.tasks.create({ workflowSid: workflow.sid });
    const [r] = await w.tasks(task.sid).reservations.list();
    await expect(w.tasks(task.sid).update({ assignmentStatus: 'completed' })).rejects.toMatchObject({ status: 400, code: 20001 });
    await expect(w.tasks(task.sid).reservations(r!.sid).update({ reservationStatus: 'completed' })).rejects.toMatchObject({ status: 400, code: 20001 });
    // The conference instruction needs a call to join.
    const noCall = await api(e, 'POST', `/v1/Workspaces/${workspace.sid}/Tasks/${task.sid}/Reservations/${r!.sid}`, {
      ReservationStatus: 'accepted',
      Instruction: 'conference',
      From: '+15550001000',
    });
    expect([noCall.status, (noCall.body as { message: string }).message]).toEqual([400, expect.stringContaining('Instruction')]);
    expect((await w.tasks(task.sid).reservations(r!.sid).fetch()).reservationStatus).toBe('pending');
    // A reservation is found only under its own task and worker.
    const other = await w.workers.create({ friendlyName: 'eve', activitySid: byName['Offline']!.sid });
    await expect(w.workers(other.sid).reservations(r!.sid).fetch()).rejects.toMatchObject({ status: 404, code: 20404 });
  });
});
