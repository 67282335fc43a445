import { FRAMES_PER_SECOND } from '@pause-recording/core';
import { createDemoSource, createStampedSource } from '../../audio/sources.ts';
import { callJson, type Json } from '../../serialize.ts';
import { postForm } from '../../support/callbacks.ts';
import { newSid } from '../../support/ids.ts';
import { parseTwiml, TwimlError, type Verb } from '../../twiml.ts';
import type { ConferenceRoom, Legs } from '../conferences/conferences.ts';
import type { Conference } from '../conferences/conference.ts';
import type { EngineContext } from '../context.ts';
import {
  CallNotInProgressError,
  ConflictError,
  InvalidParameterError,
  InvalidTwimlError,
  MissingParameterError,
  NotFoundError,
  ShuttingDownError,
} from '../errors.ts';
import type { CreateCallInput } from '../inputs.ts';
import type { NumberRoom } from '../numbers/numbers.ts';
import type { RecordingRoom } from '../recordings/recordings.ts';
import { publicJson } from '../persistence/persistence.ts';
import { newestFirst, Registry } from '../registry.ts';
import type { AudioKind, Callback, CallStatus } from '../types.ts';
import { Call, type CallInit, type CallPlan } from './call.ts';

export interface InboundCallInput {
  from: string;
  to: string;
  audio?: AudioKind;
  slot?: number | null;
  hangupAfterSeconds?: number | null;
}

export interface CallChange {
  status?: 'completed' | 'canceled';
  twiml?: string;
  url?: Callback;
}

/**
 * Call legs: placing and answering them, following their TwiML (fetched from a voice URL
 * or given inline), redirecting and hanging up.
 */
export class CallRoom extends Registry<Call> implements Legs {
  protected readonly noun = 'Call';
  private readonly ctx: EngineContext;
  private readonly conferences: ConferenceRoom;
  private readonly recordings: RecordingRoom;
  private readonly numbers: NumberRoom;
  private readonly liveSet = new Set<Call>();

  constructor(ctx: EngineContext, rooms: { conferences: ConferenceRoom; recordings: RecordingRoom; numbers: NumberRoom }) {
    super();
    this.ctx = ctx;
    this.conferences = rooms.conferences;
    this.recordings = rooms.recordings;
    this.numbers = rooms.numbers;
  }

  get live(): ReadonlySet<Call> {
    return this.liveSet;
  }

  // Ended calls (this run's and earlier runs') live in the store only: read back on demand.
  protected override stored(sid: string): Call | undefined {
    const row = this.ctx.persistence.row('call', sid);
    return row ? Call.fromStored(row.createdMs, row.data) : undefined;
  }

  protected override storedAll(): Call[] {
    return this.ctx.persistence.rows('call').map((r) => Call.fromStored(r.createdMs, r.data));
  }

  protected override storedCount(): number {
    return this.ctx.persistence.count('call');
  }

  // ---------------------------------------------------------------- queries

  /** A call's JSON: live from memory, ended as last saved. */
  json(sid: string): Json {
    const c = this.items.get(sid);
    if (c) return callJson(c);
    const stored = this.ctx.persistence.json('call', sid);
    if (stored) return stored;
    throw new NotFoundError(`Call ${sid}`);
  }

  /** Every call's JSON, newest first. */
  allJson(): Json[] {
    return newestFirst(this.ctx.persistence.rows('call')).map((r) => {
      const c = this.items.get(r.sid);
      return c ? callJson(c) : publicJson(r.data);
    });
  }

  /** A call of this run or of an earlier one (whose recordings are still listed, as at Twilio). */
  requireKnown(sid: string): void {
    this.find(sid);
  }

  // ---------------------------------------------------------------- commands

  create(input: CreateCallInput): Call {
    let plan: CallPlan;
    if (input.twiml !== undefined) plan = { kind: 'twiml', verbs: parseInline(input.twiml, 'Twiml') };
    else if (input.url) plan = { kind: 'url', url: input.url };
    else throw new MissingParameterError('Url or Twiml');
    const c = this.place({
      from: input.from,
      to: input.to,
      direction: 'outbound-api',
      plan,
      callback: input.statusCallback ?? null,
      callbackEvents: input.statusCallbackEvents ?? ['completed'],
      audio: input.audio ?? this.ctx.audio,
      slot: input.slot ?? null,
      hangupAfterFrames: input.hangupAfterSeconds == null ? null : input.hangupAfterSeconds * FRAMES_PER_SECOND,
      phoneNumberSid: null,
    });
    this.ring(c);
    return c;
  }

  /** A simulated caller dials one of the engine's numbers; its voice URL decides what happens. */
  inbound(input: InboundCallInput): Call {
    const number = this.numbers.byPhoneNumber(input.to);
    if (!number) {
      throw new InvalidParameterError('To', `no IncomingPhoneNumber has PhoneNumber ${input.to}; create one with a VoiceUrl first`);
    }
    if (!number.voiceUrl) throw new InvalidParameterError('To', `number ${input.to} has no VoiceUrl`);
    const c = this.place({
      from: input.from,
      to: input.to,
      direction: 'inbound',
      plan: { kind: 'url', url: { url: number.voiceUrl, method: number.voiceMethod } },
      callback: number.statusCallback ? { url: number.statusCallback, method: number.statusCallbackMethod } : null,
      callbackEvents: ['completed'],
      audio: input.audio ?? this.ctx.audio,
      slot: input.slot ?? null,
      hangupAfterFrames: input.hangupAfterSeconds == null ? null : input.hangupAfterSeconds * FRAMES_PER_SECOND,
      phoneNumberSid: number.sid,
    });
    c.status = 'ringing';
    this.ctx.persistence.saveCall(c);
    // Ask the voice URL only after the caller of this method had its answer (next turn).
    setImmediate(() => void this.fetchPlan(c, 'ringing'));
    return c;
  }

  place(init: Omit<CallInit, 'sid' | 'accountSid' | 'createdMs'>): Call {
    if (this.ctx.closed) throw new ShuttingDownError();
    const c = new Call({ ...init, sid: newSid('call'), accountSid: this.ctx.accountSid, createdMs: Date.now() });
    this.items.set(c.sid, c);
    this.liveSet.add(c);
    this.ctx.persistence.saveCall(c);
    this.ctx.events.call(c, 'initiated');
    return c;
  }

  ring(c: Call): void {
    c.status = 'ringing';
    c.answerAtTick = this.ctx.answerTick();
    this.ctx.persistence.touchCall(c);
    this.ctx.events.call(c, 'ringing');
  }

  /** One frame of a live leg: answer it when due, end it at its time limit, end a finished wait. */
  step(c: Call, t: number): void {
    if ((c.status === 'queued' || c.status === 'ringing') && c.answerAtTick !== null && t >= c.answerAtTick) {
      this.answer(c, t);
      return;
    }
    if (c.status !== 'in-progress' || c.answeredTick === null) return;
    if (c.hangupAfterFrames !== null && t - c.answeredTick >= c.hangupAfterFrames) {
      this.hangup(c, 'completed');
      return;
    }
    if (c.waitUntilTick !== null && t >= c.waitUntilTick) {
      c.waitUntilTick = null;
      this.continueTwiml(c);
    }
  }

  /** Follows the leg's TwiML from where it stands until it must wait, joins a conference or ends. */
  continueTwiml(c: Call): void {
    while (c.status === 'in-progress' && c.pc < c.verbs.length) {
      const v = c.verbs[c.pc++]!;
      switch (v.verb) {
        case 'Pause':
        case 'Say':
          if (v.seconds > 0) {
            c.waitUntilTick = this.ctx.cursor + v.seconds * FRAMES_PER_SECOND;
            return;
          }
          break;
        case 'Hangup':
          this.hangup(c, 'completed');
          return;
        case 'Conference':
          this.conferences.join(c, this.conferences.liveNamed(v.name), v.attrs);
          return;
      }
    }
    if (c.status === 'in-progress' && !c.conference && c.waitUntilTick === null && !c.fetching) this.hangup(c, 'completed');
  }

  update(c: Call, change: CallChange): Call {
    if (change.status) {
      if (!c.live) return c;
      if (change.status === 'canceled' && c.status === 'in-progress') {
        throw new InvalidParameterError('Status', 'canceled applies only to calls that are queued or ringing; use completed');
      }
      this.hangup(c, c.status === 'in-progress' ? 'completed' : 'canceled');
      return c;
    }
    if (!c.inProgress) throw new CallNotInProgressError(c.sid, c.status);
    if (change.twiml !== undefined) {
      const verbs = parseInline(change.twiml, 'Twiml');
      this.redirect(c, { kind: 'twiml', verbs });
    } else if (change.url) {
      this.redirect(c, { kind: 'url', url: change.url });
    }
    return c;
  }

  hangup(c: Call, status: CallStatus): void {
    if (!c.live) return;
    if (c.conference) this.conferences.leave(c, false, false);
    this.recordings.stopOwnedBy({ callSid: c.sid });
    c.status = c.answeredTick === null && status === 'completed' ? 'canceled' : status;
    c.endedTick = this.ctx.cursor;
    c.endMs = Date.now();
    c.waitUntilTick = null;
    c.answerAtTick = null;
    this.liveSet.delete(c);
    this.ctx.audioChanges?.call(c);
    this.ctx.persistence.touchCall(c);
    this.ctx.events.call(c, 'completed');
    // Ended: from now on it is served from the store, so memory does not grow with history.
    this.items.delete(c.sid);
  }

  /** Hangs up every live call (the engine is closing). */
  hangupAll(): void {
    for (const c of [...this.liveSet]) this.hangup(c, 'completed');
  }

  delete(c: Call): void {
    if (c.live) throw new ConflictError(`Call ${c.sid} is ${c.status}; a call can be deleted once it has ended`);
    this.ctx.persistence.remove(c.sid);
  }

  // ---------------------------------------------------------------- inside

  private answer(c: Call, t: number): void {
    c.status = 'in-progress';
    c.answeredTick = t;
    c.startMs = Date.now();
    c.answerAtTick = null;
    const conf = this.conferenceFor(c);
    if (c.slot === null) c.slot = conf ? conf.nextSlot() : 0;
    if (conf) conf.usedSlots.add(c.slot);
    c.source = c.audio === 'stamped' ? createStampedSource(c.slot) : createDemoSource(c.slot, hashSeed(c.sid));
    this.ctx.audioChanges?.call(c);
    this.ctx.persistence.touchCall(c);
    this.ctx.events.call(c, 'answered');
    const plan = c.plan;
    if (plan.kind === 'participant') {
      this.conferences.join(c, plan.conference, null);
      if (c.pendingRecording) {
        const req = c.pendingRecording;
        c.pendingRecording = null;
        this.recordings.startCallRecording(c, req);
      }
    } else if (plan.kind === 'twiml') {
      c.verbs = plan.verbs;
      c.pc = 0;
      this.continueTwiml(c);
    } else {
      void this.fetchPlan(c, 'in-progress');
    }
  }

  /** The conference a call is about to join, if its instructions say so already. */
  private conferenceFor(c: Call): Conference | null {
    if (c.plan.kind === 'participant') return c.plan.conference;
    if (c.plan.kind !== 'twiml') return null;
    const first = c.plan.verbs.find((v) => v.verb === 'Conference');
    if (!first || first.verb !== 'Conference') return null;
    return this.conferences.liveNamed(first.name);
  }

  private redirect(c: Call, plan: CallPlan): void {
    if (c.conference) this.conferences.leave(c, true, false);
    c.waitUntilTick = null;
    c.plan = plan;
    if (plan.kind === 'twiml') {
      c.verbs = plan.verbs;
      c.pc = 0;
      this.continueTwiml(c);
    } else {
      c.verbs = [];
      c.pc = 0;
      void this.fetchPlan(c, 'in-progress');
    }
    this.ctx.persistence.touchCall(c);
  }

  private async fetchPlan(c: Call, callStatus: CallStatus): Promise<void> {
    if (c.plan.kind !== 'url' || !c.live) return;
    const ctx = this.ctx;
    c.fetching = true;
    const params: Record<string, string> = {
      AccountSid: c.accountSid,
      ApiVersion: '2010-04-01',
      CallSid: c.sid,
      CallStatus: callStatus,
      Called: c.to,
      Caller: c.from,
      Direction: c.direction,
      From: c.from,
      To: c.to,
    };
    let verbs: Verb[];
    try {
      const res = await postForm(c.plan.url, params, ctx.authToken, ctx.webhookTimeoutMs, ctx.callbackPolicy());
      // Redirects are not followed (a 3xx could point anywhere): it ends the call like an error.
      if (res.status >= 300) throw new Error(`voice URL answered HTTP ${res.status}`);
      verbs = parseTwiml(res.body);
    } catch (e) {
      c.fetching = false;
      ctx.log('voice webhook failed; hanging up', { callSid: c.sid, url: c.plan.url.url, error: String(e) });
      if (c.live) this.hangup(c, c.status === 'in-progress' ? 'completed' : 'failed');
      return;
    }
    c.fetching = false;
    if (!c.live) return;
    c.plan = { kind: 'twiml', verbs };
    if (c.status === 'in-progress') {
      c.verbs = verbs;
      c.pc = 0;
      this.continueTwiml(c);
    } else {
      c.answerAtTick = ctx.answerTick();
    }
  }
}

/** Inline TwiML from the API: what the engine cannot follow is refused, naming the parameter. */
function parseInline(twiml: string, param: string): Verb[] {
  try {
    return parseTwiml(twiml);
  } catch (e) {
    if (e instanceof TwimlError) throw new InvalidTwimlError(param, e.message);
    throw e;
  }
}

function hashSeed(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}
