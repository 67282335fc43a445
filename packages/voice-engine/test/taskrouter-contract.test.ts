import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEngine } from '../src/index.ts';
import { createContractValidator, loadTwilioSpec, validateTwilioError, type ContractValidator } from './contract/openapi.ts';
import { api, testEngine, waitFor } from './helpers.ts';

/**
 * Contract test for TaskRouter: every TaskRouter route the engine serves is exercised over real
 * HTTP and every response is validated against Twilio's TaskRouter OpenAPI spec
 * (vendor/twilio-oai/twilio_taskrouter_v1.json), strictly as the v2010 contract test does:
 * every property a schema lists must be present, no unlisted property may appear, and every
 * error body is exactly `{code, message, more_info, status}`.
 */

type Json = Record<string, unknown>;

const W = '/v1/Workspaces/{WorkspaceSid}';
const COVERED = [
  '/v1/Workspaces',
  '/v1/Workspaces/{Sid}',
  `${W}/Activities`,
  `${W}/Activities/{Sid}`,
  `${W}/Workers`,
  `${W}/Workers/{Sid}`,
  `${W}/TaskQueues`,
  `${W}/TaskQueues/{Sid}`,
  `${W}/Workflows`,
  `${W}/Workflows/{Sid}`,
  `${W}/Tasks`,
  `${W}/Tasks/{Sid}`,
  `${W}/Tasks/{TaskSid}/Reservations`,
  `${W}/Tasks/{TaskSid}/Reservations/{Sid}`,
  `${W}/Workers/{WorkerSid}/Reservations`,
  `${W}/Workers/{WorkerSid}/Reservations/{Sid}`,
];

describe('Twilio TaskRouter OpenAPI contract (strict)', () => {
  let e: RunningEngine;
  let contract: ContractValidator;
  const seen: string[] = [];

  beforeAll(async () => {
    contract = createContractValidator(loadTwilioSpec('vendor/twilio-oai/twilio_taskrouter_v1.json'), {
      requireListedProperties: true,
      rejectUnlistedProperties: true,
    });
    e = await testEngine({ speed: 10 });
  });
  afterAll(async () => {
    await e?.close();
  });

  async function call(method: string, path: string, expectStatus: number, params?: Record<string, string | string[]>): Promise<Json> {
    const res = await api(e, method, path, params);
    const v = contract.validate(method, path, res.status, res.body);
    expect(v.errors, `${method} ${path} -> ${res.status}: ${res.text.slice(0, 300)}`).toEqual([]);
    expect(res.status, `${method} ${path}: ${res.text.slice(0, 300)}`).toBe(expectStatus);
    if (res.status >= 400) expect(validateTwilioError(res.status, res.body).errors).toEqual([]);
    seen.push(`${method} ${v.template} ${res.status}`);
    return (res.body ?? {}) as Json;
  }
  const get = (path: string, status = 200) => call('GET', path, status);
  const post = (path: string, params: Record<string, string | string[]>, status = 200) => call('POST', path, status, params);
  const items = (page: Json, key: string) => page[key] as Json[];

  it('walks every resource: create, fetch, list (with paging), update, and the whole reservation life', async () => {
    const ws = await post('/v1/Workspaces', { FriendlyName: 'contract', EventCallbackUrl: 'http://127.0.0.1:9/events' }, 201);
    const wsPath = `/v1/Workspaces/${String(ws['sid'])}`;
    await get(wsPath);
    await get('/v1/Workspaces');
    await get('/v1/Workspaces?FriendlyName=contract');
    await post(wsPath, { FriendlyName: 'contract center' });

    const activities = items(await get(`${wsPath}/Activities`), 'activities');
    const available = activities.find((a) => a['friendly_name'] === 'Available')!;
    await get(`${wsPath}/Activities/${String(available['sid'])}`);
    await get(`${wsPath}/Activities?Available=true`);
    await post(`${wsPath}/Activities`, { FriendlyName: 'Break', Available: 'false' }, 201);

    const alice = await post(
      `${wsPath}/Workers`,
      { FriendlyName: 'alice', Attributes: '{"contact_uri":"client:alice"}', ActivitySid: String(available['sid']) },
      201,
    );
    const bob = await post(`${wsPath}/Workers`, { FriendlyName: 'bob', Attributes: '{"contact_uri":"client:bob"}' }, 201);
    await get(`${wsPath}/Workers/${String(alice['sid'])}`);
    await post(`${wsPath}/Workers/${String(bob['sid'])}`, { ActivitySid: String(available['sid']) });
    // Paging: one worker per page, following meta.next_page_url to the end.
    const names: unknown[] = [];
    let next: string | null = `${wsPath}/Workers?PageSize=1`;
    while (next) {
      const page = await get(next.replace(e.url, ''));
      names.push(...items(page, 'workers').map((w) => w['friendly_name']));
      next = (page['meta'] as Json)['next_page_url'] as string | null;
    }
    expect(names.sort()).toEqual(['alice', 'bob']);

    const queue = await post(`${wsPath}/TaskQueues`, { FriendlyName: 'support', TargetWorkers: '1==1' }, 201);
    await get(`${wsPath}/TaskQueues`);
    await get(`${wsPath}/TaskQueues/${String(queue['sid'])}`);
    const workflow = await post(
      `${wsPath}/Workflows`,
      { FriendlyName: 'fifo', Configuration: JSON.stringify({ task_routing: { default_filter: { queue: queue['sid'] } } }) },
      201,
    );
    await get(`${wsPath}/Workflows`);
    await get(`${wsPath}/Workflows/${String(workflow['sid'])}`);

    const customer = await api(e, 'POST', `/2010-04-01/Accounts/${e.accountSid}/Calls.json`, {
      To: '+15550001000',
      From: '+15550002000',
      Twiml: '<Response><Dial><Conference startConferenceOnEnter="false">contract-room</Conference></Dial></Response>',
    });
    const callSid = String((customer.body as Json)['sid']);
    await waitFor(
      'customer answered',
      async () => ((await api(e, 'GET', `/2010-04-01/Accounts/${e.accountSid}/Calls/${callSid}.json`)).body as Json)['status'] === 'in-progress',
    );

    const task = await post(
      `${wsPath}/Tasks`,
      { WorkflowSid: String(workflow['sid']), Attributes: JSON.stringify({ call_sid: callSid, to: '+15550001000' }) },
      201,
    );
    const taskPath = `${wsPath}/Tasks/${String(task['sid'])}`;
    await get(taskPath);
    await get(`${wsPath}/Tasks?AssignmentStatus=reserved`);
    await post(taskPath, { Priority: '5' });
    const [r] = items(await get(`${taskPath}/Reservations`), 'reservations');
    const workerPath = `${wsPath}/Workers/${String(r!['worker_sid'])}`;
    await get(`${taskPath}/Reservations/${String(r!['sid'])}`);
    await get(`${workerPath}/Reservations`);
    await get(`${workerPath}/Reservations?ReservationStatus=pending`);
    await get(`${workerPath}/Reservations/${String(r!['sid'])}`);
    const accepted = await post(`${taskPath}/Reservations/${String(r!['sid'])}`, { ReservationStatus: 'accepted', Instruction: 'conference' });
    expect(accepted['reservation_status']).toBe('accepted');
    await post(`${workerPath}/Reservations/${String(r!['sid'])}`, { ReservationStatus: 'wrapping' });
    const done = await post(taskPath, { AssignmentStatus: 'completed', Reason: 'done' });
    expect(done['assignment_status']).toBe('completed');
  });

  it('errors are Twilio-shaped: unknown SIDs 404, bad parameters 400', async () => {
    await get(`/v1/Workspaces/WS${'0'.repeat(32)}`, 404);
    await get('/v1/Workspaces/nope', 404);
    await post('/v1/Workspaces', {}, 400);
    const ws = await post('/v1/Workspaces', { FriendlyName: 'errors' }, 201);
    const wsPath = `/v1/Workspaces/${String(ws['sid'])}`;
    await get(`${wsPath}/Workers/WK${'0'.repeat(32)}`, 404);
    await get(`${wsPath}/Tasks/WT${'0'.repeat(32)}`, 404);
    await get(`${wsPath}/Tasks/WT${'0'.repeat(32)}/Reservations`, 404);
    await post(`${wsPath}/Workers`, { FriendlyName: 'x', Attributes: 'nope' }, 400);
    await post(`${wsPath}/Tasks`, { Attributes: '{}' }, 400);
  });

  it('covers every TaskRouter template the engine serves', () => {
    const covered = contract.coveredTemplates();
    for (const t of COVERED) expect(covered, t).toContain(t);
    expect(seen.some((s) => s.endsWith(' 201'))).toBe(true);
  });
});
