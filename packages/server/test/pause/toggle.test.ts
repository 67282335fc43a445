/**
 * Issue 13, item 2 ("no duplicate state reads for toggle"): a toggle is decided under the task's
 * lock from the ledger, so it costs what the pause or resume it becomes costs — one sequential
 * provider round trip, no listing before it — and two presses flip twice. A partial pause (one
 * recording still capturing) is paused by a toggle, never resumed. Counted by a real proxy
 * between the server's SDK and the engine.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { countedCall, startProxiedSystem, type ProxiedSystem } from '../support/counting-proxy.ts';

const BOTH = { call_recording_enabled: true, features: { dual_channel_recording: { enabled: true, channel: 'worker' } } };

let rig: ProxiedSystem | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('toggle', () => {
  it('one round trip like the pause or resume it becomes; a partial pause is paused, not resumed', async () => {
    rig = await startProxiedSystem({ settings: BOTH, env: { TWILIO_RETRY_BUDGET_MS: '300' } });
    const { s } = rig;
    const { token, taskSid } = await s.acceptedCall('alice');
    const rec = `/api/tasks/${taskSid}/recording`;

    const on = await countedCall(rig, `${rec}/toggle`, token);
    expect(on.r.body['status']).toBe('paused');
    // As a pause: two updates and the listing (customer leg, agent leg, conference), all at once.
    expect([on.updates, on.requests, on.depth]).toEqual([2, 5, 1]);
    const off = await countedCall(rig, `${rec}/toggle`, token);
    expect(off.r.body['status']).toBe('recording');
    expect([off.updates, off.requests, off.depth]).toEqual([2, 5, 1]);

    // Two presses at once: the server serialises them and each flips.
    const both = await Promise.all([s.api('POST', `${rec}/toggle`, { token }), s.api('POST', `${rec}/toggle`, { token })]);
    expect(both.map((b) => b.body['status']).sort()).toEqual(['paused', 'recording']);
    expect((await s.api('GET', rec, { token })).body['status']).toBe('recording');

    // The conference recording's updates fail: the pause is partial, the ledger's pause is open.
    const task = s.server.tasks.get(taskSid)!;
    s.engine.faults.add({ method: 'POST', path: `/Conferences/${task.conferenceSid}/Recordings/`, action: 'status', status: 500, times: 0 });
    const partial = await s.api('POST', `${rec}/toggle`, { token });
    expect(partial.body['status']).toBe('partially-paused');
    s.engine.faults.clear();
    // The next toggle finishes the pause (the capturing recording is paused), it does not resume.
    const again = await s.api('POST', `${rec}/toggle`, { token });
    expect(again.body['status']).toBe('paused');
    expect(
      s.server.audit
        .query({ taskSid })
        .filter((e) => e.action === 'pause' || e.action === 'resume')
        .map((e) => e.action),
    ).toEqual(['pause', 'resume', 'pause', 'resume', 'pause', 'pause']);
  }, 60_000);
});
