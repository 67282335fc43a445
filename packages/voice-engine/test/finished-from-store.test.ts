import { afterEach, describe, expect, it } from 'vitest';
import type { RunningEngine } from '../src/index.ts';
import type { ManualClock } from '../src/model/clock.ts';
import { newestFirst } from '../src/model/registry.ts';
import { accountRecordingJson, callJson, conferenceJson } from '../src/serialize.ts';
import { api, testEngine } from './helpers.ts';

/**
 * Finished calls, conferences and recordings are not kept in memory (issue 13): the engine
 * serves them from its SQLite store, and the REST answers are the same as from the objects.
 */
const running: RunningEngine[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
});

const A = (e: RunningEngine): string => `/2010-04-01/Accounts/${e.accountSid}`;

async function finishedCall(e: RunningEngine, i: number) {
  const clock = e.clock as ManualClock;
  const room = `room-${i}`;
  const cust = e.engine.addParticipant(room, { from: '+15550001000', to: '+15550002000', conferenceRecord: true });
  const agent = e.engine.addParticipant(room, { from: '+15550001000', to: 'client:alice', record: true, recordingChannels: 2, endConferenceOnExit: true });
  clock.advance(30);
  const recs = [
    ...e.engine.recordings.ownedBy({ callSid: agent.participant.call.sid }),
    ...e.engine.recordings.ownedBy({ conferenceSid: agent.conference.sid }),
  ];
  e.engine.updateRecording(recs[0]!, 'paused', 'silence');
  clock.advance(10);
  e.engine.hangup(agent.participant.call, 'completed');
  clock.advance(2);
  // Recordings finish on a later turn.
  await new Promise((r) => setTimeout(r, 20));
  return { calls: [cust.participant.call, agent.participant.call], conference: agent.conference, recordings: recs };
}

describe('finished resources served from the store', () => {
  it('a finished call, conference and recording answer GET and list exactly as their objects did, after leaving memory', async () => {
    const e = await testEngine({ clock: 'manual' });
    running.push(e);
    const f = await finishedCall(e, 0);
    expect(f.calls.map((c) => c.status)).toEqual(['completed', 'completed']);
    expect(f.recordings.map((r) => r.status)).toEqual(['completed', 'completed']);
    expect([e.engine.calls.inMemory, e.engine.conferences.inMemory, e.engine.recordings.inMemory]).toEqual([0, 0, 0]);
    for (const c of f.calls) {
      const got = await api(e, 'GET', `${A(e)}/Calls/${c.sid}.json`);
      expect([got.status, got.body]).toEqual([200, callJson(c)]);
    }
    const conf = await api(e, 'GET', `${A(e)}/Conferences/${f.conference.sid}.json`);
    expect([conf.status, conf.body]).toEqual([200, conferenceJson(f.conference)]);
    for (const r of f.recordings) {
      const got = await api(e, 'GET', `${A(e)}/Recordings/${r.sid}.json`);
      expect([got.status, got.body]).toEqual([200, accountRecordingJson(r, e.url)]);
    }
    const list = (await api(e, 'GET', `${A(e)}/Calls.json`)).body as { calls: unknown[] };
    expect(list.calls).toEqual(newestFirst(f.calls).map(callJson));
    const own = (await api(e, 'GET', `${A(e)}/Calls/${f.calls[1]!.sid}/Recordings.json`)).body as { recordings: { sid: string }[] };
    expect(own.recordings.map((r) => r.sid)).toEqual([f.recordings[0]!.sid]);
    // Commands on an ended call answer as before: a status change is a no-op, TwiML is refused, delete works.
    const upd = await api(e, 'POST', `${A(e)}/Calls/${f.calls[0]!.sid}.json`, { Status: 'completed' });
    expect([upd.status, upd.body]).toEqual([200, callJson(f.calls[0]!)]);
    const twiml = await api(e, 'POST', `${A(e)}/Calls/${f.calls[0]!.sid}.json`, { Twiml: '<Response/>' });
    expect(twiml.status).toBe(400);
    // The engine's own fields (slot, answer tick) come back with the call, for the leak checks.
    expect(e.engine.calls.get(f.calls[1]!.sid)).toMatchObject({ slot: f.calls[1]!.slot, answeredTick: f.calls[1]!.answeredTick, status: 'completed' });
    expect((await api(e, 'DELETE', `${A(e)}/Calls/${f.calls[0]!.sid}.json`)).status).toBe(204);
    expect((await api(e, 'GET', `${A(e)}/Calls/${f.calls[0]!.sid}.json`)).status).toBe(404);
  });

  it('many finished calls leave nothing in memory', async () => {
    const e = await testEngine({ clock: 'manual' });
    running.push(e);
    for (let i = 0; i < 40; i++) await finishedCall(e, i);
    expect([e.engine.calls.inMemory, e.engine.conferences.inMemory, e.engine.recordings.inMemory]).toEqual([0, 0, 0]);
    expect([e.engine.calls.size, e.engine.conferences.size, e.engine.recordings.size]).toEqual([80, 40, 80]);
  });
});
