import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEngine } from '../src/index.ts';
import { api, basicAuth, rawRequest, routesOf, sdkFor, STAY, testEngine, waitFor, type EngineRoute } from './helpers.ts';

/**
 * Authorization is decided on the route the router matched, never on the raw URL (issue 9: the
 * old check ran a regex on `req.url` while routing decoded it, so `/%32010-04-01/...` read every
 * recording and `/%64ev/flex-tokens` minted tokens without credentials).
 */

const OTHER_ACCOUNT = `AC${'f'.repeat(32)}`;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
/** A body that would succeed on the routes that change things (resume, mint, fault, create). */
const WOULD_SUCCEED = new URLSearchParams({
  Status: 'in-progress',
  identity: 'mallory',
  roles: 'supervisor',
  action: 'drop',
  path: '/zzz',
  From: '+15550001111',
  To: '+15005550006',
  PhoneNumber: '+15005550199',
  Twiml: '<Response><Pause length="5"/></Response>',
}).toString();

/** Other spellings of `path` that a router might resolve to the same route. */
function spellings(path: string): string[] {
  const hex = (c: string) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  const segs = path.split('/');
  const out = [
    `/${hex(path[1]!)}${path.slice(2)}`, // /%32010-04-01/..., /%64ev/...
    `/${hex(path[1]!).toUpperCase()}${path.slice(2)}`,
    `/${segs[1]}/${hex(segs[2]![0]!)}${segs.slice(2).join('/').slice(1)}`, // second segment's first letter
    `/${path}`, // //2010-04-01/...
    path.replace(/^(\/[^/]+)\//, '$1//'), // /2010-04-01//Accounts/...
    `/x/..${path}`,
    `/x/%2e%2e${path}`,
    `/.${path}`,
    path.replace(/^(\/[^/]+)\//, '$1/./'),
    `${path}/`,
  ];
  if (path.includes('.json')) out.push(path.replace('.json', '%2Ejson'), path.replace('.json', '%2ejson'));
  return [...new Set(out)];
}

describe('engine authorization, on every route the router serves', () => {
  let e: RunningEngine;
  const v: Record<string, string> = {};
  let base: string;
  let good: Record<string, string>;

  beforeAll(async () => {
    e = await testEngine({ speed: 5 });
    base = `/2010-04-01/Accounts/${e.accountSid}`;
    good = basicAuth(e.accountSid, e.authToken);
    const client = sdkFor(e);
    const number = await api(e, 'POST', `${base}/IncomingPhoneNumbers.json`, { PhoneNumber: '+15005550006' });
    expect(number.status).toBe(201);
    v['number'] = (number.body as { sid: string }).sid;
    const agent = await client
      .conferences('sec-room')
      .participants.create({ from: '+15550003333', to: 'client:alice', label: 'agent', conferenceRecord: 'record-from-start' });
    v['conference'] = agent.conferenceSid;
    v['participant'] = agent.callSid;
    v['call'] = agent.callSid;
    await waitFor('agent leg answered', async () => (await client.calls(agent.callSid).fetch()).status === 'in-progress');
    v['confRecording'] = (await waitFor(
      'conference recording',
      async () => (await client.conferences(agent.conferenceSid).recordings.list())[0]?.sid,
    )) as string;
    v['recording'] = (await client.calls(agent.callSid).recordings.create()).sid;
    v['fault'] = String(e.faults.add({ path: '/never/matches', action: 'drop', times: 0 }));
    // TaskRouter: a workspace whose one task is reserved for its one worker.
    const tr = e.engine.taskrouter;
    const ws = tr.createWorkspace({ friendlyName: 'sec', eventCallbackUrl: null });
    const available = tr.list(tr.activities, ws, (a) => a.available)[0]!;
    const queue = tr.createQueue(ws, { friendlyName: 'q', targetWorkers: '1==1', maxReservedWorkers: 1 });
    const workflow = tr.createWorkflow(ws, {
      friendlyName: 'wf',
      configuration: JSON.stringify({ task_routing: { default_filter: { queue: queue.sid } } }),
      taskReservationTimeout: 120,
      assignmentCallbackUrl: null,
    });
    const worker = tr.createWorker(ws, { friendlyName: 'alice', attributes: '{"contact_uri":"client:alice"}', activitySid: available.sid });
    const task = tr.createTask(ws, { workflowSid: workflow.sid, attributes: '{}', priority: 0, timeout: 3600 });
    Object.assign(v, {
      workspace: ws.sid,
      activity: available.sid,
      queue: queue.sid,
      workflow: workflow.sid,
      worker: worker.sid,
      task: task.sid,
      reservation: tr.list(tr.reservations, ws)[0]!.sid,
    });
  });
  afterAll(async () => {
    await e.close();
  });

  /** The concrete path for a route: each parameter filled with a real resource of this engine. */
  function fill(r: EngineRoute, account = e.accountSid): string {
    const segs = r.url.split('/');
    return segs
      .map((seg, i) => {
        if (!seg.startsWith(':')) return seg;
        const prev = segs[i - 1]!;
        const last = i === segs.length - 1;
        const json = (sid: string) => (last ? `${sid}.json` : sid);
        if (seg === ':AccountSid') return account;
        if (seg === ':id') return v['fault']!;
        if (prev === 'Calls') return json(v['call']!);
        if (prev === 'Conferences') return json(v['conference']!);
        if (prev === 'Participants') return json(v['participant']!);
        if (prev === 'IncomingPhoneNumbers') return json(v['number']!);
        if (segs[1] === 'v1' && segs[2] === 'Workspaces') {
          const trKind: Record<string, string> = {
            Workspaces: 'workspace',
            Activities: 'activity',
            Workers: 'worker',
            TaskQueues: 'queue',
            Workflows: 'workflow',
            Tasks: 'task',
            Reservations: 'reservation',
          };
          if (trKind[prev]) return v[trKind[prev]]!;
        }
        if (prev === 'Recordings' || prev === 'recordings') return json(segs.includes('Conferences') ? v['confRecording']! : v['recording']!);
        throw new Error(`no value for ${seg} in ${r.url}`);
      })
      .join('/');
  }

  function snapshot(): string {
    const en = e.engine;
    return JSON.stringify({
      calls: [...en.calls.values()].map((c) => [c.sid, c.status, c.conference?.sid ?? null]).sort(),
      conferences: [...en.conferences.values()].map((c) => [c.sid, c.status, [...c.participants.keys()].sort()]).sort(),
      recordings: [...en.recordings.values()]
        .map((r) => [r.sid, r.status === 'paused' ? 'paused' : r.status === 'in-progress' ? 'in-progress' : 'other', r.pauseBehavior])
        .sort(),
      numbers: [...en.numbers.values()].map((n) => JSON.stringify(n)).sort(),
      faults: e.faults.list().map((f) => f.id),
      taskrouter: [
        en.taskrouter.workspaces,
        en.taskrouter.activities,
        en.taskrouter.workers,
        en.taskrouter.queues,
        en.taskrouter.workflows,
        en.taskrouter.tasks,
        en.taskrouter.reservations,
      ].map((m) => [...m.values()].map((x) => JSON.stringify(x)).sort()),
    });
  }

  it('no credentials, a wrong token, another account (as user or in the path), odd spellings: never served', async () => {
    const routes = routesOf(e);
    // The listing is real: it holds routes we know of, dev routes included, and whatever is added later.
    expect(routes.map((r) => `${r.method} ${r.url}`)).toEqual(
      expect.arrayContaining([
        'GET /2010-04-01/Accounts/:AccountSid/Recordings.json',
        'POST /2010-04-01/Accounts/:AccountSid/Calls/:file/Recordings/:file',
        'POST /dev/flex-tokens',
        'DELETE /dev/faults',
        'POST /v1/Accounts/:AccountSid/Tokens/validate',
      ]),
    );
    expect(routes.length).toBeGreaterThanOrEqual(40);
    const badCredentials: [string, Record<string, string>][] = [
      ['none', {}],
      ['wrong token', basicAuth(e.accountSid, 'not-the-token')],
      ['another account', basicAuth(OTHER_ACCOUNT, e.authToken)],
      ['token as user', basicAuth(e.authToken, e.accountSid)],
      ['empty', basicAuth('', '')],
      ['no colon', { authorization: `Basic ${Buffer.from(e.accountSid + e.authToken).toString('base64')}` }],
      ['bearer', { authorization: `Bearer ${e.authToken}` }],
      ['garbage', { authorization: 'Basic !!!' }],
    ];
    const failures: string[] = [];
    let sent = 0;
    const before = snapshot();
    const expectStatus = async (what: string, method: string, path: string, headers: Record<string, string>, want: (s: number) => boolean) => {
      sent++;
      const body = method === 'POST' ? WOULD_SUCCEED : undefined;
      const res = await rawRequest(e.url, method, path, { ...headers, ...(body ? FORM : {}) }, body);
      if (!want(res.status)) failures.push(`${what}: ${method} ${path} -> ${res.status} ${res.text.slice(0, 120)}`);
    };
    for (const r of routes) {
      const path = fill(r);
      for (const [name, h] of badCredentials) await expectStatus(name, r.method, path, h, (s) => s === 401);
      // Right credentials, another account's path.
      if (r.url.includes(':AccountSid')) await expectStatus('other account in path', r.method, fill(r, OTHER_ACCOUNT), good, (s) => s === 401);
      for (const odd of spellings(path)) {
        await expectStatus('odd spelling, no credentials', r.method, odd, {}, (s) => s === 401);
        await expectStatus('odd spelling, wrong token', r.method, odd, basicAuth(e.accountSid, 'not-the-token'), (s) => s === 401);
        // Even with the right credentials an odd spelling is refused, not served.
        await expectStatus('odd spelling, valid credentials', r.method, odd, good, (s) => s >= 400 && s < 500);
      }
    }
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(1000);
    expect(snapshot()).toBe(before);

    // Valid credentials and the canonical path still work: every read answers 200, and every
    // POST reaches its handler (its own answer for the empty body, never 401). (DELETEs would
    // remove the fixtures; the write test below shows a change going through.)
    for (const r of routes.filter((x) => x.method !== 'DELETE')) {
      const res = await rawRequest(e.url, r.method, fill(r), good);
      if (r.method === 'GET' || r.method === 'HEAD') {
        if (res.status !== 200) failures.push(`valid: ${r.method} ${fill(r)} -> ${res.status} ${res.text.slice(0, 120)}`);
      } else if (r.method === 'POST' && res.status === 401) failures.push(`valid: ${r.method} ${fill(r)} -> 401`);
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it('a path that matches no route answers 401 to a stranger (a 404 would tell what exists), 404 with credentials', async () => {
    for (const p of ['/nothing/here', `${base}/Nope.json`, '/dev/nope', '/%32010-04-01/nope']) {
      expect((await rawRequest(e.url, 'GET', p)).status, p).toBe(401);
      expect((await rawRequest(e.url, 'GET', p, good)).status, p).toBe(404);
    }
  });

  it('encoded-path read: the recordings list and the media are not served without credentials', async () => {
    for (const p of [
      `/%32010-04-01/Accounts/${e.accountSid}/Recordings.json`,
      `/2010-04-01/%41ccounts/${e.accountSid}/Recordings.json`,
      `/%32010-04-01/Accounts/${e.accountSid}/Recordings/${v['recording']}.wav`,
    ]) {
      const res = await rawRequest(e.url, 'GET', p);
      expect(res.status, p).toBe(401);
      expect(res.text).not.toContain(v['recording']!);
      expect(JSON.parse(res.text)).toMatchObject({ code: 20003, status: 401 });
    }
  });

  it('encoded-path write: a paused recording cannot be set back to in-progress without credentials', async () => {
    const client = sdkFor(e);
    const callSid = v['call']!;
    const sid = v['recording']!;
    expect((await client.calls(callSid).recordings(sid).update({ status: 'paused' })).status).toBe('paused');
    const canonical = `/2010-04-01/Accounts/${e.accountSid}/Calls/${callSid}/Recordings/${sid}.json`;
    for (const p of [
      `/%32010-04-01/Accounts/${e.accountSid}/Calls/${callSid}/Recordings/${sid}.json`,
      `/2010-04-01/Accounts/${e.accountSid}/Calls/${callSid}/Recordings/${sid}%2Ejson`,
      `//2010-04-01/Accounts/${e.accountSid}/Calls/${callSid}/Recordings/${sid}.json`,
      `/x/..${canonical}`,
    ]) {
      const res = await rawRequest(e.url, 'POST', p, FORM, 'Status=in-progress');
      expect(res.status, p).toBe(401);
      expect((await client.calls(callSid).recordings(sid).fetch()).status).toBe('paused');
      // With credentials an odd spelling is still not served.
      expect((await rawRequest(e.url, 'POST', p, { ...good, ...FORM }, 'Status=in-progress')).status, p).toBe(404);
      expect((await client.calls(callSid).recordings(sid).fetch()).status).toBe('paused');
    }
    // The account itself, on the canonical path, resumes it.
    const resumed = await rawRequest(e.url, 'POST', canonical, { ...good, ...FORM }, 'Status=in-progress');
    expect(resumed.status).toBe(200);
    expect((await client.calls(callSid).recordings(sid).fetch()).status).toBe('in-progress');
  });

  it('encoded token mint: /%64ev/flex-tokens gives no token without credentials', async () => {
    for (const p of ['/%64ev/flex-tokens', '/%64%65%76/flex-tokens', '/dev/flex%2Dtokens', '//dev/flex-tokens', '/x/../dev/flex-tokens', '/dev/flex-tokens']) {
      const res = await rawRequest(e.url, 'POST', p, FORM, 'identity=mallory&roles=supervisor');
      expect(res.status, p).toBe(401);
      expect(res.text).not.toContain('token"');
    }
  });

  it('an existing fault cannot be cleared, and no call placed, by a stranger', async () => {
    const faults = e.faults.list().length;
    for (const p of ['/%64ev/faults', `/dev/faults/${v['fault']}`, '/dev/%66aults']) expect((await rawRequest(e.url, 'DELETE', p)).status, p).toBe(401);
    expect(e.faults.list().length).toBe(faults);
    const calls = e.engine.calls.size;
    expect((await rawRequest(e.url, 'POST', '/%64ev/inbound-calls', FORM, 'From=%2B15551230000&To=%2B15005550006')).status).toBe(401);
    expect(e.engine.calls.size).toBe(calls);
  });
});

describe('dev routes are off unless the engine is started with devRoutes', () => {
  let on: RunningEngine;
  let off: RunningEngine;
  beforeAll(async () => {
    on = await testEngine({ clock: 'manual', devRoutes: true });
    off = await testEngine({ clock: 'manual', devRoutes: undefined });
  });
  afterAll(async () => {
    await on.close();
    await off.close();
  });

  it('every /dev route the flag turns on is absent without it: 401 to a stranger, 404 with credentials', async () => {
    expect(off.devRoutes).toBe(false);
    const dev = routesOf(on).filter((r) => r.url.startsWith('/dev/'));
    expect(dev.map((r) => `${r.method} ${r.url}`)).toEqual(
      expect.arrayContaining(['POST /dev/flex-tokens', 'POST /dev/faults', 'POST /dev/inbound-calls', 'GET /dev/health']),
    );
    expect(routesOf(off).filter((r) => r.url.startsWith('/dev/'))).toEqual([]);
    const good = basicAuth(off.accountSid, off.authToken);
    for (const r of dev) {
      const path = r.url.replace(':file', `RE${'0'.repeat(32)}.json`).replace(':id', '1');
      const body = r.method === 'POST' ? 'identity=alice&action=drop&path=/x&From=%2B1555&To=%2B1555' : undefined;
      expect((await rawRequest(off.url, r.method, path, body ? FORM : {}, body)).status, `${r.method} ${path}`).toBe(401);
      expect((await rawRequest(off.url, r.method, path, { ...good, ...(body ? FORM : {}) }, body)).status, `${r.method} ${path}`).toBe(404);
    }
    // Twilio's own IAM route (what a server's Flex login calls) is still served, with credentials.
    const validate = await api(off, 'POST', `/v1/Accounts/${off.accountSid}/Tokens/validate`, { token: 'x.y' });
    expect(validate.status).toBe(200);
    expect(validate.body).toMatchObject({ valid: false });
  });
});

describe('callback URLs', () => {
  let e: RunningEngine;
  const base = () => `/2010-04-01/Accounts/${e.accountSid}`;
  beforeAll(async () => {
    e = await testEngine({ speed: 5, callbackOrigins: ['https://pause.example.com'] });
  });
  afterAll(async () => {
    await e.close();
  });

  it('a URL outside loopback and the configured origins is refused when given (400 / 21205), and nothing is created', async () => {
    const calls = e.engine.calls.size;
    const numbers = e.engine.numbers.size;
    const cases: [string, Record<string, string>, string][] = [
      [`${base()}/Calls.json`, { To: '+15550001111', From: '+15550002222', Twiml: STAY, StatusCallback: 'http://10.0.0.1/cb' }, 'StatusCallback'],
      [`${base()}/Calls.json`, { To: '+15550001111', From: '+15550002222', Url: 'http://169.254.169.254/latest/meta-data' }, 'Url'],
      [
        `${base()}/Calls.json`,
        { To: '+15550001111', From: '+15550002222', Twiml: STAY, StatusCallback: 'https://pause.example.com.evil.test/cb' },
        'StatusCallback',
      ],
      [`${base()}/Calls.json`, { To: '+15550001111', From: '+15550002222', Twiml: STAY, StatusCallback: 'http://pause.example.com/cb' }, 'StatusCallback'], // http is another origin
      [`${base()}/Calls.json`, { To: '+15550001111', From: '+15550002222', Twiml: STAY, StatusCallback: 'http://user:pw@127.0.0.1:9/cb' }, 'StatusCallback'],
      [`${base()}/IncomingPhoneNumbers.json`, { PhoneNumber: '+15005550007', VoiceUrl: 'http://192.168.1.1/voice' }, 'VoiceUrl'],
      [
        `${base()}/Conferences/room-x/Participants.json`,
        { From: '+15550003333', To: '+15550004444', ConferenceRecordingStatusCallback: 'http://example.org/r' },
        'ConferenceRecordingStatusCallback',
      ],
    ];
    for (const [path, params, name] of cases) {
      const res = await api(e, 'POST', path, params);
      expect(res.status, JSON.stringify(params)).toBe(400);
      expect(res.body).toMatchObject({ code: 21205, status: 400 });
      expect((res.body as { message: string }).message).toContain(name);
    }
    expect(e.engine.calls.size).toBe(calls);
    expect(e.engine.numbers.size).toBe(numbers);
    // Loopback and the configured origin are accepted.
    const ok = await api(e, 'POST', `${base()}/Calls.json`, {
      To: '+15550001111',
      From: '+15550002222',
      Twiml: STAY,
      StatusCallback: 'https://pause.example.com/webhooks/call-status',
      StatusCallbackEvent: 'completed',
    });
    expect(ok.status).toBe(201);
    const local = await api(e, 'POST', `${base()}/Calls.json`, {
      To: '+15550001111',
      From: '+15550002222',
      Twiml: STAY,
      StatusCallback: 'http://localhost:9/cb',
      StatusCallbackEvent: 'completed',
    });
    expect(local.status).toBe(201);
  });

  it('a callback that answers with a redirect is not followed (status callback and voice URL)', async () => {
    const { createServer } = await import('node:http');
    const hits: string[] = [];
    const target = createServer((req, res) => {
      hits.push(`target ${req.method} ${req.url}`);
      res.writeHead(200, { 'content-type': 'text/xml' }).end('<Response><Pause length="60"/></Response>');
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    const targetPort = (target.address() as { port: number }).port;
    const redirector = createServer((req, res) => {
      hits.push(`redirector ${req.method} ${req.url}`);
      res.writeHead(302, { location: `http://127.0.0.1:${targetPort}/stolen${req.url}` }).end();
    });
    await new Promise<void>((r) => redirector.listen(0, '127.0.0.1', r));
    const at = `http://127.0.0.1:${(redirector.address() as { port: number }).port}`;
    try {
      const failedBefore = e.engine.callbacks.failed;
      const created = await api(e, 'POST', `${base()}/Calls.json`, {
        To: '+15550001111',
        From: '+15550002222',
        Twiml: STAY,
        StatusCallback: `${at}/status`,
        StatusCallbackEvent: 'initiated',
      });
      expect(created.status).toBe(201);
      await waitFor('status callback tried', () => hits.some((h) => h.startsWith('redirector POST /status')));
      await e.engine.callbacks.drain();
      // Answered with a redirect: a failed delivery, and tried once (a 3xx is not retried).
      expect(e.engine.callbacks.failed).toBe(failedBefore + 1);
      expect(hits.filter((h) => h.includes('/status'))).toEqual(['redirector POST /status']);

      // A voice URL that redirects: the call does not follow it and ends.
      const viaUrl = await api(e, 'POST', `${base()}/Calls.json`, { To: '+15550001111', From: '+15550002222', Url: `${at}/voice` });
      expect(viaUrl.status).toBe(201);
      const sid = (viaUrl.body as { sid: string }).sid;
      await waitFor('call ended', () => !e.engine.calls.get(sid)?.live);
      expect(hits.filter((h) => h.includes('/voice'))).toEqual(['redirector POST /voice']);
      expect(hits.some((h) => h.startsWith('target'))).toBe(false);
    } finally {
      target.close();
      redirector.close();
    }
  });
});
