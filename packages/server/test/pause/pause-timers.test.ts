/**
 * Pause policy: `reminder_seconds` raises a reminder event, `max_pause_seconds` resumes
 * automatically; both are audited. Timers are durable: a restarted server reloads open pauses.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { LiveEvent } from '@pause-recording/core';
import { startSystem, waitUntil, type System } from '../support/system.ts';

const systems: System[] = [];
afterEach(async () => {
  for (const s of systems.splice(0).reverse()) await s.close();
});

describe('pause timers', () => {
  it('reminds, then resumes automatically, and audits both', async () => {
    const s = await startSystem({ settings: { features: { pause_recording: { reminder_seconds: 1, max_pause_seconds: 2 } } } });
    systems.push(s);
    const events: LiveEvent[] = [];
    s.server.bus.tap((e) => events.push(e));
    const { token, taskSid } = await s.acceptedCall('alice');
    const p = await s.api('POST', `/api/tasks/${taskSid}/recording/pause`, { token });
    expect(p.body['status']).toBe('paused');
    const pausedAt = Date.parse(p.body['pausedAt'] as string);
    expect(Date.parse(p.body['reminderAt'] as string) - pausedAt).toBe(1000);
    expect(Date.parse(p.body['autoResumeAt'] as string) - pausedAt).toBe(2000);

    const reminder = await waitUntil('reminder', () => events.find((e) => e.type === 'recording.reminder'));
    expect(reminder).toMatchObject({ taskSid, state: { status: 'paused', pausedBy: 'alice' } });
    const resumed = await waitUntil('auto-resume', () => events.find((e) => e.type === 'recording.auto-resumed'));
    expect(resumed).toMatchObject({ taskSid, state: { status: 'recording' } });
    expect((await s.api('GET', `/api/tasks/${taskSid}/recording`, { token })).body['status']).toBe('recording');

    const audit = s.server.audit.query({ taskSid }).filter((e) => ['pause', 'reminder', 'auto-resume'].includes(e.action));
    expect(audit.map((e) => [e.action, e.actor, e.role, e.outcome])).toEqual([
      ['pause', 'alice', 'agent', 'ok'],
      ['reminder', 'system', 'system', 'ok'],
      ['auto-resume', 'system', 'system', 'ok'],
    ]);
  });

  it('tries an auto-resume again when the provider failed it', async () => {
    const s = await startSystem({
      settings: { features: { pause_recording: { reminder_seconds: 0, max_pause_seconds: 1 } } },
      env: { TWILIO_RETRY_BUDGET_MS: '300' },
    });
    systems.push(s);
    const { token, taskSid } = await s.acceptedCall('alice');
    expect((await s.api('POST', `/api/tasks/${taskSid}/recording/pause`, { token })).body['status']).toBe('paused');
    s.engine.faults.add({ method: 'POST', path: '/Recordings/', action: 'status', status: 503, times: 0 });
    await waitUntil('a failed auto-resume', () => s.server.audit.query({ taskSid }).some((e) => e.action === 'auto-resume' && e.outcome === 'failed'));
    s.engine.faults.clear();
    await waitUntil('a successful auto-resume', () => s.server.audit.query({ taskSid }).some((e) => e.action === 'auto-resume' && e.outcome === 'ok'));
    expect(
      s.server.audit
        .query({ taskSid })
        .filter((e) => e.action === 'auto-resume')
        .map((e) => e.outcome),
    ).toEqual(['failed', 'ok']);
    expect((await s.api('GET', `/api/tasks/${taskSid}/recording`, { token })).body['status']).toBe('recording');
  });

  it('does nothing once the agent resumed in time', async () => {
    const s = await startSystem({ settings: { features: { pause_recording: { reminder_seconds: 1, max_pause_seconds: 0 } } } });
    systems.push(s);
    const { token, taskSid } = await s.acceptedCall('alice');
    const p = await s.api('POST', `/api/tasks/${taskSid}/recording/pause`, { token });
    expect(p.body['autoResumeAt']).toBeNull();
    await s.api('POST', `/api/tasks/${taskSid}/recording/resume`, { token });
    // Past the reminder time of the closed pause: no reminder fires for it.
    await new Promise((r) => setTimeout(r, 1200));
    expect(s.server.audit.query({ taskSid }).filter((e) => e.action === 'reminder')).toEqual([]);
  });

  it('keeps the auto-resume of an open pause across a server restart', async () => {
    const settings = { features: { pause_recording: { reminder_seconds: 0, max_pause_seconds: 2 } } };
    const first = await startSystem({ settings });
    const { token, taskSid } = await first.acceptedCall('alice');
    expect((await first.api('POST', `/api/tasks/${taskSid}/recording/pause`, { token })).body['status']).toBe('paused');
    await first.server.close();

    const second = await startSystem({ settings, engine: first.engine, dataDir: first.dataDir });
    systems.push(first, second);
    await waitUntil('auto-resume after restart', () =>
      second.server.audit.query({ taskSid }).some((e) => e.action === 'auto-resume' && e.outcome !== 'pending'),
    );
    const state = await second.api('GET', `/api/tasks/${taskSid}/recording`, { token });
    expect(state.status).toBe(200); // the token signed before the restart still works: the secret lives in DATA_DIR
    expect(state.body['status']).toBe('recording');
  });
});
