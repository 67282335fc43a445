/**
 * The lean transport under the SDK (LeanRequestClient) sends what the SDK's own axios RequestClient
 * sends: the same SDK operations run once through each against a local capture server, and the
 * method, path, query, body, Content-Type, Authorization (and the SDK's other headers) must match.
 * Errors keep their shape: a Twilio error answer is a RestException with its status, code and
 * more_info; a timeout, a refused connection and a reset become the same ProviderErrors as before.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toProviderError } from '../../src/provider/provider-errors.ts';
import { formEncode, LeanRequestClient, type ProviderObserver } from '../../src/provider/request-client.ts';
import { TwilioProvider } from '../../src/provider/twilio-provider.ts';
import { TaskRouterClient } from '../../src/taskrouter/taskrouter-client.ts';

const AC = 'AC' + '1'.repeat(32);
const TOKEN = 'secret-token';
const CA = 'CA' + 'a'.repeat(32);
const CF = 'CF' + 'b'.repeat(32);
const RE = 'RE' + 'c'.repeat(32);
const WS = 'WS' + 'd'.repeat(32);
const WW = 'WW' + 'e'.repeat(32);

interface Seen {
  method: string;
  url: string;
  body: string;
  headers: IncomingMessage['headers'];
}

/** Answers every request with `answer` (default: 200 and an empty page), remembering what came. */
class Capture {
  readonly seen: Seen[] = [];
  answer: (req: IncomingMessage, res: ServerResponse, n: number) => void = (_req, res) => {
    res.setHeader('content-type', 'application/json');
    // A page for a list and an instance for the rest, with fixed dates (a missing one reads as "now").
    const at = 'Tue, 01 Dec 2026 06:00:00 +0000';
    const dates = { date_created: at, date_updated: at, start_time: at, task_queue_entered_date: at, virtual_start_time: at };
    res.end(JSON.stringify({ items: [], meta: { key: 'items', next_page_url: null }, sid: RE, status: 'paused', ...dates }));
  };
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.seen.push({ method: req.method ?? '', url: req.url ?? '', body: Buffer.concat(chunks).toString('utf8'), headers: req.headers });
        this.answer(req, res, this.seen.length);
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

let capture: Capture;
beforeAll(async () => {
  capture = new Capture();
  await capture.start();
});
afterAll(async () => {
  await capture.stop();
});

/** An SDK client on `httpClient` (undefined: the SDK's own), pointed at `base`. */
function sdk(httpClient: twilio.RequestClient | undefined, base: string): twilio.Twilio {
  const c = twilio(AC, TOKEN, { region: '', edge: '', timeout: 5000, accountSid: AC, ...(httpClient === undefined ? {} : { httpClient }) });
  c.api.baseUrl = base;
  c.taskrouter.baseUrl = base;
  return c;
}

/** What both transports must agree on, per request. */
function wire(s: Seen) {
  const h = s.headers;
  return {
    method: s.method,
    url: s.url,
    body: s.body,
    contentType: h['content-type'],
    contentLength: s.body === '' ? undefined : h['content-length'],
    authorization: h['authorization'],
    userAgent: h['user-agent'],
    acceptCharset: h['accept-charset'],
    accept: s.method === 'DELETE' ? undefined : h['accept'],
  };
}

const odd = `Zoë "Z" o'brien (agent)* ! ünï 💳 & = + % ~ _ . -`;
const operations: [string, (c: twilio.Twilio) => Promise<unknown>][] = [
  ['list recordings of a call', (c) => c.calls(CA).recordings.list()],
  ['pause a recording with a pause behaviour', (c) => c.calls(CA).recordings(RE).update({ status: 'paused', pauseBehavior: 'skip' })],
  ['resume a conference recording', (c) => c.conferences(CF).recordings(RE).update({ status: 'in-progress' })],
  [
    'start a recording with repeated events',
    (c) =>
      c.calls(CA).recordings.create({
        recordingChannels: 'dual',
        recordingStatusCallback: 'https://x.test/cb?a=1&b=two words',
        recordingStatusCallbackEvent: ['in-progress', 'completed', 'absent'],
      }),
  ],
  [
    'add a participant (booleans, odd label)',
    (c) =>
      c.conferences(CF).participants.create({
        from: '+15550001111',
        to: 'client:alice',
        label: odd,
        startConferenceOnEnter: true,
        endConferenceOnExit: false,
        statusCallbackEvent: ['initiated', 'answered'],
      }),
  ],
  ['remove a participant (DELETE)', (c) => c.conferences(CF).participants(CA).remove()],
  ['find a number (+ in the query)', (c) => c.incomingPhoneNumbers.list({ phoneNumber: '+15550001111', limit: 20 })],
  [
    'TaskRouter: list tasks by expression and repeated statuses',
    (c) =>
      c.taskrouter.v1
        .workspaces(WS)
        .tasks.list({ evaluateTaskAttributes: `call_sid == '${CA}' AND x IN ['a', "b"]`, assignmentStatus: ['pending', 'assigned'], limit: 1000 }),
  ],
  ['TaskRouter: list a worker by name', (c) => c.taskrouter.v1.workspaces(WS).workers.list({ friendlyName: odd, limit: 20 })],
  [
    'TaskRouter: create a task with JSON attributes',
    (c) => c.taskrouter.v1.workspaces(WS).tasks.create({ workflowSid: WW, attributes: JSON.stringify({ call_sid: CA, name: odd }) }),
  ],
  [
    'TaskRouter: fetch a reservation',
    (c) =>
      c.taskrouter.v1
        .workspaces(WS)
        .tasks('WT' + 'f'.repeat(32))
        .reservations('WR' + '0'.repeat(32))
        .fetch(),
  ],
];

describe('LeanRequestClient sends what the SDK sends', () => {
  it.each(operations)('%s', async (_name, op) => {
    const lean = new LeanRequestClient({ timeout: 5000 });
    try {
      const from = capture.seen.length;
      const viaSdk = await op(sdk(undefined, capture.url));
      const viaLean = await op(sdk(lean, capture.url));
      const [a, b] = capture.seen.slice(from).map(wire);
      expect(capture.seen.length - from).toBe(2);
      expect(b).toEqual(a);
      expect(a!.authorization).toBe('Basic ' + Buffer.from(`${AC}:${TOKEN}`).toString('base64'));
      // And the SDK reads the answer the same way (pages, instances, DELETE's boolean).
      expect(JSON.stringify(viaLean)).toBe(JSON.stringify(viaSdk));
    } finally {
      lean.destroy();
    }
  });

  it('encodes forms as qs does with arrayFormat "repeat" (the SDK\'s settings)', () => {
    expect(formEncode({ A: ['x y', "(o'k)*!"], B: true, C: 3, D: null, E: undefined, F: { g: 'h' }, 'K ey': 'ü' })).toBe(
      'A=x%20y&A=%28o%27k%29%2A%21&B=true&C=3&D=&F%5Bg%5D=h&K%20ey=%C3%BC',
    );
  });

  it("TwilioProvider's listings ask what the SDK's list() asks, following every page", async () => {
    const rec = (sid: string) => ({ sid, call_sid: CA, status: 'paused', source: 'StartCallRecordingAPI', channels: 2, start_time: null, duration: null });
    const pages: Record<string, object> = {
      first: { recordings: [rec(RE)], next_page_uri: `/2010-04-01/Accounts/${AC}/Calls/${CA}/Recordings.json?PageSize=1&Page=1&PageToken=PAx` },
      second: { recordings: [rec('RE' + '9'.repeat(32))], next_page_uri: null },
    };
    capture.answer = (req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(req.url?.includes('Page=1') ? pages['second'] : pages['first']));
    };
    const provider = new TwilioProvider({
      accountSid: AC,
      authToken: TOKEN,
      apiBaseUrl: capture.url,
      requestTimeoutMs: 5000,
      retry: { budgetMs: 0, baseDelayMs: 1, maxDelayMs: 1 },
    });
    try {
      const from = capture.seen.length;
      const viaSdk = await sdk(undefined, capture.url).calls(CA).recordings.list();
      const mid = capture.seen.length;
      const viaProvider = await provider.listCallRecordings(CA);
      expect(capture.seen.slice(mid).map(wire)).toEqual(capture.seen.slice(from, mid).map(wire));
      expect(mid - from).toBe(2);
      expect(viaProvider.map((r) => r.sid)).toEqual(viaSdk.map((r) => r.sid));
      expect(viaProvider).toHaveLength(2);
    } finally {
      capture.answer = new Capture().answer;
    }
  });

  it('gives TaskRouterClient the same transport (its reads carry the same query)', async () => {
    const tr = new TaskRouterClient({ accountSid: AC, authToken: TOKEN, apiBaseUrl: capture.url, requestTimeoutMs: 5000, workspaceSid: WS });
    expect(tr.client.httpClient).toBeInstanceOf(LeanRequestClient);
    const from = capture.seen.length;
    await tr.findTasks(`call_sid == '${CA}'`, ['pending', 'assigned']);
    await sdk(undefined, capture.url)
      .taskrouter.v1.workspaces(WS)
      .tasks.list({ evaluateTaskAttributes: `call_sid == '${CA}'`, assignmentStatus: ['pending', 'assigned'], limit: 1000 });
    const [mine, theirs] = capture.seen.slice(from).map(wire);
    expect(mine).toEqual(theirs);
  });
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** The same failing operation through both transports, as the provider sees it. */
async function bothFail(base: string, timeout = 5000) {
  const lean = new LeanRequestClient({ timeout });
  try {
    const list = (c: twilio.Twilio) =>
      c
        .calls(CA)
        .recordings.list()
        .catch((e: unknown) => e);
    const viaSdk = await list(withTimeout(undefined, base, timeout));
    const viaLean = await list(withTimeout(lean, base, timeout));
    return { viaSdk, viaLean };
  } finally {
    lean.destroy();
  }
}

/** An SDK client on `httpClient` (undefined: a new SDK RequestClient) with `timeout`, pointed at `base`. */
function withTimeout(httpClient: twilio.RequestClient | undefined, base: string, timeout: number): twilio.Twilio {
  const c = twilio(AC, TOKEN, { region: '', edge: '', accountSid: AC, timeout, httpClient: httpClient ?? new twilio.RequestClient({ timeout }) });
  c.api.baseUrl = base;
  return c;
}

describe('LeanRequestClient fails as the SDK fails', () => {
  it('turns a Twilio error answer into a RestException with status, code and more_info', async () => {
    capture.answer = (_req, res) => {
      res.statusCode = 404;
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({ code: 20404, message: 'The requested resource was not found', more_info: 'https://www.twilio.com/docs/errors/20404', status: 404 }),
      );
    };
    try {
      const { viaSdk, viaLean } = await bothFail(capture.url);
      expect(viaLean).toBeInstanceOf(twilio.RestException);
      const shape = (e: unknown) => {
        const r = e as InstanceType<typeof twilio.RestException>;
        return { status: r.status, code: r.code, moreInfo: r.moreInfo, message: r.message };
      };
      expect(shape(viaLean)).toEqual(shape(viaSdk));
      expect(shape(viaLean)).toEqual({
        status: 404,
        code: 20404,
        moreInfo: 'https://www.twilio.com/docs/errors/20404',
        message: 'The requested resource was not found',
      });
      expect(toProviderError(viaLean, 'x')).toMatchObject({ code: 'NOT_FOUND', twilioErrorCode: 20404, transient: false });
    } finally {
      capture.answer = new Capture().answer;
    }
  });

  it('gives up at the timeout: UPSTREAM_TIMEOUT, transient', async () => {
    capture.answer = () => undefined; // never answers
    try {
      const { viaSdk, viaLean } = await bothFail(capture.url, 300);
      expect(toProviderError(viaSdk, 'x')).toMatchObject({ code: 'UPSTREAM_TIMEOUT', transient: true });
      expect(toProviderError(viaLean, 'x')).toMatchObject({ code: 'UPSTREAM_TIMEOUT', transient: true });
      expect(viaLean).toMatchObject({ code: 'ECONNABORTED' });
    } finally {
      capture.answer = new Capture().answer;
    }
  });

  it('a refused connection and a reset are transient UPSTREAM_UNAVAILABLE', async () => {
    const refused = await bothFail(`http://127.0.0.1:${await closedPort()}`);
    for (const e of [refused.viaSdk, refused.viaLean]) {
      expect(toProviderError(e, 'x')).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', transient: true });
    }
    expect(refused.viaLean).toMatchObject({ code: 'ECONNREFUSED' });
    capture.answer = (req) => req.socket.destroy();
    try {
      const reset = await bothFail(capture.url);
      for (const e of [reset.viaSdk, reset.viaLean]) expect(toProviderError(e, 'x')).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', transient: true });
    } finally {
      capture.answer = new Capture().answer;
    }
  });

  it("retries 429 answers only when asked to (the SDK's autoRetry)", async () => {
    capture.answer = (_req, res, n) => {
      const tooMany = (n - from) % 3 !== 0;
      res.statusCode = tooMany ? 429 : 200;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(tooMany ? { code: 20429, message: 'Too Many Requests', status: 429 } : { items: [] }));
    };
    let from = capture.seen.length;
    const retrying = new LeanRequestClient({ timeout: 5000, autoRetry: true, maxRetryDelay: 20 });
    const plain = new LeanRequestClient({ timeout: 5000 });
    try {
      expect(await withTimeout(retrying, capture.url, 5000).calls(CA).recordings.list()).toEqual([]);
      expect(capture.seen.length - from).toBe(3);
      from = capture.seen.length;
      const e = await withTimeout(plain, capture.url, 5000)
        .calls(CA)
        .recordings.list()
        .catch((x: unknown) => x);
      expect(capture.seen.length - from).toBe(1);
      expect(toProviderError(e, 'x')).toMatchObject({ code: 'RATE_LIMITED', twilioStatus: 429, transient: true });
    } finally {
      capture.answer = new Capture().answer;
      retrying.destroy();
      plain.destroy();
    }
  });

  it('tells the observer of every request: method, route, status, Twilio code', async () => {
    const seen: Parameters<ProviderObserver>[0][] = [];
    const lean = new LeanRequestClient({ timeout: 5000, observe: (o) => seen.push(o) });
    try {
      await withTimeout(lean, capture.url, 5000).calls(CA).recordings(RE).update({ status: 'paused' });
      capture.answer = (_req, res) => {
        res.statusCode = 404;
        res.end(JSON.stringify({ code: 20404, message: 'no', status: 404 }));
      };
      await withTimeout(lean, capture.url, 5000)
        .calls(CA)
        .recordings.list()
        .catch(() => undefined);
      await withTimeout(lean, `http://127.0.0.1:${await closedPort()}`, 5000)
        .calls(CA)
        .recordings.list()
        .catch(() => undefined);
      expect(seen.map(({ seconds: _s, ...o }) => o)).toEqual([
        { method: 'POST', route: '/2010-04-01/Accounts/AC…/Calls/CA…/Recordings/RE….json', status: '200', twilioCode: '' },
        { method: 'GET', route: '/2010-04-01/Accounts/AC…/Calls/CA…/Recordings.json', status: '404', twilioCode: '20404' },
        { method: 'GET', route: '/2010-04-01/Accounts/AC…/Calls/CA…/Recordings.json', status: 'ECONNREFUSED', twilioCode: '' },
      ]);
      expect(seen.every((o) => o.seconds >= 0)).toBe(true);
    } finally {
      capture.answer = new Capture().answer;
      lean.destroy();
    }
  });
});

describe('LeanRequestClient over HTTPS', () => {
  it('verifies the certificate (refuses an unknown CA, accepts it from TWILIO_CA_BUNDLE)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lean-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const server = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ items: [] }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const untrusted = new LeanRequestClient({ timeout: 5000 });
    process.env['TWILIO_CA_BUNDLE'] = join(dir, 'cert.pem');
    const trusted = new LeanRequestClient({ timeout: 5000 });
    delete process.env['TWILIO_CA_BUNDLE'];
    try {
      const refused = await withTimeout(untrusted, base, 5000)
        .calls(CA)
        .recordings.list()
        .catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
      expect(await withTimeout(trusted, base, 5000).calls(CA).recordings.list()).toEqual([]);
    } finally {
      untrusted.destroy();
      trusted.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('tunnels through HTTP_PROXY to api.twilio.com as the SDK does', async () => {
    const connects: string[] = [];
    const proxy = createServer();
    proxy.on('connect', (req: IncomingMessage, socket) => {
      connects.push(req.url ?? '');
      socket.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    process.env['HTTP_PROXY'] = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const lean = new LeanRequestClient({ timeout: 3000 });
    delete process.env['HTTP_PROXY'];
    try {
      const c = twilio(AC, TOKEN, { region: '', edge: '', accountSid: AC, timeout: 3000, httpClient: lean });
      await c
        .calls(CA)
        .recordings.list()
        .catch(() => undefined);
      expect(connects).toEqual(['api.twilio.com:443']);
    } finally {
      lean.destroy();
      proxy.closeAllConnections();
      await new Promise<void>((r) => proxy.close(() => r()));
    }
  });
});
