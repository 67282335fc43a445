import { SAMPLES_PER_FRAME } from '@pause-recording/core';
import type { Call } from './calls/call.ts';
import { Conference } from './conferences/conference.ts';
import type { Recording } from './recordings/recording.ts';

/**
 * The audio of one frame: each conference's mix, what each leg hears, and what each
 * recording captures. Runs on every frame for every leg, so it reuses its buffers.
 */
export class Mixer {
  private readonly calls: { get(sid: string): Call | undefined };
  private readonly conferences: { get(sid: string): Conference | undefined };
  private readonly mixA = new Int32Array(SAMPLES_PER_FRAME);
  private readonly zeros = new Int32Array(SAMPLES_PER_FRAME);
  private readonly sigA: Call[] = [];
  private readonly sigB: Call[] = [];

  constructor(calls: { get(sid: string): Call | undefined }, conferences: { get(sid: string): Conference | undefined }) {
    this.calls = calls;
    this.conferences = conferences;
  }

  mixConference(conf: Conference): void {
    const mix = conf.mix;
    // The first speaker is copied (native), the others added: one pass fewer than clear-then-add.
    let first = true;
    for (const p of conf.participants.values()) {
      if (!Conference.speaks(p)) continue;
      const own = p.call.own;
      if (first) {
        mix.set(own);
        first = false;
      } else {
        for (let i = 0; i < SAMPLES_PER_FRAME; i++) mix[i]! += own[i]!;
      }
    }
    if (first) mix.fill(0);
  }

  /** One frame of `r`: the conference mix, or the leg's own voice and/or what it hears. */
  capture(r: Recording): void {
    if (r.kind === 'conference') {
      const conf = r.conferenceSid ? this.conferences.get(r.conferenceSid) : undefined;
      r.capture(conf && conf.status === 'in-progress' ? conf.mix : this.zeros, null);
      return;
    }
    const c = r.callSid ? this.calls.get(r.callSid) : undefined;
    if (!c) return;
    const own = c.status === 'in-progress' ? c.own : this.zeros;
    const heard = this.heard(c);
    if (r.channels === 2) {
      r.capture(own, heard);
      return;
    }
    if (r.track === 'inbound') r.capture(own, null);
    else if (r.track === 'outbound') r.capture(heard, null);
    else {
      const a = this.mixA;
      for (let i = 0; i < SAMPLES_PER_FRAME; i++) a[i] = own[i]! + heard[i]!;
      r.capture(a, null);
    }
  }

  /** What leg `c` hears this frame: the conference minus its own voice; silence otherwise. */
  private heard(c: Call): Int32Array {
    const conf = c.conference;
    const p = conf?.participants.get(c.sid);
    if (!conf || !p || conf.status !== 'in-progress' || p.status !== 'connected' || p.hold) return this.zeros;
    const out = c.heard;
    const mix = conf.mix;
    if (Conference.speaks(p)) {
      const own = c.own;
      for (let i = 0; i < SAMPLES_PER_FRAME; i++) out[i] = mix[i]! - own[i]!;
    } else {
      out.set(mix);
    }
    return out;
  }

  /**
   * What `capture(r)` would sum, without the samples: the calls whose voices make channel `a`
   * (and `b` of a dual recording) this frame; null when `capture` would not run for `r`. Audio
   * threads render from this (src/audio/plane.ts). The arrays are reused by the next call.
   */
  describe(r: Recording): { a: Call[]; b: Call[] } | null {
    const a = this.sigA;
    const b = this.sigB;
    a.length = 0;
    b.length = 0;
    if (r.kind === 'conference') {
      const conf = r.conferenceSid ? this.conferences.get(r.conferenceSid) : undefined;
      if (conf && conf.status === 'in-progress') speakers(conf, null, a);
      return { a, b };
    }
    const c = r.callSid ? this.calls.get(r.callSid) : undefined;
    if (!c) return null;
    const own = c.status === 'in-progress';
    if (r.channels === 2) {
      if (own) a.push(c);
      this.heardCalls(c, b);
    } else if (r.track === 'inbound') {
      if (own) a.push(c);
    } else if (r.track === 'outbound') this.heardCalls(c, a);
    else {
      if (own) a.push(c);
      this.heardCalls(c, a);
    }
    return { a, b };
  }

  /** The legs `c` hears (as `heard` computes it): every other speaker of its live conference. */
  private heardCalls(c: Call, out: Call[]): void {
    const conf = c.conference;
    const p = conf?.participants.get(c.sid);
    if (!conf || !p || conf.status !== 'in-progress' || p.status !== 'connected' || p.hold) return;
    speakers(conf, c, out);
  }
}

function speakers(conf: Conference, except: Call | null, out: Call[]): void {
  for (const p of conf.participants.values()) if (p.call !== except && Conference.speaks(p)) out.push(p.call);
}
