/**
 * Crashes (issue 5). `kill -9` the control server (`npm run server`'s entry, a child process)
 * while a task is paused: the engine keeps the recordings paused, and the restarted server
 * restores the pause record with its reminder and auto-resume times, which then fire. `kill -9`
 * the voice engine (its CLI, a child process) mid-recording while paused: the server never
 * claims anything while the engine is down, and after the engine's restart it reports the truth
 * (the recordings were finished by the crash) and the agent can wrap the task up. Nothing
 * acknowledged is lost: every audit event answered before a kill is there after it, and the WAV
 * holds nothing of the acknowledged pause.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { startEngine, type RunningEngine } from '@pause-recording/voice-engine';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectWav, readWav } from '@pause-recording/voice-engine/audio';
import { loadServerConfig } from '../../src/config/server-config.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import { writeCounts } from './reliability-counts.ts';
import { ledgerBackend } from '../support/ledgers.ts';
import { waitUntil } from '../support/system.ts';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const serverMain = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const engineCli = fileURLToPath(new URL('../../../voice-engine/src/cli.ts', import.meta.url));
const children: ChildProcess[] = [];
const cleanup: (() => Promise<void>)[] = [];
const counts = { serverKills: 0, engineKills: 0, auditEventsKept: 0, auditEventsLost: 0, timersRestored: 0 };
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const f of cleanup.reverse()) await f();
  writeCounts('crash', { command: 'npx vitest run packages/server/test/safety/crash.test.ts', ...counts });
});

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

/** Spawns a child (tsx entry) and resolves once its output matches `ready`. */
function spawnChild(entry: string, args: string[], env: Record<string, string>, ready: RegExp): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], { cwd: repo, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (ready.test(out)) resolve(child);
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code, signal) => reject(new Error(`${entry} exited early (${code ?? signal}):\n${out}`)));
  });
}

async function kill9(child: ChildProcess): Promise<void> {
  const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_c, signal) => r(signal)));
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
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

/** `kill -9` the server while paused and restart it; `ledgerEnv` picks the ledger (DATABASE_URL, or none for SQLite). */
async function serverKilledWhilePaused(ledgerEnv: Record<string, string>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'crash-server-'));
  const engine: RunningEngine = await startEngine({ dataDir: join(dir, 'engine'), audio: 'stamped', devRoutes: true });
  cleanup.push(() => engine.close());
  const settings = join(dir, 'settings.json');
  writeFileSync(settings, JSON.stringify({ call_recording_enabled: true, features: { pause_recording: { reminder_seconds: 2, max_pause_seconds: 4 } } }));
  const port = await freePort();
  const env = {
    PORT: String(port),
    DATA_DIR: join(dir, 'server'),
    ENGINE_URL: engine.url,
    CONFIG: settings,
    LOG_LEVEL: 'silent',
    RATE_LIMIT_PER_MINUTE: '0',
    ...ledgerEnv,
  };
  const base = `http://127.0.0.1:${port}`;
  const up = /control server listening on/;
  let server = await spawnChild(serverMain, [], env, up);

  const login = async (identity: string) => (await http(base, 'POST', '/api/auth/login', undefined, { identity, password: 'demo' })).body['token'] as string;
  const alice = await login('alice');
  const sam = await login('sam');
  const call = await http(base, 'POST', '/api/simulator/calls', alice, { agent: 'alice' });
  const taskSid = call.body['taskSid'] as string;
  expect((await http(base, 'POST', `/api/tasks/${taskSid}/accept`, alice)).status).toBe(200);
  const paused = await http(base, 'POST', `/api/tasks/${taskSid}/recording/pause`, alice, { reason: 'card number' });
  expect(paused.body['status']).toBe('paused');
  const auditBefore = (await http(base, 'GET', `/api/audit?taskSid=${taskSid}`, sam)).body['events'] as { id: number }[];

  await kill9(server);
  counts.serverKills++;
  // The engine does not care: every recording stays paused while the server is gone.
  const recs = [...engine.engine.activeRecordings];
  expect(recs.length).toBeGreaterThanOrEqual(2);
  for (const r of recs) expect(r.status).toBe('paused');

  server = await spawnChild(serverMain, [], env, up);
  const state = await http(base, 'GET', `/api/tasks/${taskSid}/recording`, alice);
  // The pause record came back from the ledger as it was: who, when, and both timers.
  for (const k of ['status', 'pausedAt', 'pausedBy', 'reminderAt', 'autoResumeAt']) expect([k, state.body[k]]).toEqual([k, paused.body[k]]);
  counts.timersRestored += 2;
  const audit = async () =>
    (await http(base, 'GET', `/api/audit?taskSid=${taskSid}`, sam)).body['events'] as { id: number; action: string; actor: string; outcome: string }[];
  const done = await waitUntil(
    'reminder and auto-resume after the restart',
    async () => {
      const ev = await audit();
      return ev.some((e) => e.action === 'auto-resume' && e.outcome !== 'pending') && ev;
    },
    20_000,
  );
  expect(done.filter((e) => ['pause', 'reminder', 'auto-resume'].includes(e.action)).map((e) => [e.action, e.actor, e.outcome])).toEqual([
    ['pause', 'alice', 'ok'],
    ['reminder', 'system', 'ok'],
    ['auto-resume', 'system', 'ok'],
  ]);
  for (const r of recs) expect(r.status).toBe('in-progress');
  expect((await http(base, 'GET', `/api/tasks/${taskSid}/recording`, alice)).body['status']).toBe('recording');
  // Nothing acknowledged before the kill is lost.
  const kept = auditBefore.filter((e) => done.some((d) => JSON.stringify(d) === JSON.stringify(e)));
  counts.auditEventsKept += kept.length;
  counts.auditEventsLost += auditBefore.length - kept.length;
  expect(kept).toEqual(auditBefore);
  await kill9(server);
}

describe('crashes on the PostgreSQL ledger (CI sample)', () => {
  const backend = ledgerBackend('postgres');
  it('kill -9 the server while paused: the restarted server restores the pause from PostgreSQL, its reminder and auto-resume fire', async () => {
    await serverKilledWhilePaused(await backend.env());
  }, 60_000);
});

describe('crashes', () => {
  it('kill -9 the server while paused: the restarted server restores the pause, its reminder and auto-resume fire', async () => {
    await serverKilledWhilePaused({});
  }, 60_000);

  it('kill -9 the server between asking the provider and recording its answer: the pending audit event is on record and completed at restart from what the provider reports', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crash-pending-'));
    const engine: RunningEngine = await startEngine({ dataDir: join(dir, 'engine'), audio: 'stamped', devRoutes: true });
    cleanup.push(() => engine.close());
    const settings = join(dir, 'settings.json');
    writeFileSync(settings, JSON.stringify({ call_recording_enabled: true, features: { pause_recording: { reminder_seconds: 0, max_pause_seconds: 3 } } }));
    const port = await freePort();
    const env = {
      PORT: String(port),
      DATA_DIR: join(dir, 'server'),
      ENGINE_URL: engine.url,
      CONFIG: settings,
      LOG_LEVEL: 'silent',
      RATE_LIMIT_PER_MINUTE: '0',
    };
    const base = `http://127.0.0.1:${port}`;
    const up = /control server listening on/;
    let server = await spawnChild(serverMain, [], env, up);
    const alice = (await http(base, 'POST', '/api/auth/login', undefined, { identity: 'alice', password: 'demo' })).body['token'] as string;
    const sam = (await http(base, 'POST', '/api/auth/login', undefined, { identity: 'sam', password: 'demo' })).body['token'] as string;
    const taskSid = (await http(base, 'POST', '/api/simulator/calls', alice, { agent: 'alice' })).body['taskSid'] as string;
    expect((await http(base, 'POST', `/api/tasks/${taskSid}/accept`, alice)).status).toBe(200);

    // The engine holds the updates; the server is killed while it waits for them.
    engine.faults.add({ method: 'POST', path: '/Recordings/', action: 'delay', delayMs: 1000, times: 0 });
    const hits = engine.faults.hits;
    void http(base, 'POST', `/api/tasks/${taskSid}/recording/pause`, alice).catch(() => undefined);
    const db = new Database(join(dir, 'server', 'server.sqlite'), { readonly: true });
    try {
      await waitUntil(
        'the pending row and the provider asked',
        () => engine.faults.hits > hits && db.prepare("SELECT 1 FROM audit_events WHERE action = 'pause' AND outcome = 'pending'").get() !== undefined,
      );
    } finally {
      db.close();
    }
    await kill9(server);
    counts.serverKills++;
    // The held updates were cut off with the connection: the engine never carried them out.
    await new Promise((r) => setTimeout(r, 1500));
    engine.faults.clear();
    const statuses = [...engine.engine.activeRecordings].map((r) => r.status);
    expect(statuses.length).toBeGreaterThanOrEqual(2);
    expect(statuses.every((st) => st === 'in-progress')).toBe(true);

    server = await spawnChild(serverMain, [], env, up);
    const events = (await http(base, 'GET', `/api/audit?taskSid=${taskSid}`, sam)).body['events'] as {
      action: string;
      actor: string;
      outcome: string;
      details: Record<string, unknown>;
    }[];
    const pause = events.filter((e) => e.action === 'pause');
    // On record, completed from what the provider reports now: nothing was paused.
    expect(pause).toEqual([
      expect.objectContaining({ actor: 'alice', outcome: 'failed', details: expect.objectContaining({ reconciled: 'restart', changed: [] }) }),
    ]);
    expect(Object.values(pause[0]!.details['observed'] as Record<string, string>).every((st) => st === 'in-progress')).toBe(true);
    const state = await http(base, 'GET', `/api/tasks/${taskSid}/recording`, alice);
    expect(state.body).toMatchObject({ status: 'recording', pausedAt: null });
    counts.auditEventsKept += pause.length;
    await kill9(server);
  }, 60_000);

  it('kill -9 the engine mid-recording while paused: no claim while it is down, the truth after its restart, the task can be wrapped up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crash-engine-'));
    const enginePort = await freePort();
    const engineArgs = ['--port', String(enginePort), '--data', join(dir, 'engine'), '--audio', 'stamped', '--quiet', '--dev-routes'];
    const engineUp = /voice-engine listening on/;
    let engineProc = await spawnChild(engineCli, engineArgs, {}, engineUp);
    const engineUrl = `http://127.0.0.1:${enginePort}`;
    const config = loadServerConfig(
      {
        PORT: '0',
        DATA_DIR: join(dir, 'server'),
        ENGINE_URL: engineUrl,
        CONFIG: 's.json',
        TWILIO_TIMEOUT_MS: '300',
        TWILIO_RETRY_BUDGET_MS: '600',
        RATE_LIMIT_PER_MINUTE: '0',
      },
      () => JSON.stringify({ call_recording_enabled: true }),
    );
    const server: RunningServer = await startServer(config, {
      logger: createLogger('silent'),
      retry: { baseDelayMs: 20, maxDelayMs: 200 },
      acceptWaitMs: 5000,
    });
    cleanup.push(() => server.close());
    const base = server.url;
    const alice = (await http(base, 'POST', '/api/auth/login', undefined, { identity: 'alice', password: 'demo' })).body['token'] as string;
    const taskSid = (await http(base, 'POST', '/api/simulator/calls', alice, { agent: 'alice' })).body['taskSid'] as string;
    expect((await http(base, 'POST', `/api/tasks/${taskSid}/accept`, alice)).status).toBe(200);
    const rec = await http(base, 'GET', `/api/tasks/${taskSid}/recording`, alice);
    const sids = (rec.body['recordings'] as { sid: string }[]).map((r) => r.sid);
    const basic = `Basic ${Buffer.from(`${config.twilio.accountSid}:${config.twilio.authToken}`).toString('base64')}`;
    // Paused as soon as every recording holds audio, inside the WAV writer's first second (its buffer):
    // only the pause's own flush, done before the pause is answered, can put those frames on disk.
    for (const sid of sids) {
      await waitUntil(`audio in ${sid}`, async () => {
        const r = await fetch(`${engineUrl}/dev/recordings/${sid}.json`, { headers: { authorization: basic } });
        return ((await r.json()) as { fileFrames: number }).fileFrames > 0;
      });
    }
    expect((await http(base, 'POST', `/api/tasks/${taskSid}/recording/pause`, alice)).body['status']).toBe('paused');
    const auditBefore = server.audit.query({ taskSid });
    await new Promise((r) => setTimeout(r, 200));

    await kill9(engineProc);
    counts.engineKills++;
    // Down: the server says it cannot tell (502/504), never "paused" or "recording".
    const down = await http(base, 'GET', `/api/tasks/${taskSid}/recording`, alice);
    expect([502, 504]).toContain(down.status);
    expect((down.body['error'] as { code: string }).code).toMatch(/^UPSTREAM_/);
    const resumeDown = await http(base, 'POST', `/api/tasks/${taskSid}/recording/resume`, alice);
    expect([502, 504]).toContain(resumeDown.status);

    engineProc = await spawnChild(engineCli, engineArgs, {}, engineUp);
    // Back: the crash finished the recordings; the server reports that, not a stale pause.
    const after = await http(base, 'GET', `/api/tasks/${taskSid}/recording`, alice);
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject({ status: 'not-recording', recordings: [], pausedAt: null });
    expect((await http(base, 'POST', `/api/tasks/${taskSid}/recording/resume`, alice)).status).toBe(409);
    // The agent is not stuck with a dead call: hang up and complete work.
    const hang = await http(base, 'POST', `/api/tasks/${taskSid}/hangup`, alice);
    expect([hang.status, (hang.body['task'] as { status: string } | undefined)?.status]).toEqual([200, 'wrapping']);
    expect((await http(base, 'POST', `/api/tasks/${taskSid}/complete`, alice)).status).toBe(200);
    // Nothing acknowledged is lost: the audit as it was, plus the attempts made since.
    const now = server.audit.query({ taskSid });
    expect(now.slice(0, auditBefore.length)).toEqual(auditBefore);
    counts.auditEventsKept += auditBefore.length;
    // The WAVs (repaired by the engine) hold every frame up to the pause (a pause flushes at once)
    // and nothing after it: exactly as many frames as the capture log had at the pause.
    for (const sid of sids) {
      const media = await fetch(`${base}/api/recordings/${sid}/media`, { headers: { authorization: `Bearer ${alice}` } });
      expect(media.status).toBe(200);
      const wav = readWav(Buffer.from(await media.arrayBuffer()));
      const log = (await (await fetch(`${engineUrl}/dev/recordings/${sid}.json`, { headers: { authorization: basic } })).json()) as {
        events: { status: string; fileFrame: number }[];
      };
      const pause = log.events.find((e) => e.status === 'paused');
      expect([sid, wav.frames]).toEqual([sid, pause?.fileFrame]);
      expect(wav.frames).toBeGreaterThan(0);
      const insp = inspectWav(wav);
      for (const ch of insp.channels)
        for (const slot of ch.slots) expect([sid, slot.slot, slot.runs.length <= 1, slot.garbled]).toEqual([sid, slot.slot, true, 0]);
    }
    await kill9(engineProc);
  }, 60_000);
});
