/**
 * Acceptance, end to end over real HTTP: alice logs in, a simulated customer calls, she accepts,
 * pauses and resumes, hangs up, completes. The engine's recordings follow, the WAV files prove
 * the paused span is cut out (`skip`) or exact zeros (`silence`), and the audit names alice.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { inspectWav, readWav, type StampRun } from '@pause-recording/voice-engine/audio';
import { sdk, startSystem, waitUntil, type System } from '../support/system.ts';

let sys: System | null = null;
afterEach(async () => {
  await sys?.close();
  sys = null;
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The runs of leg frames of every stamped slot present in a channel. */
function runsBySlot(channel: { slots: { slot: number; runs: StampRun[] }[] }): StampRun[][] {
  return channel.slots.map((s) => s.runs).filter((r) => r.length > 0);
}

for (const behavior of ['skip', 'silence'] as const) {
  describe(`pause flow with ${behavior}`, () => {
    it('pauses every recording of the task, the WAV proves it, the audit names alice', async () => {
      sys = await startSystem({
        settings: { call_recording_enabled: true, features: { pause_recording: { include_silence: behavior === 'silence' } } },
      });
      const s = sys;
      const token = await s.login('alice');
      const taskSid = await s.call(token, 'alice');
      expect((await s.api('GET', '/api/tasks', { token })).body['tasks']).toEqual([
        expect.objectContaining({ sid: taskSid, status: 'reserved', worker: 'alice' }),
      ]);

      const accepted = await s.api('POST', `/api/tasks/${taskSid}/accept`, { token });
      expect(accepted.status).toBe(200);
      const task = accepted.body['task'] as { status: string; attributes: { call_sid: string; conference: { sid: string } } };
      expect(task.status).toBe('assigned');
      expect(task.attributes.call_sid).toMatch(/^CA/);
      expect(task.attributes.conference.sid).toMatch(/^CF/);

      const before = await s.api('GET', `/api/tasks/${taskSid}/recording`, { token });
      expect(before.body).toMatchObject({ status: 'recording', pausedAt: null });
      const recs = before.body['recordings'] as { sid: string; source: string; channels: number }[];
      expect(recs.map((r) => r.channels).sort()).toEqual([1, 2]); // conference (mono) + dual-channel call recording

      await sleep(300);
      const paused = await s.api('POST', `/api/tasks/${taskSid}/recording/pause`, { token });
      expect(paused.status).toBe(200);
      expect(paused.body).toMatchObject({ status: 'paused', pausedBy: 'alice', pauseBehavior: behavior, failures: [] });
      // The engine agrees: every recording of the conference and of the legs is paused.
      const client = sdk(s);
      const engineRecs = [
        ...(await client.conferences(task.attributes.conference.sid).recordings.list()),
        ...(await client.recordings.list()).filter((r) => r.callSid !== null && r.conferenceSid === null),
      ];
      expect(engineRecs.length).toBeGreaterThanOrEqual(2);
      for (const r of engineRecs) expect(r.status).toBe('paused');

      // Pausing again is idempotent: same state, nothing new audited.
      const auditBefore = s.server.audit.count();
      const again = await s.api('POST', `/api/tasks/${taskSid}/recording/pause`, { token });
      expect(again.status).toBe(200);
      expect(again.body['status']).toBe('paused');
      expect(s.server.audit.count()).toBe(auditBefore);

      await sleep(400);
      const resumed = await s.api('POST', `/api/tasks/${taskSid}/recording/resume`, { token });
      expect(resumed.status).toBe(200);
      expect(resumed.body).toMatchObject({ status: 'recording', pausedAt: null });
      await sleep(300);

      expect((await s.api('POST', `/api/tasks/${taskSid}/hangup`, { token })).body['task']).toMatchObject({ status: 'wrapping' });
      expect((await s.api('POST', `/api/tasks/${taskSid}/complete`, { token })).body['task']).toMatchObject({ status: 'completed' });

      for (const rec of recs) {
        await waitUntil(`${rec.sid} completed`, async () => (await client.recordings(rec.sid).fetch()).status === 'completed');
        const media = await fetch(`${s.url}/api/recordings/${rec.sid}/media`, { headers: { authorization: `Bearer ${token}` } });
        expect(media.status).toBe(200);
        const insp = inspectWav(readWav(Buffer.from(await media.arrayBuffer())));
        for (const channel of insp.channels) {
          for (const runs of runsBySlot(channel)) {
            // Each leg heard in this channel: captured before the pause, and after it, with the paused frames absent.
            expect(runs).toHaveLength(2);
            const [a, b] = runs as [StampRun, StampRun];
            const pausedFrames = b.from - a.to - 1;
            expect(pausedFrames).toBeGreaterThan(0);
            if (behavior === 'skip') {
              // Cut out: the audio after the pause follows the audio before it directly.
              expect(b.fileFrame).toBe(a.fileFrame + a.count);
            } else {
              // Kept as exact silence of the paused length.
              expect(b.fileFrame).toBe(a.fileFrame + a.count + pausedFrames);
              expect(channel.zeroSpans).toContainEqual({ fileFrame: a.fileFrame + a.count, frames: pausedFrames });
            }
          }
        }
        expect(insp.channels.some((c) => runsBySlot(c).length > 0)).toBe(true);
      }

      const audit = await s.api('GET', `/api/audit?taskSid=${taskSid}`, { token });
      const events = audit.body['events'] as { action: string; actor: string; role: string; outcome: string; recordingSids: string[] }[];
      const pr = events.filter((e) => e.action === 'pause' || e.action === 'resume');
      expect(pr.map((e) => [e.action, e.actor, e.role, e.outcome])).toEqual([
        ['pause', 'alice', 'agent', 'ok'],
        ['resume', 'alice', 'agent', 'ok'],
      ]);
      for (const e of pr) expect([...e.recordingSids].sort()).toEqual(recs.map((r) => r.sid).sort());

      // The recordings page knows where the pause sits.
      const detail = await s.api('GET', `/api/recordings/${recs[0]?.sid}`, { token });
      expect(detail.body['pauses']).toEqual([expect.objectContaining({ behavior, pausedBy: 'alice', resumedBy: 'alice' })]);
    });
  });
}
