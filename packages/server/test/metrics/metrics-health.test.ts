/**
 * What an operator watches (issue 14, item 5): `/metrics` counts a pause, a failed pause (the
 * engine's fault injection), a reminder and an auto-resume, the provider's request latencies and
 * errors, open pauses and SSE clients, each with the instance label; who may read it; and
 * `/health/ready` turning 503 when storage is locked by another connection or the engine is
 * stopped, naming what failed, and 200 again once it is back.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startEngine, type RunningEngine } from '@pause-recording/voice-engine';
import { listen } from '../support/sse.ts';
import { startSystem, waitUntil, type System } from '../support/system.ts';

const systems: System[] = [];
const engines: RunningEngine[] = [];
afterEach(async () => {
  for (const s of systems.splice(0).reverse()) await s.close();
  for (const e of engines.splice(0)) await e.close();
});

/** The value of the sample `name{labels…}` whose labels include `want` (null: no such sample). */
function sample(text: string, name: string, want: Record<string, string> = {}): number | null {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m === null || m[1] !== name) continue;
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(want).every(([k, v]) => labels[k] === v)) return Number(m[3]);
  }
  return null;
}

async function metrics(s: System, token?: string): Promise<{ status: number; text: string; type: string | null }> {
  const res = await fetch(`${s.url}/metrics`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
}

describe('/metrics', () => {
  it('counts a pause, a failed pause, a reminder and an auto-resume, with provider latencies and errors', async () => {
    const s = await startSystem({
      settings: { features: { pause_recording: { reminder_seconds: 1, max_pause_seconds: 2 } } },
      env: { TWILIO_RETRY_BUDGET_MS: '200', INSTANCE_ID: 'test-a' },
    });
    systems.push(s);
    const { token, taskSid } = await s.acceptedCall('alice');
    const stream = listen(s, token);
    await stream.ready;

    const before = await metrics(s);
    expect(before.status).toBe(200);
    expect(before.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sample(before.text, 'pause_recording_changes_total')).toBeNull();
    expect(sample(before.text, 'pause_recording_sse_clients', { instance: 'test-a' })).toBe(1);
    expect(sample(before.text, 'pause_recording_open_pauses', { instance: 'test-a' })).toBe(0);

    // A failed pause: every recording update answers 500 until cleared.
    s.engine.faults.add({ method: 'POST', path: '/Recordings/', action: 'status', status: 500, times: 0 });
    const failed = await s.api('POST', `/api/tasks/${taskSid}/recording/pause`, { token });
    s.engine.faults.clear();
    expect(failed.status).toBe(502);
    const afterFail = (await metrics(s)).text;
    expect(sample(afterFail, 'pause_recording_changes_total', { action: 'pause', outcome: 'failed', instance: 'test-a' })).toBe(1);
    expect(sample(afterFail, 'pause_recording_provider_errors_total', { method: 'POST', status: '500', instance: 'test-a' })).toBeGreaterThanOrEqual(1);

    // A pause that works, then its reminder and its auto-resume.
    expect((await s.api('POST', `/api/tasks/${taskSid}/recording/pause`, { token })).body['status']).toBe('paused');
    const paused = (await metrics(s)).text;
    expect(sample(paused, 'pause_recording_changes_total', { action: 'pause', outcome: 'ok' })).toBe(1);
    expect(sample(paused, 'pause_recording_open_pauses')).toBe(1);
    await waitUntil('auto-resume counted', async () =>
      sample((await metrics(s)).text, 'pause_recording_changes_total', { action: 'auto-resume', outcome: 'ok' }),
    );
    const last = (await metrics(s)).text;
    expect(sample(last, 'pause_recording_reminders_total', { instance: 'test-a' })).toBe(1);
    expect(sample(last, 'pause_recording_open_pauses')).toBe(0);
    expect(sample(last, 'pause_recording_changes_total', { action: 'pause', outcome: 'failed' })).toBe(1);
    // Every provider request is timed by route, SIDs folded to their kind.
    const updates = sample(last, 'pause_recording_provider_request_duration_seconds_count', {
      method: 'POST',
      route: '/2010-04-01/Accounts/AC…/Calls/CA…/Recordings/RE….json',
    });
    // The failed pause's attempts, the pause, the auto-resume.
    expect(updates).toBeGreaterThanOrEqual(3);
    expect(last).not.toMatch(/RE[0-9a-f]{32}|CA[0-9a-f]{32}/);
    stream.stop();
  });

  it('takes the METRICS_TOKEN when one is set, and refuses without it', async () => {
    const s = await startSystem({ env: { METRICS_TOKEN: 'metrics-secret-0123456789' } });
    systems.push(s);
    const none = await metrics(s);
    expect(none.status).toBe(401);
    expect(JSON.parse(none.text)).toMatchObject({ error: { code: 'UNAUTHENTICATED', field: 'authorization' } });
    expect((await metrics(s, 'metrics-secret-wrong')).status).toBe(401);
    const ok = await metrics(s, 'metrics-secret-0123456789');
    expect(ok.status).toBe(200);
    expect(sample(ok.text, 'pause_recording_open_pauses')).toBe(0);
    // A user's bearer token is not the metrics token.
    expect((await metrics(s, await s.login('alice'))).status).toBe(401);
  });

  it('is closed in production mode until METRICS_TOKEN is set', async () => {
    const s = await startSystem({ env: { SERVER_MODE: 'production', PUBLIC_URL: 'http://127.0.0.1:9' } });
    systems.push(s);
    const r = await metrics(s);
    expect(r.status).toBe(403);
    expect(JSON.parse(r.text)).toMatchObject({ error: { code: 'FORBIDDEN', message: expect.stringContaining('METRICS_TOKEN') } });
  });
});

describe('/health', () => {
  it('live always; ready turns 503 naming the ledger while another connection holds the database, 200 after', async () => {
    const s = await startSystem();
    systems.push(s);
    expect(await (await fetch(`${s.url}/health/live`)).json()).toMatchObject({ status: 'live' });
    const ok = await fetch(`${s.url}/health/ready`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: 'ready', checks: { ledger: { ok: true }, provider: { ok: true } } });

    // A real lock: a second connection on the same file takes the write lock and keeps it.
    const other = new Database(join(s.dataDir, 'server', 'server.sqlite'));
    other.exec('BEGIN IMMEDIATE');
    const locked = await fetch(`${s.url}/health/ready`);
    expect(locked.status).toBe(503);
    expect(await locked.json()).toMatchObject({
      status: 'unready',
      checks: { ledger: { ok: false, error: expect.stringMatching(/locked|busy/i) }, provider: { ok: true } },
    });
    other.exec('ROLLBACK');
    other.close();
    expect((await fetch(`${s.url}/health/ready`)).status).toBe(200);
  });

  it('ready turns 503 naming the provider while the engine is stopped, 200 once it is back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'server-health-'));
    const first = await startEngine({ dataDir: join(dir, 'engine'), audio: 'stamped', devRoutes: true });
    const port = Number(new URL(first.url).port);
    const s = await startSystem({ engine: first, dataDir: dir, env: { HEALTH_TIMEOUT_MS: '1000' } });
    systems.push(s);
    expect((await fetch(`${s.url}/health/ready`)).status).toBe(200);

    await first.close();
    const down = await fetch(`${s.url}/health/ready`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ status: 'unready', checks: { ledger: { ok: true }, provider: { ok: false, error: expect.any(String) } } });
    expect((await fetch(`${s.url}/health/live`)).status).toBe(200);

    const again = await startEngine({ dataDir: join(dir, 'engine'), audio: 'stamped', devRoutes: true, port });
    engines.push(again);
    await waitUntil('ready again', async () => (await fetch(`${s.url}/health/ready`)).status === 200);
  });
});
