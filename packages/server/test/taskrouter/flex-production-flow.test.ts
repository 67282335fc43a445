/**
 * The Flex-shaped flow in production mode, against the engine as "Twilio": Flex's TaskRouter holds
 * the tasks (made here as Studio's Send to Flex would), the workflow reserves alice and bob, each
 * accepts with the `conference` instruction (as Flex UI does), a dual-channel recording runs. The
 * server is configured only with TWILIO_WORKSPACE_SID and reads TaskRouter per request: alice's Flex
 * token (on the seed routes and on the task API, as the Flex plugin's server backend sends it) and her
 * server login pause and resume her call; bob's get 403 on alice's call through every acting route; a
 * supervisor may; once alice's task is completed nobody may pause it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineAuthToken, startFunctions, type RunningFunctions } from '@pause-recording/functions/test-support';
import { startEngine, type RunningEngine } from '@pause-recording/voice-engine';
import { hashPassword } from '../../src/auth/passwords.ts';
import { TwilioProvider } from '../../src/provider/twilio-provider.ts';
import { provisionTaskRouter, PREFERRED_WORKER, type Routing } from '../../src/taskrouter/provision.ts';
import { TaskRouterClient } from '../../src/taskrouter/taskrouter-client.ts';
import { startSystem, waitUntil, type System } from '../support/system.ts';

let engine: RunningEngine;
let s: System;
let routing: Routing;
let tr: TaskRouterClient;
let twilioApi: TwilioProvider;
/** The drop-in Twilio Functions (packages/functions) under real twilio-run, on the same "Twilio", checking TaskRouter too. */
let fns: RunningFunctions;

interface Desk {
  task: string;
  call: string;
  conference: string;
  recording: string;
  flex: string;
  login: string;
}
const desks: Record<'alice' | 'bob', Desk> = {} as Record<'alice' | 'bob', Desk>;
let supervisorFlex: string;
let supervisorLogin: string;

async function flexToken(identity: string, roles: string[], workerSid: string | null): Promise<string> {
  const res = await fetch(`${engine.url}/dev/flex-tokens`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: 'Basic ' + Buffer.from(`${engine.accountSid}:${engine.authToken}`).toString('base64'),
    },
    body: JSON.stringify({ identity, roles, ...(workerSid === null ? {} : { workerSid }) }),
  });
  return ((await res.json()) as { token: string }).token;
}

/** What Flex does for one inbound call: the task, the reservation accepted with the conference instruction, the conference named in the attributes, a dual-channel recording. */
async function flexCall(agent: 'alice' | 'bob'): Promise<Omit<Desk, 'flex' | 'login'>> {
  const call = await twilioApi.client.calls.create({ from: '+15550001111', to: '+15550002222', twiml: '<Response><Pause length="600"/></Response>' });
  await twilioApi.waitForCallInProgress(call.sid, 5000);
  const attributes = { call_sid: call.sid, from: '+15550001111', to: '+15550002222', direction: 'inbound', [PREFERRED_WORKER]: agent };
  const task = await tr.createTask(routing.workflowSid, attributes);
  const reservation = await waitUntil('reservation', async () => (await tr.taskReservations(task.sid, ['pending']))[0]);
  expect(reservation.workerName).toBe(agent);
  await tr
    .ws()
    .tasks(task.sid)
    .reservations(reservation.sid)
    .update({
      reservationStatus: 'accepted',
      instruction: 'conference',
      from: '+15550002222',
      to: `client:${agent}`,
    });
  const conference = await waitUntil('conference', async () => (await twilioApi.client.conferences.list({ friendlyName: task.sid, status: 'in-progress' }))[0]);
  const worker = await twilioApi.participantCallSid(conference.sid, 'worker');
  await tr.updateTask(task.sid, { attributes: { ...attributes, conference: { sid: conference.sid, participants: { customer: call.sid, worker } } } });
  const rec = await twilioApi.createCallRecording(call.sid, { channels: 'dual' }, { waitMs: 5000, notInProgressRetryMs: 20 });
  return { task: task.sid, call: call.sid, conference: conference.sid, recording: rec.sid };
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flex-production-'));
  engine = await startEngine({ dataDir: join(dir, 'engine'), audio: 'stamped', devRoutes: true, authToken: engineAuthToken() });
  tr = new TaskRouterClient({ accountSid: engine.accountSid, authToken: engine.authToken, apiBaseUrl: engine.url, requestTimeoutMs: 2000, workspaceSid: null });
  // The Flex account's TaskRouter, as its admin set it up (a worker per agent, contact_uri client:<identity>).
  routing = await provisionTaskRouter(tr, ['alice', 'bob']);
  twilioApi = new TwilioProvider({
    accountSid: engine.accountSid,
    authToken: engine.authToken,
    apiBaseUrl: engine.url,
    requestTimeoutMs: 2000,
    retry: { budgetMs: 0, baseDelayMs: 1, maxDelayMs: 1 },
  });
  const cheap = { N: 1024, r: 8, p: 1 };
  const users = [];
  for (const [identity, role] of [
    ['alice', 'agent'],
    ['bob', 'agent'],
    ['sam', 'supervisor'],
  ] as const) {
    users.push({ identity, role, password_hash: await hashPassword('pw-' + identity, cheap) });
  }
  s = await startSystem({
    engine,
    dataDir: dir,
    settings: { users },
    env: { SERVER_MODE: 'production', PUBLIC_URL: 'http://127.0.0.1:9', TWILIO_WORKSPACE_SID: routing.workspaceSid },
  });
  for (const agent of ['alice', 'bob'] as const) {
    const worker = (await tr.workerOf(agent))!;
    desks[agent] = { ...(await flexCall(agent)), flex: await flexToken(agent, ['agent'], worker.sid), login: await s.login(agent, 'pw-' + agent) };
  }
  supervisorFlex = await flexToken('flexsuper', ['supervisor'], null);
  supervisorLogin = await s.login('sam', 'pw-sam');
  fns = await startFunctions({
    engineUrl: engine.url,
    accountSid: engine.accountSid,
    authToken: engine.authToken,
    env: { TWILIO_WORKSPACE_SID: routing.workspaceSid },
    forkProcess: false,
  });
}, 120_000);
afterAll(async () => {
  await fns?.stop();
  await s.close();
  await engine.close();
});

const seed = (path: string, form: Record<string, string>) => s.api('POST', path, { form });
const status = async (recordingSid: string) => (await twilioApi.client.recordings(recordingSid).fetch()).status;

/** Every route that acts on alice's call, for a caller (the task API with the Flex token and with the login): status codes in order. */
async function everyActingRoute(flex: string, login: string): Promise<number[]> {
  const a = desks.alice;
  const out: number[] = [];
  for (const [path, form] of [
    ['pause-recording/flex/pause-call-recording', { callSid: a.call }],
    ['pause-recording/flex/resume-call-recording', { callSid: a.call, recordingSid: a.recording }],
    ['pause-recording/flex/pause-conference-recording', { conferenceSid: a.conference }],
    ['pause-recording/flex/resume-conference-recording', { conferenceSid: a.conference, recordingSid: a.recording }],
    ['dual-channel-recording/flex/create-recording', { callSid: a.call }],
  ] as const) {
    // The template's path and the Plugin Library's (no `features/` prefix, no `/flex`), on the server and on the Functions.
    const library = `/${path.replace('/flex/', '/')}`;
    for (const p of [`/features/${path}`, library]) out.push((await seed(p, { Token: flex, ...form })).status);
    for (const p of [`/features/${path}`, library]) {
      const res = await fetch(`${fns.url}${p}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ Token: flex, ...form }),
      });
      out.push(res.status);
    }
  }
  for (const [path, json] of [
    ['recording/pause', {}],
    ['recording/resume', {}],
    ['recording/toggle', {}],
    ['hold', { hold: true }],
    ['transfer', { to: 'bob' }],
    ['hangup', {}],
    ['complete', {}],
  ] as const) {
    for (const token of [flex, login]) out.push((await s.api('POST', `/api/tasks/${a.task}/${path}`, { token, json })).status);
  }
  return out;
}

describe('Flex production flow (TaskRouter decides who may pause)', () => {
  it("alice pauses and resumes her call with her Flex token and with her login; bob's are refused on every acting route; a supervisor may", async () => {
    const a = desks.alice;
    const p = await seed('/features/pause-recording/flex/pause-call-recording', { Token: a.flex, callSid: a.call });
    expect([p.status, p.body['recording']]).toEqual([200, expect.objectContaining({ sid: a.recording, status: 'paused' })]);
    const r = await seed('/features/pause-recording/flex/resume-call-recording', { Token: a.flex, callSid: a.call, recordingSid: a.recording });
    expect([r.status, await status(a.recording)]).toEqual([200, 'in-progress']);

    // The task API, keyed by TaskRouter's task SID, with alice's Flex token (its worker_sid decides) ...
    const fp = await s.api('POST', `/api/tasks/${a.task}/recording/pause`, { token: a.flex, json: {} });
    expect([fp.status, fp.body['status'], await status(a.recording)]).toEqual([200, 'paused', 'paused']);
    const fr = await s.api('POST', `/api/tasks/${a.task}/recording/resume`, { token: a.flex, json: {} });
    expect([fr.status, await status(a.recording)]).toEqual([200, 'in-progress']);
    // ... and with her server login.
    const tp = await s.api('POST', `/api/tasks/${a.task}/recording/pause`, { token: a.login, json: {} });
    expect([tp.status, tp.body['status'], await status(a.recording)]).toEqual([200, 'paused', 'paused']);
    const tres = await s.api('POST', `/api/tasks/${a.task}/recording/resume`, { token: a.login, json: {} });
    expect([tres.status, await status(a.recording)]).toEqual([200, 'in-progress']);

    // Bob holds his own task, not alice's: 403 everywhere, nothing changes at "Twilio".
    const auditBefore = s.server.audit.count();
    const bob = desks.bob;
    expect(await everyActingRoute(bob.flex, bob.login)).toEqual(Array(34).fill(403));
    expect(await status(a.recording)).toBe('in-progress');
    expect((await twilioApi.client.calls(a.call).recordings.list()).length).toBe(1);
    expect(s.server.audit.count()).toBe(auditBefore);
    const refused = await seed('/features/pause-recording/flex/pause-call-recording', { Token: bob.flex, callSid: a.call });
    expect(refused.body['message']).toMatch(/^callSid: bob holds no accepted or wrapping reservation on the task of call CA/);
    // ... while his own call is his to pause.
    const own = await seed('/features/pause-recording/flex/pause-call-recording', { Token: bob.flex, callSid: bob.call });
    expect([own.status, await status(bob.recording)]).toEqual([200, 'paused']);

    // A supervisor acts on any live task, by Flex token and by login.
    const sp = await seed('/features/pause-recording/flex/pause-call-recording', { Token: supervisorFlex, callSid: a.call });
    expect([sp.status, await status(a.recording)]).toEqual([200, 'paused']);
    const sr = await s.api('POST', `/api/tasks/${a.task}/recording/resume`, { token: supervisorLogin, json: {} });
    expect([sr.status, await status(a.recording)]).toEqual([200, 'in-progress']);
    const sfp = await s.api('POST', `/api/tasks/${a.task}/recording/pause`, { token: supervisorFlex, json: {} });
    const sfr = await s.api('POST', `/api/tasks/${a.task}/recording/resume`, { token: supervisorFlex, json: {} });
    expect([sfp.status, sfr.status, await status(a.recording)]).toEqual([200, 200, 'in-progress']);
    expect(
      s.server.audit
        .query({ taskSid: a.task })
        .filter((e) => e.action === 'pause' || e.action === 'resume')
        .map((e) => [e.action, e.outcome, e.actor]),
    ).toEqual([
      ['pause', 'ok', 'alice'],
      ['resume', 'ok', 'alice'],
      ['pause', 'ok', 'alice'],
      ['resume', 'ok', 'alice'],
      ['pause', 'ok', 'alice'],
      ['resume', 'ok', 'alice'],
      ['pause', 'ok', 'flexsuper'],
      ['resume', 'ok', 'sam'],
      ['pause', 'ok', 'flexsuper'],
      ['resume', 'ok', 'flexsuper'],
    ]);
  });

  it('once alice completes her task in Flex, nobody may pause that call (403), and nothing changes', async () => {
    const a = desks.alice;
    // Flex wraps up and completes the task; the server is not told: it reads TaskRouter on the next request.
    await tr.updateTask(a.task, { status: 'wrapping' });
    const wrapping = await seed('/features/pause-recording/flex/pause-call-recording', { Token: a.flex, callSid: a.call });
    expect(wrapping.status).toBe(200); // a wrapping reservation still authorizes
    await seed('/features/pause-recording/flex/resume-call-recording', { Token: a.flex, callSid: a.call, recordingSid: a.recording });
    await tr.updateTask(a.task, { status: 'completed', reason: 'done' });

    for (const [flex, login] of [
      [a.flex, a.login],
      [supervisorFlex, supervisorLogin],
    ] as const) {
      const p = await seed('/features/pause-recording/flex/pause-call-recording', { Token: flex, callSid: a.call });
      expect([p.status, p.body['message']]).toEqual([403, expect.stringMatching(/^callSid: no live TaskRouter task names call CA[0-9a-f]{32} \(.*completed/)]);
      for (const token of [flex, login]) {
        const t = await s.api('POST', `/api/tasks/${a.task}/recording/pause`, { token, json: {} });
        expect([t.status, t.body.error?.code]).toEqual([403, 'FORBIDDEN']);
      }
    }
    expect(await status(a.recording)).toBe('in-progress');
  });
});
