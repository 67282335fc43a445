/**
 * The recordings page's API and the audit export: who may see which recording, the pause
 * annotations, the media, and the audit as JSON and CSV with filters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRAME_MS } from '@pause-recording/core';
import { inspectWav, readWav } from '@pause-recording/voice-engine/audio';
import { startSystem, waitUntil, type System } from '../support/system.ts';

let s: System;
let alice: string;
let bob: string;
let sam: string;
let taskSid: string;
let recordingSid: string;

beforeAll(async () => {
  s = await startSystem({ settings: { features: { pause_recording: { include_silence: true } } } });
  ({ token: alice, taskSid } = await s.acceptedCall('alice'));
  bob = await s.login('bob');
  sam = await s.login('sam');
  await s.api('POST', `/api/tasks/${taskSid}/recording/pause`, { token: alice, json: { reason: 'card number' } });
  await s.api('POST', `/api/tasks/${taskSid}/recording/resume`, { token: alice });
  const state = await s.api('GET', `/api/tasks/${taskSid}/recording`, { token: alice });
  recordingSid = (state.body['recordings'] as { sid: string }[])[0]!.sid;
});
afterAll(async () => {
  await s.close();
});

describe('recordings', () => {
  it("lists the agent's own recordings, all for the supervisor, none of others' for bob", async () => {
    const mine = await s.api('GET', '/api/recordings', { token: alice });
    expect(mine.body['recordings']).toEqual([
      expect.objectContaining({ sid: recordingSid, taskSid, agent: 'alice', channels: 2, mediaUrl: `/api/recordings/${recordingSid}/media` }),
    ]);
    // The supervisor's list names the agent who handled each call.
    expect((await s.api('GET', '/api/recordings', { token: sam })).body['recordings']).toEqual([
      expect.objectContaining({ sid: recordingSid, agent: 'alice' }),
    ]);
    expect((await s.api('GET', '/api/recordings', { token: bob })).body['recordings']).toEqual([]);
    for (const path of [`/api/recordings/${recordingSid}`, `/api/recordings/${recordingSid}/media`]) {
      expect((await s.api('GET', path, { token: bob })).status).toBe(403);
    }
  });

  it('annotates the paused span with behaviour, who and why', async () => {
    const d = await s.api('GET', `/api/recordings/${recordingSid}`, { token: alice });
    expect(d.status).toBe(200);
    const pauses = d.body['pauses'] as { offsetSeconds: number; lengthSeconds: number }[];
    expect(pauses).toEqual([expect.objectContaining({ behavior: 'silence', pausedBy: 'alice', role: 'agent', reason: 'card number', resumedBy: 'alice' })]);
    expect(pauses[0]!.offsetSeconds).toBeGreaterThanOrEqual(0);
    expect(pauses[0]!.lengthSeconds).toBeGreaterThanOrEqual(0);
  });

  it('serves the audio of a recording as WAV once it is completed', async () => {
    const live = await s.api('GET', `/api/recordings/${recordingSid}/media`, { token: alice });
    expect([live.status, live.body.error?.code]).toEqual([409, 'CONFLICT']);
    expect(live.body.error?.message).toMatch(/in-progress/);
    await s.api('POST', `/api/tasks/${taskSid}/hangup`, { token: alice });
    await waitUntil('completed', async () => (await s.api('GET', `/api/recordings/${recordingSid}`, { token: alice })).body['status'] === 'completed');
    const res = await fetch(`${s.url}/api/recordings/${recordingSid}/media`, { headers: { authorization: `Bearer ${sam}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('audio/');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.subarray(0, 4).toString('ascii')).toBe('RIFF');
    expect(bytes.subarray(8, 12).toString('ascii')).toBe('WAVE');
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(Number(res.headers.get('content-length'))).toBe(bytes.length);
  });

  it('serves byte ranges of the media: 206 with Content-Range, 416 outside the file', async () => {
    // The recording was completed by the test above.
    const get = (range?: string) =>
      fetch(`${s.url}/api/recordings/${recordingSid}/media`, { headers: { authorization: `Bearer ${alice}`, ...(range === undefined ? {} : { range }) } });
    const whole = Buffer.from(await (await get()).arrayBuffer());
    const size = whole.length;
    expect(size).toBeGreaterThan(1000);
    for (const [range, start, end] of [
      ['bytes=0-11', 0, 11],
      ['bytes=1000-', 1000, size - 1],
      ['bytes=-4', size - 4, size - 1],
      ['bytes=44-99999999', 44, size - 1],
    ] as const) {
      const r = await get(range);
      const body = Buffer.from(await r.arrayBuffer());
      expect([range, r.status, r.headers.get('content-range'), r.headers.get('accept-ranges')]).toEqual([range, 206, `bytes ${start}-${end}/${size}`, 'bytes']);
      expect(Number(r.headers.get('content-length'))).toBe(end - start + 1);
      expect(body.equals(whole.subarray(start, end + 1))).toBe(true);
    }
    const outside = await get(`bytes=${size}-`);
    expect([outside.status, outside.headers.get('content-range')]).toEqual([416, `bytes */${size}`]);
    expect(((await outside.json()) as { error: { code: string; field: string } }).error).toMatchObject({ code: 'RANGE_NOT_SATISFIABLE', field: 'range' });
    const malformed = await get('bytes=abc');
    expect(malformed.status).toBe(416);
    expect(((await malformed.json()) as { error: { field: string; message: string } }).error.message).toMatch(/^range: /);
    // Several ranges at once: answered whole (the RFC lets a server ignore such a Range).
    const several = await get('bytes=0-1,4-5');
    expect([several.status, Number(several.headers.get('content-length'))]).toEqual([200, size]);
    // Refused to bob whatever the range.
    expect((await fetch(`${s.url}/api/recordings/${recordingSid}/media`, { headers: { authorization: `Bearer ${bob}`, range: 'bytes=0-1' } })).status).toBe(
      403,
    );
  });

  it('places the paused span where the engine captured it: on the silence in the WAV, to the frame', async () => {
    const d = await s.api('GET', `/api/recordings/${recordingSid}`, { token: alice });
    const [span] = d.body['pauses'] as { offsetSeconds: number; lengthSeconds: number; timing: string }[];
    expect(span?.timing).toBe('capture');
    // The audio itself: a silenced pause is a run of all-zero frames on every channel (the stamped
    // test audio has no other silence while both parties are connected).
    const res = await fetch(`${s.url}/api/recordings/${recordingSid}/media`, { headers: { authorization: `Bearer ${alice}` } });
    const channels = inspectWav(readWav(Buffer.from(await res.arrayBuffer()))).channels.map((c) => c.zeroSpans);
    expect(channels.every((z) => z.length === 1)).toBe(true);
    const silence = channels[0]![0]!;
    expect(channels.every((z) => z[0]!.fileFrame === silence.fileFrame && z[0]!.frames === silence.frames)).toBe(true);
    const frame = FRAME_MS / 1000;
    expect(Math.abs(span!.offsetSeconds - silence.fileFrame * frame)).toBeLessThanOrEqual(frame / 2);
    expect(Math.abs(span!.lengthSeconds - silence.frames * frame)).toBeLessThanOrEqual(frame / 2);
  });
});

describe('audit export', () => {
  it('filters by task and time and exports CSV', async () => {
    const all = await s.api('GET', `/api/audit?taskSid=${taskSid}`, { token: sam });
    const events = all.body['events'] as { action: string; at: string; details: Record<string, unknown> }[];
    expect(events.map((e) => e.action)).toEqual(['recording-start', 'task-accept', 'pause', 'resume', 'task-hangup']);
    expect(events[2]?.details).toMatchObject({ reason: 'card number', pauseBehavior: 'silence' });

    const from = events[2]!.at;
    const later = await s.api('GET', `/api/audit?taskSid=${taskSid}&from=${encodeURIComponent(from)}`, { token: sam });
    expect((later.body['events'] as { action: string }[]).map((e) => e.action)).toEqual(['pause', 'resume', 'task-hangup']);
    const none = await s.api('GET', `/api/audit?to=2000-01-01T00:00:00Z`, { token: sam });
    expect(none.body['events']).toEqual([]);

    const csv = await s.api('GET', `/api/audit?taskSid=${taskSid}&format=csv`, { token: alice });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe('id,at,action,outcome,actor,role,taskSid,callSid,conferenceSid,recordingSids,details');
    expect(lines).toHaveLength(6);
    expect(lines[3]).toContain(',pause,ok,alice,agent,');
  });
});
