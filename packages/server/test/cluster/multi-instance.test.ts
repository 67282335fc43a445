/**
 * Several instances (issue 14): one embedded engine, one throwaway PostgreSQL, three real server
 * processes (`npm run server`'s entry as child processes on free ports) sharing DATABASE_URL and
 * AUTH_SECRET. Tokens and stream tickets of one instance work on another; a pause through A
 * reaches alice's event stream on B; pause/resume storms through all three at once end with the
 * server's state equal to the engine's and a strictly alternating audit; `kill -9` of A while a
 * pause with `max_pause_seconds` is open leaves the auto-resume to B or C, exactly once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LiveEvent } from '@pause-recording/core';
import { startEngine, type RunningEngine } from '@pause-recording/voice-engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresCluster } from '../support/postgres.ts';
import { readFrames } from '../support/sse.ts';
import { waitUntil } from '../support/system.ts';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const serverMain = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const MAX_PAUSE_SECONDS = 3;
const PR = new Set(['pause', 'resume', 'auto-resume']);

interface Instance {
  readonly name: string;
  readonly base: string;
  child: ChildProcess;
}

interface AuditRow {
  id: number;
  action: string;
  actor: string;
  outcome: string;
  at: string;
}

const children: ChildProcess[] = [];
let pg: PostgresCluster;
let engine: RunningEngine;
const instances: Instance[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

function spawnServer(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', serverMain], { cwd: repo, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (/control server listening on/.test(out)) resolve(child);
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code, signal) => reject(new Error(`server exited early (${code ?? signal}):\n${out}`)));
  });
}

async function http(base: string, method: string, path: string, token?: string, json?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(base + path, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(json === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Reads alice's live events from `base` with a ticket issued by `ticketBase` (as the desktop does, behind a load balancer). */
async function stream(ticketBase: string, base: string, token: string): Promise<{ events: { at: number; event: LiveEvent }[]; stop: () => void }> {
  const t = await http(ticketBase, 'POST', '/api/events/ticket', token);
  expect(t.status).toBe(201);
  const ac = new AbortController();
  const res = await fetch(`${base}/api/events?ticket=${encodeURIComponent(t.body['ticket'] as string)}`, { signal: ac.signal });
  expect(res.status).toBe(200);
  const events: { at: number; event: LiveEvent }[] = [];
  let ready!: () => void;
  const hello = new Promise<void>((r) => (ready = r));
  void readFrames(res, { hello: ready, event: (event) => events.push({ at: performance.now(), event }) });
  await hello;
  return { events, stop: () => ac.abort() };
}

beforeAll(async () => {
  pg = await startPostgres();
  const databaseUrl = await pg.createDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'multi-instance-'));
  engine = await startEngine({ dataDir: join(dir, 'engine'), audio: 'stamped', devRoutes: true });
  const settings = join(dir, 'settings.json');
  writeFileSync(
    settings,
    JSON.stringify({ call_recording_enabled: true, features: { pause_recording: { reminder_seconds: 0, max_pause_seconds: MAX_PAUSE_SECONDS } } }),
  );
  const secret = randomBytes(32).toString('base64url');
  // One after another: the migrations are applied once, and the last to start owns the phone number's webhooks.
  for (const name of ['A', 'B', 'C']) {
    const port = await freePort();
    const child = await spawnServer({
      PORT: String(port),
      DATA_DIR: join(dir, `server-${name}`),
      ENGINE_URL: engine.url,
      CONFIG: settings,
      LOG_LEVEL: 'silent',
      RATE_LIMIT_PER_MINUTE: '0',
      DATABASE_URL: databaseUrl,
      AUTH_SECRET: secret,
    });
    instances.push({ name, base: `http://127.0.0.1:${port}`, child });
  }
}, 120_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await engine?.close();
  await pg?.stop();
});

describe('three server instances on one PostgreSQL', () => {
  it('share sessions, tasks, live events, locks and deadlines', async () => {
    const [A, B, C] = instances as [Instance, Instance, Instance];
    const login = async (i: Instance, identity: string) => {
      const r = await http(i.base, 'POST', '/api/auth/login', undefined, { identity, password: 'demo' });
      expect(r.status).toBe(200);
      return r.body['token'] as string;
    };
    // Agents log in on different instances; every token works on every instance (one AUTH_SECRET).
    const alice = await login(A, 'alice');
    const bob = await login(B, 'bob');
    const sam = await login(C, 'sam');
    for (const i of instances) for (const t of [alice, bob, sam]) expect((await http(i.base, 'GET', '/api/me', t)).status).toBe(200);

    // The customer's call reaches C (the number's webhooks point at the last instance to start).
    const call = await http(C.base, 'POST', '/api/simulator/calls', alice, { agent: 'alice' });
    expect(call.status).toBe(201);
    const taskSid = call.body['taskSid'] as string;
    expect((await http(C.base, 'POST', `/api/tasks/${taskSid}/accept`, alice)).status).toBe(200);
    // The task is known everywhere (each instance keeps a replica of the shared tasks).
    for (const i of instances)
      await waitUntil(`${i.name} knows the accepted task`, async () => (await http(i.base, 'GET', `/api/tasks/${taskSid}/recording`, alice)).status === 200);
    const audit = async (i: Instance) =>
      ((await http(i.base, 'GET', `/api/audit?taskSid=${taskSid}`, sam)).body['events'] as AuditRow[]).filter((e) => PR.has(e.action));

    // Alice's desktop streams from B with a ticket A issued; she pauses through A.
    const onB = await stream(A.base, B.base, alice);
    const sent = performance.now();
    const paused = await http(A.base, 'POST', `/api/tasks/${taskSid}/recording/pause`, alice, { reason: 'card number' });
    const answered = performance.now();
    expect(paused.status).toBe(200);
    expect(paused.body['status']).toBe('paused');
    const seen = await waitUntil(
      'paused on B',
      () => onB.events.find((e) => e.event.type === 'recording.state' && e.event.taskSid === taskSid && e.event.state.status === 'paused'),
      5000,
    );
    // A publishes before it answers, so B's stream may see the event before the test reads A's answer (a negative figure).
    console.log(
      `[multi-instance] pause through A -> 'paused' on B's stream: ${(seen.at - sent).toFixed(1)} ms after the request was sent, ${(seen.at - answered).toFixed(1)} ms relative to A's answer`,
    );
    // Exactly once on B's stream, though A published it and B relayed it.
    await new Promise((r) => setTimeout(r, 200));
    expect(onB.events.filter((e) => e.event.type === 'recording.state' && e.event.state.status === 'paused')).toHaveLength(1);
    expect((await http(B.base, 'POST', `/api/tasks/${taskSid}/recording/resume`, alice)).body['status']).toBe('recording');

    // Storms: pause and resume through all three at once, several rounds.
    const engineStatus = async (): Promise<string> => {
      const state = (await http(B.base, 'GET', `/api/tasks/${taskSid}/recording`, alice)).body;
      const sids = new Set((state['recordings'] as { sid: string }[]).map((r) => r.sid));
      const recs = [...engine.engine.activeRecordings].filter((r) => sids.has(r.sid));
      expect(recs.length).toBeGreaterThanOrEqual(2);
      const statuses = new Set(recs.map((r) => r.status));
      return statuses.size === 1 && statuses.has('paused')
        ? 'paused'
        : statuses.size === 1 && statuses.has('in-progress')
          ? 'recording'
          : [...statuses].join('+');
    };
    const actions = ['pause', 'resume', 'toggle'];
    for (let round = 0; round < 6; round++) {
      const rs = await Promise.all(
        instances.map((i, k) => http(i.base, 'POST', `/api/tasks/${taskSid}/recording/${actions[(round + k) % 3]}`, [alice, sam, alice][k])),
      );
      for (const r of rs) expect([round, r.status]).toEqual([round, 200]);
      const truth = await engineStatus();
      for (const i of instances) {
        const state = await http(i.base, 'GET', `/api/tasks/${taskSid}/recording`, alice);
        expect([round, i.name, state.body['status']]).toEqual([round, i.name, truth]);
      }
    }
    const stormAudit = await audit(C);
    stormAudit.forEach((e, i) => expect([i, e.action === 'pause' ? 'pause' : 'resume', e.outcome]).toEqual([i, i % 2 === 0 ? 'pause' : 'resume', 'ok']));
    expect(stormAudit.length).toBeGreaterThanOrEqual(4);

    // Kill -9 A while a pause with max_pause_seconds is open: B or C auto-resumes it, once.
    if ((await http(A.base, 'GET', `/api/tasks/${taskSid}/recording`, alice)).body['status'] === 'paused') {
      expect((await http(A.base, 'POST', `/api/tasks/${taskSid}/recording/resume`, alice)).status).toBe(200);
    }
    const before = (await audit(C)).length;
    const last = await http(A.base, 'POST', `/api/tasks/${taskSid}/recording/pause`, alice);
    expect(last.body['status']).toBe('paused');
    const autoResumeAt = Date.parse(last.body['autoResumeAt'] as string);
    const exited = new Promise((r) => A.child.once('exit', (_c, signal) => r(signal)));
    A.child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const done = await waitUntil(
      'the auto-resume by B or C',
      async () => {
        const ev = (await audit(B)).slice(before);
        return ev.some((e) => e.action === 'auto-resume' && e.outcome !== 'pending') && ev;
      },
      (MAX_PAUSE_SECONDS + 15) * 1000,
    );
    const resumedAt = Date.parse(done.find((e) => e.action === 'auto-resume')!.at);
    console.log(`[multi-instance] auto-resume after kill -9 of A: ${resumedAt - autoResumeAt} ms after the deadline`);
    // Give a second auto-resume a chance to show up before counting.
    await new Promise((r) => setTimeout(r, 1500));
    const after = (await audit(C)).slice(before);
    expect(after.map((e) => [e.action, e.actor, e.outcome])).toEqual([
      ['pause', 'alice', 'ok'],
      ['auto-resume', 'system', 'ok'],
    ]);
    expect(await engineStatus()).toBe('recording');
    for (const i of [B, C]) expect((await http(i.base, 'GET', `/api/tasks/${taskSid}/recording`, alice)).body['status']).toBe('recording');
    onB.stop();
  }, 90_000);
});
