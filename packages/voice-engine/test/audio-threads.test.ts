import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningEngine } from '../src/index.ts';
import { ManualClock } from '../src/model/clock.ts';
import type { Conference, Participant } from '../src/model/conferences/conference.ts';
import type { Recording } from '../src/model/recordings/recording.ts';
import { inspectWav } from '../src/audio/inspect.ts';
import { readWav } from '../src/audio/wav-read.ts';
import { testEngine } from './helpers.ts';
import { rng } from '../src/audio/demo-voice.ts';

/**
 * Recordings rendered on audio threads (src/audio/plane.ts) against the same calls rendered on
 * the engine's own thread: every WAV byte-identical, pauses (skip and silence), holds, mutes,
 * transfers and hang-ups included, and a conference's legs on one thread.
 */
const running: RunningEngine[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
});

async function engineWith(audioThreads: number, answerDelayFrames?: number): Promise<RunningEngine> {
  const e = await testEngine({ clock: 'manual', audioThreads, ...(answerDelayFrames === undefined ? {} : { answerDelayFrames }) });
  running.push(e);
  return e;
}

function advance(e: RunningEngine, frames: number): void {
  if (!(e.clock instanceof ManualClock)) throw new Error('manual clock expected');
  e.clock.advance(frames);
}

/** Two conferences of customer + agent (dual call recording on the agent, a conference recording on one), a call recording outside any conference. */
async function scenario(e: RunningEngine): Promise<Recording[]> {
  const eng = e.engine;
  const recs: Recording[] = [];
  const legs = [];
  for (const room of ['room-a', 'room-b']) {
    const cust = eng.addParticipant(room, { from: '+15550001000', to: '+15550002000', label: 'customer', conferenceRecord: room === 'room-a' });
    const agent = eng.addParticipant(room, { from: '+15550001000', to: 'client:alice', label: 'agent', record: true, recordingChannels: 2 });
    legs.push({ cust: cust.participant, agent: agent.participant, conf: agent.conference });
  }
  const solo = eng.createCall({ from: '+15550001000', to: '+15550003000', twiml: '<Response><Pause length="3600"/></Response>' });
  advance(e, 3);
  const mono = eng.startCallRecording(solo, { channels: 1, track: 'both', callback: null, events: [] });
  const inbound = eng.startCallRecording(legs[1]!.cust.call, { channels: 1, track: 'inbound', callback: null, events: [] });
  advance(e, 40);
  const [a, b] = legs;
  const dualA = eng.recordings.ownedBy({ callSid: a!.agent.call.sid })[0]!;
  const dualB = eng.recordings.ownedBy({ callSid: b!.agent.call.sid })[0]!;
  recs.push(eng.recordings.ownedBy({ conferenceSid: a!.conf.sid })[0]!, dualA, dualB, mono, inbound);
  eng.updateRecording(dualA, 'paused', 'skip');
  eng.updateRecording(mono, 'paused', 'silence');
  advance(e, 17);
  eng.updateParticipant(b!.conf, b!.cust, { hold: true });
  eng.updateRecording(dualA, 'in-progress', undefined);
  advance(e, 9);
  eng.updateParticipant(b!.conf, b!.cust, { hold: false });
  eng.updateParticipant(a!.conf, a!.cust, { muted: true });
  eng.updateRecording(mono, 'in-progress', undefined);
  advance(e, 61);
  eng.stopRecording(inbound);
  eng.hangup(a!.cust.call, 'completed');
  advance(e, 25);
  eng.hangup(solo, 'completed');
  for (const l of legs) eng.hangup(l.agent.call, 'completed');
  advance(e, 5);
  await e.engine.audioSettled();
  // Recordings finish on a later turn, once their file is final.
  for (let i = 0; i < 200 && recs.some((r) => r.status !== 'completed' && r.status !== 'absent'); i++) await new Promise((r) => setTimeout(r, 5));
  return recs;
}

/**
 * A random life of three conference rooms, drawn from `seed`: legs joining (answered a frame
 * later, into recordings already running), held, unheld, muted, unmuted, removed, moved out by
 * new TwiML, hung up; call recordings (mono of each track, dual) and conference recordings
 * started, paused (skip, silence), resumed and stopped; conferences ended. Every choice depends
 * only on the draws and on state both engines share, so the two runs do the same thing.
 * Returns every recording in the order it started.
 */
async function randomScenario(e: RunningEngine, seed: number): Promise<Recording[]> {
  const eng = e.engine;
  const rnd = rng(seed);
  const pick = <T>(xs: readonly T[]): T | undefined => (xs.length ? xs[Math.floor(rnd() * xs.length)] : undefined);
  const recs: Recording[] = [];
  const seen = new Set<Recording>();
  const collect = (): void => {
    for (const r of eng.recordings.active) {
      if (seen.has(r)) continue;
      seen.add(r);
      recs.push(r);
    }
  };
  const parts: { conf: Conference; p: Participant }[] = [];
  const connected = (): { conf: Conference; p: Participant }[] =>
    parts.filter((x) => x.conf.live && x.p.status === 'connected' && x.p.call.conference === x.conf);
  for (let step = 0; step < 70; step++) {
    const x = rnd();
    if (x < 0.3) advance(e, Math.floor(rnd() * 7));
    else if (x < 0.45) {
      const room = `rand-${Math.floor(rnd() * 3)}`;
      const rec = rnd();
      const r = eng.addParticipant(room, {
        from: '+15550001000',
        to: `+1555000${2000 + step}`,
        muted: rnd() < 0.2,
        hold: rnd() < 0.1,
        conferenceRecord: rnd() < 0.5,
        record: rec < 0.5,
        recordingChannels: rec < 0.25 ? 2 : 1,
        recordingTrack: pick(['both', 'inbound', 'outbound'] as const)!,
      });
      parts.push({ conf: r.conference, p: r.participant });
    } else if (x < 0.55) {
      const t = pick(connected());
      if (t) eng.updateParticipant(t.conf, t.p, { hold: !t.p.hold });
    } else if (x < 0.65) {
      const t = pick(connected());
      if (t) eng.updateParticipant(t.conf, t.p, { muted: !t.p.muted });
    } else if (x < 0.7) {
      const t = pick(connected());
      if (t) eng.removeParticipant(t.p);
    } else if (x < 0.73) {
      const t = pick(connected());
      if (t) eng.updateCall(t.p.call, { twiml: '<Response><Pause length="3600"/></Response>' });
    } else if (x < 0.77) {
      const c = pick([...eng.liveCalls].filter((c) => c.status === 'in-progress'));
      if (c) eng.hangup(c, 'completed');
    } else if (x < 0.8) {
      const conf = pick([...eng.liveConferences]);
      if (conf && rnd() < 0.5) eng.endConference(conf, 'conference-ended-via-api', null);
    } else if (x < 0.85) {
      const c = pick([...eng.liveCalls].filter((c) => c.status === 'in-progress'));
      const ch = rnd() < 0.5 ? 2 : 1;
      if (c)
        eng.startCallRecording(c, { channels: ch, track: ch === 2 ? 'both' : pick(['both', 'inbound', 'outbound'] as const)!, callback: null, events: [] });
    } else {
      const r = pick(recs.filter((r) => r.active));
      const y = rnd();
      if (r) eng.updateRecording(r, y < 0.35 ? 'paused' : y < 0.9 ? 'in-progress' : 'stopped', y < 0.17 ? 'skip' : 'silence');
    }
    collect();
  }
  advance(e, 5);
  for (const c of [...eng.liveCalls]) eng.hangup(c, 'completed');
  advance(e, 2);
  await eng.audioSettled();
  for (let i = 0; i < 400 && recs.some((r) => r.status !== 'completed' && r.status !== 'absent'); i++) await new Promise((r) => setTimeout(r, 5));
  return recs;
}

describe('audio threads', () => {
  it('write the same bytes as the engine thread for every recording of a stamped scenario', async () => {
    const inline = await engineWith(0);
    const threaded = await engineWith(2);
    expect(inline.engine.audioThreads).toBeNull();
    expect(threaded.engine.audioThreads?.threads).toBe(2);
    const a = await scenario(inline);
    const b = await scenario(threaded);
    expect(b.map((r) => [r.kind, r.channels, r.status, r.fileFrames])).toEqual(a.map((r) => [r.kind, r.channels, r.status, r.fileFrames]));
    expect(a.length).toBe(5);
    for (let i = 0; i < a.length; i++) {
      const x = readFileSync(a[i]!.wavPath);
      const y = readFileSync(b[i]!.wavPath);
      expect(readWav(y).frames).toBe(a[i]!.fileFrames);
      expect(y.equals(x)).toBe(true);
      // Not silence: the legs' stamps are in the file.
      expect(inspectWav(readWav(y)).channels.some((c) => c.slots.some((s) => s.runs.length > 0))).toBe(true);
    }
  });

  it('write the same bytes as the engine thread through random joins, holds, mutes, leaves, hang-ups, pauses and stops', async () => {
    let compared = 0;
    for (const seed of [11, 22, 33, 44]) {
      // Legs answer 3 frames after they are added: into recordings already running.
      const inline = await engineWith(0, 3);
      const threaded = await engineWith(2, 3);
      const a = await randomScenario(inline, seed);
      const b = await randomScenario(threaded, seed);
      const facts = (r: Recording): unknown[] => [
        r.kind,
        r.channels,
        r.track,
        r.status,
        r.fileFrames,
        r.liveFrames,
        r.events.map((x) => [x.tick, x.status, x.fileFrame]),
      ];
      expect(b.map(facts)).toEqual(a.map(facts));
      for (let i = 0; i < a.length; i++) {
        const y = readFileSync(b[i]!.wavPath);
        expect(readWav(y).frames).toBe(a[i]!.fileFrames);
        expect(y.equals(readFileSync(a[i]!.wavPath))).toBe(true);
        if (a[i]!.fileFrames > 0) compared++;
      }
      await Promise.all(running.splice(0).map((x) => x.close()));
    }
    // The draws make a real workload: many recordings with audio in them.
    expect(compared).toBeGreaterThan(20);
  });

  it("put a conference's recordings and its legs' call recordings on one thread, and spread conferences over the threads", async () => {
    const e = await engineWith(2);
    const eng = e.engine;
    const confs = [];
    for (let i = 0; i < 4; i++) {
      const room = `room-${i}`;
      eng.addParticipant(room, { from: '+15550001000', to: '+15550002000', label: 'customer', conferenceRecord: true, record: true });
      const agent = eng.addParticipant(room, { from: '+15550001000', to: 'client:alice', label: 'agent', record: true, recordingChannels: 2 });
      confs.push(agent.conference);
    }
    advance(e, 3);
    const threads = eng.audioThreads!;
    const shardsOf = confs.map((c) => {
      const recs = [...c.participants.keys()]
        .flatMap((callSid) => eng.recordings.ownedBy({ callSid }))
        .concat(eng.recordings.ownedBy({ conferenceSid: c.sid }));
      expect(recs.length).toBe(3);
      return new Set(recs.map((r) => threads.shardOf(r.writer)));
    });
    for (const s of shardsOf) expect(s.size).toBe(1);
    expect(new Set(shardsOf.map((s) => [...s][0])).size).toBe(2);
  });

  it('a pause flushes what its thread captured before it: on disk once the thread settled', async () => {
    const e = await engineWith(1);
    const eng = e.engine;
    const { participant } = eng.addParticipant('room-p', { from: '+15550001000', to: 'client:alice', record: true, recordingChannels: 2 });
    advance(e, 30);
    const [rec] = eng.recordings.list({ callSid: participant.call.sid });
    eng.updateRecording(rec!, 'paused', 'skip');
    await eng.audioSettled(rec);
    expect(readWav(readFileSync(rec!.wavPath)).frames).toBe(rec!.fileFrames);
    expect(rec!.fileFrames).toBeGreaterThan(0);
  });
});
