/**
 * Authorization matrix (issue 5): every route of the control server (enumerated from Fastify, so
 * a new route without a row here fails) × {no token, expired token, agent on own task, agent on
 * another's task, supervisor}, with the expected status, all from the one TABLE below. Requests
 * that would be allowed carry an invalid field (or name an unknown recording) so that the
 * matrix changes nothing: the tasks and the engine's recordings are the same afterwards.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expiredToken, routesOf } from './routes-of.ts';
import { writeCounts } from './reliability-counts.ts';
import { startSystem, type System } from '../support/system.ts';

type Who = 'none' | 'expired' | 'own' | 'other' | 'supervisor';
const WHO: readonly Who[] = ['none', 'expired', 'own', 'other', 'supervisor'];
interface Ctx {
  task: string;
  recording: string;
  customerCall: string;
  conference: string;
}
interface Row {
  /** Expected status per column, in WHO order. */
  readonly expect: readonly [number, number, number, number, number];
  /** How the token travels: bearer header (default), the seed routes' `Token` form field, an event-stream ticket, or not at all (webhooks). */
  readonly via?: 'bearer' | 'seed' | 'seed-query' | 'ticket' | 'none';
  readonly body?: (c: Ctx, who: Who) => Record<string, string> | object;
}

const NO_CHANGE = { zzz_unknown: 1 }; // refused with 400 once the caller is authorised: nothing moves
const UNKNOWN_RE = 'RE' + '0'.repeat(32);
const seedBody =
  (key: 'callSid' | 'conferenceSid') =>
  (c: Ctx): Record<string, string> => ({ [key]: key === 'callSid' ? c.customerCall : c.conference, recordingSid: UNKNOWN_RE });

/**
 * The seed routes, at the template's and the Plugin Library's paths, by POST (form) and GET
 * (query). No or an expired token: the token validator's 403, as the Functions answer.
 */
const SEED_ROWS: Record<string, Row> = Object.fromEntries(
  [
    ['/features/pause-recording/flex', '/features/dual-channel-recording/flex'],
    ['/pause-recording', '/dual-channel-recording'],
  ].flatMap(([pause, dual]) =>
    (['POST', 'GET'] as const).flatMap((method) => {
      const via = method === 'POST' ? 'seed' : 'seed-query';
      const rows: [string, Row][] = [
        [`${method} ${pause}/pause-call-recording`, { via, expect: [403, 403, 404, 403, 404], body: seedBody('callSid') }],
        [`${method} ${pause}/resume-call-recording`, { via, expect: [403, 403, 404, 403, 404], body: seedBody('callSid') }],
        [`${method} ${pause}/pause-conference-recording`, { via, expect: [403, 403, 404, 403, 404], body: seedBody('conferenceSid') }],
        [`${method} ${pause}/resume-conference-recording`, { via, expect: [403, 403, 404, 403, 404], body: seedBody('conferenceSid') }],
        // Own agent and supervisor name a call no live TaskRouter task names: nobody may act on it (403,
        // taskrouter/call-authority.ts); bob names alice's call (403).
        [
          `${method} ${dual}/create-recording`,
          { via, expect: [403, 403, 403, 403, 403], body: (c, who) => ({ callSid: who === 'other' ? c.customerCall : 'CA' + '0'.repeat(32) }) },
        ],
      ];
      return rows;
    }),
  ),
);

/** Statuses: 401 no/expired token; 403 another agent's task; 400 allowed but the body is refused; 404 allowed, unknown recording. */
const TABLE: Record<string, Row> = {
  'GET /api/health': { expect: [200, 200, 200, 200, 200] },
  // Operator routes: no user session; /metrics without METRICS_TOKEN is for loopback clients in
  // embedded mode, which these are (its refusals: test/metrics/metrics-health.test.ts).
  'GET /health/live': { expect: [200, 200, 200, 200, 200] },
  'GET /health/ready': { expect: [200, 200, 200, 200, 200] },
  'GET /metrics': { expect: [200, 200, 200, 200, 200] },
  'GET /api/config': { expect: [401, 401, 200, 200, 200] },
  'GET /api/openapi.json': { expect: [401, 401, 200, 200, 200] },
  'POST /api/auth/login': { expect: [400, 400, 400, 400, 400], body: () => ({ identity: 'alice' }) },
  'GET /api/me': { expect: [401, 401, 200, 200, 200] },
  'GET /api/audit': { expect: [401, 401, 200, 200, 200] },
  // The stream as the desktop opens it: a single-use ticket from POST /api/events/ticket in the URL.
  'GET /api/events': { via: 'ticket', expect: [401, 401, 200, 200, 200] },
  'POST /api/events/ticket': { expect: [401, 401, 400, 400, 400], body: () => NO_CHANGE },
  // NO_CHANGE: refused before the session is revoked, so the matrix keeps its tokens.
  'POST /api/auth/logout': { expect: [401, 401, 400, 400, 400], body: () => NO_CHANGE },
  'GET /api/tasks': { expect: [401, 401, 200, 200, 200] },
  'GET /api/tasks/:taskSid': { expect: [401, 401, 200, 403, 200] },
  'POST /api/tasks/:taskSid/accept': { expect: [401, 401, 400, 403, 400], body: () => NO_CHANGE },
  'POST /api/tasks/:taskSid/reject': { expect: [401, 401, 400, 403, 400], body: () => NO_CHANGE },
  'POST /api/tasks/:taskSid/hold': { expect: [401, 401, 400, 403, 400], body: () => NO_CHANGE },
  'POST /api/tasks/:taskSid/transfer': { expect: [401, 401, 400, 403, 400], body: () => NO_CHANGE },
  'POST /api/tasks/:taskSid/hangup': { expect: [401, 401, 400, 403, 400], body: () => NO_CHANGE },
  'POST /api/tasks/:taskSid/complete': { expect: [401, 401, 400, 403, 400], body: () => NO_CHANGE },
  'GET /api/tasks/:taskSid/recording': { expect: [401, 401, 200, 403, 200] },
  'POST /api/tasks/:taskSid/recording/pause': { expect: [401, 401, 400, 403, 400], body: () => NO_CHANGE },
  'POST /api/tasks/:taskSid/recording/resume': { expect: [401, 401, 400, 403, 400], body: () => NO_CHANGE },
  'POST /api/tasks/:taskSid/recording/toggle': { expect: [401, 401, 400, 403, 400], body: () => NO_CHANGE },
  'GET /api/recordings': { expect: [401, 401, 200, 200, 200] },
  'GET /api/recordings/:sid': { expect: [401, 401, 200, 403, 200] },
  // The recording is live: its media is not ready (409) for those allowed to see it.
  'GET /api/recordings/:sid/media': { expect: [401, 401, 409, 403, 409] },
  'POST /api/simulator/calls': { expect: [401, 401, 400, 400, 400], body: () => ({ durationSeconds: 0 }) },
  ...SEED_ROWS,
  'POST /webhooks/voice': { via: 'none', expect: [403, 403, 403, 403, 403], body: (c) => ({ CallSid: c.customerCall }) },
  'POST /webhooks/conference-status': { via: 'none', expect: [403, 403, 403, 403, 403], body: (c) => ({ ConferenceSid: c.conference }) },
  'POST /webhooks/call-status': { via: 'none', expect: [403, 403, 403, 403, 403], body: (c) => ({ CallSid: c.customerCall, CallStatus: 'completed' }) },
  'POST /webhooks/recording-status': {
    via: 'none',
    expect: [403, 403, 403, 403, 403],
    body: (c) => ({ RecordingSid: c.recording, RecordingStatus: 'completed' }),
  },
  'POST /webhooks/taskrouter-events': { via: 'none', expect: [403, 403, 403, 403, 403], body: () => ({ EventType: 'task.completed' }) },
};

let s: System;
const tokens = {} as Record<Who, string | undefined>;
let ctx: Ctx;
const counts = { routes: 0, cells: 0, mismatches: 0 };
beforeAll(async () => {
  s = await startSystem({ settings: { call_recording_enabled: true }, env: { RATE_LIMIT_PER_MINUTE: '0' } });
  const { token, taskSid } = await s.acceptedCall('alice');
  const t = s.server.tasks.get(taskSid)!;
  ctx = { task: taskSid, recording: [...s.engine.engine.activeRecordings][0]!.sid, customerCall: t.attributes.call_sid, conference: t.conferenceSid! };
  Object.assign(tokens, {
    none: undefined,
    expired: expiredToken(join(s.dataDir, 'server'), 'alice', 'agent'),
    own: token,
    other: await s.login('bob'),
    supervisor: await s.login('sam'),
  });
});
afterAll(async () => {
  await s.close();
  writeCounts('authz', { command: 'npx vitest run packages/server/test/safety/authz-matrix.test.ts', ...counts });
});

async function status(method: string, url: string, row: Row, who: Who): Promise<number> {
  const path = url.replace(':taskSid', ctx.task).replace(':sid', ctx.recording);
  const token = tokens[who];
  const headers: Record<string, string> = {};
  let body: string | undefined;
  const fields = row.body?.(ctx, who);
  if (row.via === 'seed') {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams({ ...(fields as Record<string, string>), ...(token === undefined ? {} : { Token: token }) }).toString();
  } else if (row.via === 'seed-query') {
    // Fields and token travel in the query string (below).
  } else if (row.via === 'none') {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(fields as Record<string, string>).toString();
    if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
  } else {
    if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
    if (fields !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(fields);
    }
  }
  let target = s.url + path;
  if (row.via === 'seed-query') {
    target += `?${new URLSearchParams({ ...(fields as Record<string, string>), ...(token === undefined ? {} : { Token: token }) }).toString()}`;
  }
  if (row.via === 'ticket') {
    // A ticket is only as good as the token that asked for it: none or expired gets none (a made-up one is tried).
    const t = token === undefined ? null : await s.api('POST', '/api/events/ticket', { token });
    target += `?ticket=${t?.status === 201 ? (t.body['ticket'] as string) : 'made-up'}`;
    delete headers['authorization'];
  }
  const ac = new AbortController();
  const res = await fetch(target, { method, headers, signal: ac.signal, ...(body === undefined ? {} : { body }) });
  // The event stream stays open: its status is all we need.
  if (res.headers.get('content-type')?.includes('text/event-stream')) ac.abort();
  else await res.text();
  return res.status;
}

describe('authorization matrix', () => {
  it('every route x {no token, expired, own task, another agent, supervisor} answers as the table says, changing nothing', async () => {
    const routes = routesOf(s.server.app).map((r) => `${r.method} ${r.url}`);
    counts.routes = routes.length;
    // Every route has a row, every row a route.
    expect(routes.filter((r) => !(r in TABLE))).toEqual([]);
    expect(Object.keys(TABLE).filter((k) => !routes.includes(k))).toEqual([]);
    const before = JSON.stringify([s.server.tasks.list(), [...s.engine.engine.recordings.values()].map((r) => [r.sid, r.status])]);
    const got: Record<string, number[]> = {};
    const want: Record<string, number[]> = {};
    for (const key of routes) {
      const [method, url] = key.split(' ') as [string, string];
      const row = TABLE[key]!;
      got[key] = [];
      for (const who of WHO) {
        counts.cells++;
        got[key].push(await status(method, url, row, who));
      }
      want[key] = [...row.expect];
      if (JSON.stringify(got[key]) !== JSON.stringify(want[key])) counts.mismatches++;
    }
    expect(got).toEqual(want);
    expect(JSON.stringify([s.server.tasks.list(), [...s.engine.engine.recordings.values()].map((r) => [r.sid, r.status])])).toBe(before);
  }, 60_000);
});
