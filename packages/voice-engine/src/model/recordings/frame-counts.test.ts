import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readWav } from '../../audio/wav-read.ts';
import { nextTurn, unitEngine, type UnitEngine } from '../../../test/support/model.ts';
import type { Call } from '../calls/call.ts';
import type { RecordingInput } from '../inputs.ts';
import type { Recording } from './recording.ts';
import { rng } from '../../audio/demo-voice.ts';

const MONO: RecordingInput = { channels: 1, track: 'both', callback: null, events: [] };

/** What counting frame by frame gives: the reference the lazily settled counts must equal. */
interface Counted {
  r: Recording;
  call: Call;
  file: number;
  live: number;
}

/** Frame `t` as the engine captures it: counted by the status the recording has at that frame. */
function countFrame(model: Counted[], t: number): void {
  for (const m of model) {
    // A call that ended inside frame t (its Pause ran out) stopped its recordings before t's audio.
    if (m.call.endedTick !== null && m.call.endedTick <= t) continue;
    const s = m.r.status;
    if (s !== 'in-progress' && s !== 'paused') continue;
    m.live++;
    if (s === 'in-progress' || m.r.pauseBehavior === 'silence') m.file++;
  }
}

function advance(u: UnitEngine, model: Counted[], frames: number): void {
  for (let i = 0; i < frames; i++) {
    // The call's end is decided inside the frame, so the model looks at it after the frame ran.
    const t = u.clock.tick;
    u.clock.advance(1);
    countFrame(model, t);
  }
}

function expectCounts(model: Counted[], u: UnitEngine): void {
  for (const m of model) {
    expect([m.r.sid, m.r.fileFrames, m.r.liveFrames]).toEqual([m.r.sid, m.file, m.live]);
    const stored = u.engine.recordings.get(m.r.sid)!.toStored();
    expect([stored.fileFrames, stored.liveFrames]).toEqual([m.file, m.live]);
  }
}

describe('recording frame counts (settled at each change, not counted per frame)', () => {
  it('equal counting frame by frame across pauses (skip, silence), resumes, stops and hang-ups at arbitrary ticks; the WAV holds fileFrames', async () => {
    for (let seed = 1; seed <= 12; seed++) {
      const u = unitEngine();
      try {
        const rnd = rng(seed);
        const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
        const model: Counted[] = [];
        // A long call, and one whose Pause runs out mid-run: it hangs up inside a frame.
        const long = u.engine.createCall({ from: '+15550000001', to: '+15550000002', twiml: '<Response><Pause length="3600"/></Response>' });
        const short = u.engine.createCall({ from: '+15550000001', to: '+15550000003', twiml: '<Response><Pause length="1"/></Response>' });
        advance(u, model, 1 + Math.floor(rnd() * 3));
        for (const call of [long, short]) model.push({ r: u.engine.startCallRecording(call, MONO), call, file: 0, live: 0 });
        for (let step = 0; step < 60; step++) {
          const active = model.filter((m) => m.r.active);
          const x = rnd();
          if (x < 0.35) advance(u, model, Math.floor(rnd() * 8));
          else if (x < 0.5 && active.length < 4) {
            const call = pick([long, short].filter((c) => c.status === 'in-progress'));
            if (call) model.push({ r: u.engine.startCallRecording(call, MONO), call, file: 0, live: 0 });
          } else if (active.length > 0) {
            const m = pick(active);
            const y = rnd();
            if (y < 0.3) u.engine.updateRecording(m.r, 'paused', 'skip');
            else if (y < 0.6) u.engine.updateRecording(m.r, 'paused', 'silence');
            else if (y < 0.9) u.engine.updateRecording(m.r, 'in-progress', undefined);
            else u.engine.updateRecording(m.r, 'stopped', undefined);
          }
          expectCounts(model, u);
        }
        // Past the short call's end (50 frames after it answered): it hangs up inside a frame.
        advance(u, model, 51);
        expect(short.status).toBe('completed');
        for (const m of model) if (m.r.active) u.engine.stopRecording(m.r);
        expectCounts(model, u);
        await nextTurn();
        for (const m of model) {
          expect(m.r.status).toBe(m.file > 0 ? 'completed' : 'absent');
          expect(readWav(readFileSync(m.r.wavPath)).frames).toBe(m.file);
          // The finished recording as the store serves it (the API's JSON and duration come from it).
          const stored = u.engine.recordings.get(m.r.sid)!;
          expect([stored.fileFrames, stored.liveFrames, stored.duration]).toEqual([m.file, m.live, m.r.duration]);
        }
      } finally {
        await u.close();
      }
    }
  });

  it('read between frames, a live recording counts every frame captured so far', () => {
    const u = unitEngine();
    try {
      const c = u.engine.createCall({ from: '+15550000001', to: '+15550000002', twiml: '<Response><Pause length="60"/></Response>' });
      u.clock.advance(1);
      const r = u.engine.startCallRecording(c, MONO);
      for (let i = 1; i <= 5; i++) {
        u.clock.advance(1);
        expect([r.fileFrames, r.liveFrames]).toEqual([i, i]);
      }
      u.engine.updateRecording(r, 'paused', 'skip');
      u.clock.advance(3);
      expect([r.fileFrames, r.liveFrames]).toEqual([5, 8]);
      expect(r.toStored()).toMatchObject({ fileFrames: 5, liveFrames: 8 });
    } finally {
      void u.close();
    }
  });
});
