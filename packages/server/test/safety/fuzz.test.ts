/**
 * Hostile input (issue 5) against EVERY route of the control server and of the voice engine, as
 * their Fastify instances list them (routes-of.ts: a new route is fuzzed without being named
 * here): no, garbage, forged, expired and wrong-scheme credentials; hostile path parameters (bad
 * and unknown SIDs, `..`, encoded slashes, NUL, very long); malformed, oversized, wrong-typed
 * and unknown-field bodies; raw path tricks; and percent-encoded, doubled-slash and dot-segment
 * spellings of every route's path. Every answer must be a 4xx that names the problem
 * (never a 5xx, never a 2xx), and a snapshot of the server's tasks, pauses, recordings and audit
 * and of the engine's calls, conferences, recordings, numbers and faults is the same afterwards.
 */
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expiredToken, routesOf, type RouteInfo } from './routes-of.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { writeCounts } from './reliability-counts.ts';
import { startSystem, type System } from '../support/system.ts';

let s: System;
let alice: string;
let sam: string;
let taskSid: string;
/** Routes anyone may call: login, the health checks, and /metrics (loopback clients in embedded mode, as here). */
const PUBLIC = new Set(['/api/health', '/api/auth/login', '/health/live', '/health/ready', '/metrics']);
const v: Record<string, string> = {};
const counts = {
  logLinesChecked: 0,
  serverRoutes: 0,
  engineRoutes: 0,
  requests: 0,
  status4xx: 0,
  status5xx: 0,
  status2xx: 0,
  unnamed: 0,
  stateChanges: 0,
  // Odd spellings sent with a valid token and compared with the plain path (not counted as fuzzed: any status may be right).
  spellingsCompared: 0,
};
const failures: string[] = [];
/** The server's whole log (trace level) during the fuzz: no secret may appear in it. */
const logLines: string[] = [];

beforeAll(async () => {
  s = await startSystem({
    settings: { call_recording_enabled: true },
    env: { RATE_LIMIT_PER_MINUTE: '0', LOGIN_FAILURES_PER_MINUTE: '10000' },
    server: {
      logger: createLogger('trace', { write: (line: string) => void logLines.push(line) }),
      retry: { baseDelayMs: 20, maxDelayMs: 200 },
      acceptWaitMs: 5000,
    },
  });
  ({ token: alice, taskSid } = await s.acceptedCall('alice'));
  sam = await s.login('sam');
  const t = s.server.tasks.get(taskSid)!;
  const rec = [...s.engine.engine.activeRecordings][0]!;
  Object.assign(v, {
    task: taskSid,
    call: t.attributes.call_sid,
    conference: t.conferenceSid!,
    recording: rec.sid,
    number: [...s.engine.engine.numbers.keys()][0]!,
  });
});
afterAll(async () => {
  await s.close();
  writeCounts('fuzz', { command: 'npx vitest run packages/server/test/safety/fuzz.test.ts', ...counts });
});

interface Answer {
  status: number;
  text: string;
}
function raw(base: string, method: string, path: string, headers: Record<string, string>, body?: string | Buffer): Promise<Answer> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        method,
        path,
        headers: { ...headers, ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** Everything a refused request must leave alone. */
function snapshot(): string {
  const e = s.engine.engine;
  const db = s.server.db;
  return JSON.stringify({
    tasks: s.server.tasks.list(),
    audit: s.server.audit.count(),
    pauses: db.prepare('SELECT * FROM pauses ORDER BY id').all(),
    spans: db.prepare('SELECT * FROM recording_pauses ORDER BY id').all(),
    recordingsSeen: db.prepare('SELECT sid, status FROM recordings ORDER BY sid').all(),
    calls: [...e.calls.values()].map((c) => [c.sid, c.status, c.conference?.sid ?? null]).sort(),
    conferences: [...e.conferences.values()].map((c) => [c.sid, c.status, [...c.participants.keys()].sort()]).sort(),
    recordings: [...e.recordings.values()].map((r) => [r.sid, r.status, r.pauseBehavior]).sort(),
    numbers: [...e.numbers.values()].map((n) => JSON.stringify(n)).sort(),
    faults: s.engine.faults.list().length,
  });
}

const HOSTILE_PARAMS = [
  'WT123',
  'XX' + '0'.repeat(32),
  'WT' + 'G'.repeat(32),
  'WT' + '0'.repeat(32), // well-formed, unknown
  '..',
  '%2e%2e',
  '..%2F..%2Fetc%2Fpasswd',
  '%2F',
  'a%00b',
  '%E2%80%AE',
  '%ZZ',
  'x'.repeat(300),
  "'%20OR%201=1--",
];

/** Bodies no route may accept. */
const HOSTILE_BODIES: { ct: string; body: string }[] = [
  { ct: 'application/json', body: '{' },
  { ct: 'application/json', body: '[1,2]' },
  { ct: 'application/json', body: '"text"' },
  { ct: 'application/json', body: '{"zzz_unknown":1}' },
  { ct: 'application/json', body: '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}' },
  { ct: 'application/json', body: '{"reason":5,"hold":"yes","to":7,"identity":[],"password":{},"from":1,"durationSeconds":"x","agent":null}' },
  { ct: 'application/json', body: JSON.stringify({ reason: 'x'.repeat(70_000) }) },
  { ct: 'application/json', body: '{"a":' + '['.repeat(5000) + ']'.repeat(5000) + '}' },
  { ct: 'application/x-www-form-urlencoded', body: 'zzz_unknown=1&reason=' },
  { ct: 'text/plain', body: 'hello' },
  { ct: 'application/xml', body: '<a/>' },
];

/** Engine form bodies: every field a route might read, each malformed. */
const ENGINE_BODIES: { ct: string; body: string }[] = [
  {
    ct: 'application/x-www-form-urlencoded',
    body:
      'Status=bogus&To=not-a-number&From=&Twiml=%3Cnope&Url=javascript%3Aalert(1)&PageSize=-1&RecordingChannels=triple&RecordingTrack=sideways&PauseBehavior=loud' +
      '&Hold=maybe&Muted=perhaps&StartConferenceOnEnter=sure&VoiceUrl=ftp%3A%2F%2Fx&PhoneNumber=123&action=explode&identity=&ttlSeconds=forever&Slot=9&token=',
  },
  { ct: 'application/json', body: '{' },
  // Over the engine's 1 MiB body limit. (Unknown fields alone are ignored, as at Twilio.)
  { ct: 'application/x-www-form-urlencoded', body: 'Status=' + 'x'.repeat(1_100_000) },
];

function named(status: number, text: string, kind: 'server' | 'engine' | 'seed'): boolean {
  if (status === 413 || status === 414 || status === 431) return true; // the status says it all
  // A refused token on a seed route is the Functions' validator answer: 403 with the reason as plain text.
  if (kind === 'seed' && status === 403 && !text.startsWith('{')) return text.trim() !== '';
  try {
    const b = JSON.parse(text) as Record<string, unknown>;
    if (kind === 'engine') return typeof b['message'] === 'string' && b['message'] !== '' && typeof b['code'] === 'number';
    if (kind === 'seed' && b['success'] === false) return typeof b['message'] === 'string' && b['message'] !== '';
    const e = b['error'] as { message?: string; field?: string } | undefined;
    return typeof e?.message === 'string' && e.message !== '' && (status !== 400 || typeof e.field === 'string');
  } catch {
    return false;
  }
}

async function expect4xx(
  base: string,
  kind: 'server' | 'engine' | 'seed',
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<void> {
  counts.requests++;
  const a = await raw(base, method, path, headers, body);
  if (a.status >= 500) counts.status5xx++;
  else if (a.status >= 400) counts.status4xx++;
  else counts.status2xx++;
  const ok = a.status >= 400 && a.status < 500 && named(a.status, a.text, kind);
  if (!ok) {
    if (a.status >= 400 && a.status < 500) counts.unnamed++;
    failures.push(`${method} ${path.slice(0, 120)} [${(body ?? '').slice(0, 60)}] -> ${a.status} ${a.text.slice(0, 160)}`);
  }
}

function fill(url: string, valueFor: (prev: string, i: number, last: boolean) => string, hostileAt = -1, hostile = ''): string {
  const segs = url.split('/');
  let n = -1;
  return segs
    .map((seg, i) => {
      if (!seg.startsWith(':')) return seg;
      n++;
      const last = i === segs.length - 1;
      return n === hostileAt ? hostile : valueFor(segs[i - 1] ?? '', n, last);
    })
    .join('/');
}

/**
 * Other spellings of a path that a router may resolve to the same route (it decodes `%61` to
 * `a`), or that a check on the raw URL might misread: a percent-encoded first letter, an encoded
 * letter further in, doubled slashes, dot segments (plain and encoded), a trailing slash.
 */
function oddSpellings(path: string): string[] {
  const hex = (c: string) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  const segs = path.split('/');
  const out = [
    `/${hex(path[1]!)}${path.slice(2)}`,
    `/${hex(path[1]!).toUpperCase()}${path.slice(2)}`,
    segs.length > 2 && segs[2] !== '' ? `/${segs[1]}/${hex(segs[2]![0]!)}${segs.slice(2).join('/').slice(1)}` : `${path}%2F`,
    `/${path}`,
    path.replace(/^(\/[^/]+)\//, '$1//'),
    `/x/..${path}`,
    `/x/%2e%2e${path}`,
    `/.${path}`,
    path.replace(/^(\/[^/]+)\//, '$1/./'),
    `${path}/`,
  ];
  if (path.includes('.json')) out.push(path.replace('.json', '%2Ejson'));
  return [...new Set(out)];
}

describe('hostile input', () => {
  it('every route of the control server: 4xx naming the problem, nothing changed', async () => {
    const routes = routesOf(s.server.app);
    counts.serverRoutes = routes.length;
    // The listing is real: it has the routes we know of (and whatever is added later).
    expect(routes.map((r) => `${r.method} ${r.url}`)).toEqual(
      expect.arrayContaining(['POST /api/tasks/:taskSid/recording/pause', 'GET /api/audit', 'POST /webhooks/voice']),
    );
    const expired = expiredToken(join(s.dataDir, 'server'), 'alice', 'agent');
    const forged = alice.slice(0, -2) + (alice.endsWith('AA') ? 'BB' : 'AA');
    const badAuth: Record<string, string>[] = [
      {},
      { authorization: 'Bearer nonsense' },
      { authorization: `Bearer ${expired}` },
      { authorization: `Bearer ${forged}` },
      { authorization: `Basic ${Buffer.from('alice:demo').toString('base64')}` },
    ];
    const valueFor = (prev: string): string => (prev === 'recordings' ? v['recording']! : v['task']!);
    // The seed routes: the template's paths and the Plugin Library's.
    const kindOf = (r: RouteInfo): 'server' | 'seed' => (/^\/(features|pause-recording|dual-channel-recording)\//.test(r.url) ? 'seed' : 'server');
    const before = snapshot();
    for (const r of routes) {
      const path = fill(r.url, valueFor);
      const kind = kindOf(r);
      const publicRoute = PUBLIC.has(r.url);
      // Credentials: none, garbage, expired, forged, wrong scheme.
      if (!publicRoute) {
        for (const h of badAuth) {
          if (kind === 'seed') {
            const tok = h['authorization']?.replace(/^\w+ /, '') ?? '';
            await expect4xx(
              s.url,
              kind,
              r.method,
              path,
              { 'content-type': 'application/x-www-form-urlencoded' },
              new URLSearchParams({ Token: tok, callSid: v['call']!, conferenceSid: v['conference']! }).toString(),
            );
          } else if (r.url.startsWith('/webhooks/')) {
            await expect4xx(
              s.url,
              kind,
              r.method,
              path,
              { ...h, 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'forged=' },
              `CallSid=${v['call']}&CallStatus=completed`,
            );
          } else {
            await expect4xx(s.url, kind, r.method, path, h);
          }
        }
      }
      // Hostile path parameters, with a supervisor's token (authorised for everything).
      for (let i = 0; i < r.params.length; i++) {
        for (const bad of HOSTILE_PARAMS) {
          await expect4xx(
            s.url,
            kind,
            r.method,
            fill(r.url, valueFor, i, bad),
            { authorization: `Bearer ${sam}` },
            r.method === 'POST' ? '{"zzz_unknown":1}' : undefined,
          );
        }
      }
      // Hostile bodies on every POST route, with valid credentials and path.
      if (r.method === 'POST') {
        for (const b of HOSTILE_BODIES) {
          const headers = { authorization: `Bearer ${alice}`, 'content-type': b.ct };
          let body = b.body;
          if (kind === 'seed' && b.ct === 'application/x-www-form-urlencoded') body = `Token=${alice}&callSid=CA1&conferenceSid=${b.body}`;
          if (kind === 'seed' && b.body.startsWith('{"zzz')) body = JSON.stringify({ Token: alice, callSid: 'CA' + 'z'.repeat(32), conferenceSid: 5 });
          if (r.url === '/api/auth/login' && b.body.startsWith('{"zzz')) body = '{"identity":"alice","password":"demo","zzz_unknown":1}';
          await expect4xx(s.url, kind, r.method, path, headers, body);
        }
      }
      // Hostile query strings on every API route (with valid credentials and path).
      if (r.url.startsWith('/api/') && r.url !== '/api/health') {
        for (const q of ['?taskSid=..%2F..', '?from=yesterday', '?format=xml', '?zzz=1', '?taskSid=' + 'W'.repeat(5000)]) {
          await expect4xx(s.url, kind, r.method, path + q, { authorization: `Bearer ${alice}` });
        }
      }
    }
    // Credentials in the query string (EventSource cannot send headers): refused, and kept out of the log.
    for (const tok of [expired, forged, 'nonsense']) {
      await expect4xx(s.url, 'server', 'GET', `/api/events?token=${encodeURIComponent(tok)}`, {});
      await expect4xx(s.url, 'server', 'GET', `/api/tasks?token=${encodeURIComponent(tok)}&access_token=${encodeURIComponent(tok)}`, {});
    }
    // Encoded, doubled-slash and dot-segment spellings of every route: without credentials
    // none is served (authorization is decided on the matched route, however it was spelled);
    // with an agent's token an odd spelling never gets further than the plain path does.
    for (const r of routes) {
      const path = fill(r.url, valueFor);
      const kind = kindOf(r);
      const publicRoute = PUBLIC.has(r.url);
      for (const odd of oddSpellings(path)) {
        if (publicRoute) continue;
        if (kind === 'seed') {
          await expect4xx(
            s.url,
            kind,
            r.method,
            odd,
            { 'content-type': 'application/x-www-form-urlencoded' },
            new URLSearchParams({ Token: 'nonsense', callSid: v['call']!, conferenceSid: v['conference']! }).toString(),
          );
        } else if (r.url.startsWith('/webhooks/')) {
          await expect4xx(
            s.url,
            kind,
            r.method,
            odd,
            { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'forged=' },
            `CallSid=${v['call']}&CallStatus=completed`,
          );
        } else {
          await expect4xx(s.url, kind, r.method, odd, {});
        }
        if (r.method === 'GET' && r.url.startsWith('/api/') && r.url !== '/api/events') {
          counts.spellingsCompared++;
          const plain = await raw(s.url, 'GET', path, { authorization: `Bearer ${alice}` });
          const a = await raw(s.url, 'GET', odd, { authorization: `Bearer ${alice}` });
          if (plain.status >= 400 && a.status < 400) failures.push(`agent via odd spelling: GET ${odd} -> ${a.status} (plain path: ${plain.status})`);
        }
      }
    }
    // Raw path tricks that no router should resolve into a real route.
    for (const p of [
      '/api/tasks/../audit',
      '/api/%2e%2e/audit',
      `/api/tasks/${taskSid}%2Frecording%2Fpause`,
      '//api//tasks',
      '/api/tasks/' + 'x'.repeat(8000),
      '/../../etc/passwd',
      '/api/tasks/%',
      '/api/%00',
    ]) {
      await expect4xx(s.url, 'server', 'POST', p, { authorization: `Bearer ${alice}` });
    }
    if (snapshot() !== before) counts.stateChanges++;
    expect(failures).toEqual([]);
    expect(snapshot()).toBe(before);
    // Secrets stay out of the log, whatever was thrown at the server.
    const secrets = [alice, sam, expired, forged, s.engine.authToken, Buffer.from(`${s.engine.accountSid}:${s.engine.authToken}`).toString('base64')];
    expect(logLines.length).toBeGreaterThan(counts.requests / 2);
    counts.logLinesChecked = logLines.length;
    expect(logLines.filter((l) => secrets.some((x) => l.includes(x))).map((l) => l.slice(0, 200))).toEqual([]);
  }, 120_000);

  it('every route of the voice engine: 4xx naming the problem, nothing changed', async () => {
    const routes = routesOf(s.engine.app);
    counts.engineRoutes = routes.length;
    expect(routes.map((r) => `${r.method} ${r.url}`)).toEqual(
      expect.arrayContaining(['POST /dev/faults', 'GET /2010-04-01/Accounts/:AccountSid/Recordings.json']),
    );
    const basic = (user: string, pass: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` });
    const good = basic(s.engine.accountSid, s.engine.authToken);
    const badAuth: Record<string, string>[] = [
      {},
      basic(s.engine.accountSid, 'wrong-token'),
      basic('AC' + '1'.repeat(32), s.engine.authToken),
      { authorization: 'Bearer x' },
      { authorization: 'Basic !!!' },
    ];
    const sidAfter: Record<string, string> = {
      Calls: 'call',
      Participants: 'call',
      Conferences: 'conference',
      Recordings: 'recording',
      IncomingPhoneNumbers: 'number',
      recordings: 'recording',
    };
    const valueFor = (prev: string, _i: number, last: boolean): string => {
      if (prev === 'Accounts') return s.engine.accountSid;
      if (prev === 'faults') return '999999';
      const sid = v[sidAfter[prev] ?? 'call']!;
      return last ? `${sid}.json` : sid;
    };
    const before = snapshot();
    failures.length = 0;
    for (const r of routes) {
      const path = fill(r.url, valueFor);
      const validates = r.url.startsWith('/v1/');
      if (!validates)
        for (const h of badAuth)
          await expect4xx(
            s.engine.url,
            'engine',
            r.method,
            path,
            { ...h, 'content-type': 'application/x-www-form-urlencoded' },
            r.method === 'GET' || r.method === 'DELETE' ? undefined : 'Status=paused',
          );
      for (let i = 0; i < r.params.length; i++) {
        for (const bad of HOSTILE_PARAMS) {
          if (r.params[i] === 'AccountSid' && bad.startsWith('WT')) continue;
          await expect4xx(s.engine.url, 'engine', r.method, fill(r.url, valueFor, i, bad), good);
        }
      }
      if (r.method === 'POST' && !validates) {
        for (const b of ENGINE_BODIES) await expect4xx(s.engine.url, 'engine', r.method, path, { ...good, 'content-type': b.ct }, b.body);
      }
      // Odd spellings of the path (issue 9: `/%32010-04-01/...` once skipped the engine's auth),
      // with a body that would succeed: refused without credentials, and not served with them.
      const wouldSucceed =
        r.method === 'GET' || r.method === 'DELETE' ? undefined : 'Status=in-progress&identity=mallory&roles=supervisor&action=drop&path=%2Fzzz';
      for (const odd of oddSpellings(path)) {
        for (const h of [{}, basic(s.engine.accountSid, 'wrong-token'), good]) {
          await expect4xx(
            s.engine.url,
            'engine',
            r.method,
            odd,
            { ...h, ...(wouldSucceed ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
            wouldSucceed,
          );
        }
      }
    }
    if (snapshot() !== before) counts.stateChanges++;
    expect(failures).toEqual([]);
    expect(snapshot()).toBe(before);
  }, 120_000);
});
