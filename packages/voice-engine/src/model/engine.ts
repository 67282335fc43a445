import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_PAUSE_BEHAVIOR,
  FRAMES_PER_SECOND,
  planUpdate,
  SAMPLES_PER_FRAME,
  TWILIO_ERROR,
  type PauseBehavior,
  type RequestableStatus,
} from '@pause-recording/core';
import { createDemoSource, createStampedSource } from '../audio/sources.ts';
import { WavWriter } from '../audio/wav-writer.ts';
import { TwilioHttpError } from '../http/twilio-error.ts';
import { callJson, conferenceJson, phoneNumberJson, type Json } from '../serialize.ts';
import { CallbackDispatcher, postForm } from '../support/callbacks.ts';
import { newSid } from '../support/ids.ts';
import type { EngineStore } from '../support/store.ts';
import { parseTwiml, TwimlError, type ConferenceAttrs, type Verb } from '../twiml.ts';
import { Call, type CallPlan } from './call.ts';
import type { FrameClock } from './clock.ts';
import { Conference, type ConferenceEndReason, type Participant } from './conference.ts';
import type { PhoneNumber } from './phone-number.ts';
import { Recording, type RecordingSource } from './recording.ts';
import { restoreState } from './restore.ts';
import { callEventParams, CONFERENCE_EVENT_GROUP, conferenceEventParams, recordingEventParams, type ConferenceEventName } from './callback-params.ts';
import type { CreateCallInput, ParticipantInput, RecordingInput } from './inputs.ts';
import type { AudioKind, Callback, CallEvent, CallStatus, RecordingEvent, RecordingTrack } from './types.ts';

export type { CreateCallInput, ParticipantInput, RecordingInput } from './inputs.ts';

export interface EngineDeps {
  accountSid: string;
  authToken: string;
  dataDir: string;
  audio: AudioKind;
  clock: FrameClock;
  store: EngineStore;
  /** Frames between a call being placed and the simulated party answering. */
  answerDelayFrames?: number;
  webhookTimeoutMs?: number;
  log?: (msg: string, data?: Record<string, unknown>) => void;
}

/**
 * The voice engine's domain: calls, conferences, participants and recordings, driven by
 * the frame clock. HTTP routes call these methods; every method runs between two frames
 * (one thread), so a state change accepted now governs the next frame processed.
 */
export class Engine {
  readonly accountSid: string;
  readonly authToken: string;
  readonly dataDir: string;
  readonly audio: AudioKind;
  readonly clock: FrameClock;
  readonly callbacks: CallbackDispatcher;
  /** Base URL used in media URLs and callbacks; set once the HTTP server listens. */
  origin = 'http://127.0.0.1';

  readonly calls = new Map<string, Call>();
  readonly liveCalls = new Set<Call>();
  readonly conferences = new Map<string, Conference>();
  readonly liveConferences = new Set<Conference>();
  readonly recordings = new Map<string, Recording>();
  readonly activeRecordings = new Set<Recording>();
  readonly numbers = new Map<string, PhoneNumber>();
  /** Calls and conferences from earlier runs, kept as the JSON they last had. */
  readonly archivedCalls = new Map<string, Json>();
  readonly archivedConferences = new Map<string, Json>();

  private readonly store: EngineStore;
  private readonly answerDelayFrames: number;
  private readonly webhookTimeoutMs: number;
  private readonly log: (msg: string, data?: Record<string, unknown>) => void;
  private readonly confByName = new Map<string, Conference>();
  private readonly pendingFinal = new Set<Recording>();
  private readonly mixA = new Int32Array(SAMPLES_PER_FRAME);
  private readonly zeros = new Int32Array(SAMPLES_PER_FRAME);
  private lastFlushWall = performance.now();
  private closed = false;
  private cursorTick: number | null = null;
  framesProcessed = 0;

  constructor(deps: EngineDeps) {
    this.accountSid = deps.accountSid;
    this.authToken = deps.authToken;
    this.dataDir = deps.dataDir;
    this.audio = deps.audio;
    this.clock = deps.clock;
    this.store = deps.store;
    this.answerDelayFrames = deps.answerDelayFrames ?? 1;
    this.webhookTimeoutMs = deps.webhookTimeoutMs ?? 15_000;
    this.log = deps.log ?? (() => {});
    this.callbacks = new CallbackDispatcher({
      authToken: deps.authToken,
      onResult: (r) => {
        if (!r.ok) this.log('status callback failed', { url: r.url, attempts: r.attempts, error: r.error });
      },
    });
    mkdirSync(join(this.dataDir, 'recordings'), { recursive: true });
  }

  // ---------------------------------------------------------------- lifecycle

  /** Loads what an earlier run left, finishing anything a crash cut short. */
  restore(): { recovered: string[] } {
    const state = restoreState(this.store, Date.now());
    for (const n of state.numbers) this.numbers.set(n.sid, n);
    for (const r of state.recordings) this.recordings.set(r.sid, r);
    for (const [sid, j] of state.archivedCalls) this.archivedCalls.set(sid, j);
    for (const [sid, j] of state.archivedConferences) this.archivedConferences.set(sid, j);
    return { recovered: state.recovered };
  }

  start(): void {
    this.clock.start((t) => this.onFrame(t));
  }

  /** Hangs up every live call, finishes every open recording, delivers queued callbacks. */
  async close(): Promise<void> {
    if (this.closed) return;
    for (const c of [...this.liveCalls]) this.hangup(c, 'completed');
    for (const r of [...this.activeRecordings]) this.stopRecording(r);
    for (const r of [...this.pendingFinal]) this.finalize(r);
    this.clock.stop();
    this.closed = true;
    this.callbacks.stopRetrying();
    await Promise.race([this.callbacks.drain(), new Promise((r) => setTimeout(r, 2000).unref())]);
    this.callbacks.close();
  }

  get tick(): number {
    return this.clock.tick;
  }

  /**
   * The first frame whose audio is not yet captured: the frame being processed while the
   * engine steps calls inside a frame, the next frame between frames. Every change of a
   * recording's state takes effect from this frame.
   */
  private get cursor(): number {
    return this.cursorTick ?? this.clock.tick;
  }

  // ---------------------------------------------------------------- the frame

  onFrame(t: number): void {
    this.framesProcessed++;
    this.cursorTick = t;
    for (const c of this.liveCalls) this.stepCall(c, t);
    for (const c of this.liveCalls) if (c.status === 'in-progress') c.speak(t);
    for (const conf of this.liveConferences) if (conf.status === 'in-progress') this.mixConference(conf);
    for (const r of this.activeRecordings) this.captureFrame(r);
    this.cursorTick = null;
    // Each writer flushes itself once it holds a second of audio (so recordings flush on
    // their own phase rather than all in one frame), and a pause flushes at once. Only a
    // clock slower than real time needs a wall-clock flush on top.
    if (this.clock.speed < 1) {
      const wall = performance.now();
      if (wall - this.lastFlushWall >= 1000) {
        for (const r of this.activeRecordings) r.writer?.flush();
        this.lastFlushWall = wall;
      }
    }
  }

  private stepCall(c: Call, t: number): void {
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
      this.runVerbs(c);
    }
  }

  private mixConference(conf: Conference): void {
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

  private captureFrame(r: Recording): void {
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

  // ---------------------------------------------------------------- calls

  createCall(input: CreateCallInput): Call {
    let plan: CallPlan;
    if (input.twiml !== undefined) plan = { kind: 'twiml', verbs: this.parseOr400(input.twiml, 'Twiml') };
    else if (input.url) plan = { kind: 'url', url: input.url };
    else throw TwilioHttpError.missing('Url or Twiml');
    const c = this.newCall({
      from: input.from,
      to: input.to,
      direction: 'outbound-api',
      plan,
      callback: input.statusCallback ?? null,
      callbackEvents: input.statusCallbackEvents ?? ['completed'],
      audio: input.audio ?? this.audio,
      slot: input.slot ?? null,
      hangupAfterFrames: input.hangupAfterSeconds == null ? null : input.hangupAfterSeconds * FRAMES_PER_SECOND,
      phoneNumberSid: null,
    });
    this.ring(c);
    return c;
  }

  /** A simulated caller dials one of the engine's numbers; its voice URL decides what happens. */
  inboundCall(input: { from: string; to: string; audio?: AudioKind; slot?: number | null; hangupAfterSeconds?: number | null }): Call {
    const number = [...this.numbers.values()].find((n) => n.phoneNumber === input.to);
    if (!number) {
      throw TwilioHttpError.invalid('To', `no IncomingPhoneNumber has PhoneNumber ${input.to}; create one with a VoiceUrl first`);
    }
    if (!number.voiceUrl) throw TwilioHttpError.invalid('To', `number ${input.to} has no VoiceUrl`);
    const c = this.newCall({
      from: input.from,
      to: input.to,
      direction: 'inbound',
      plan: { kind: 'url', url: { url: number.voiceUrl, method: number.voiceMethod } },
      callback: number.statusCallback ? { url: number.statusCallback, method: number.statusCallbackMethod } : null,
      callbackEvents: ['completed'],
      audio: input.audio ?? this.audio,
      slot: input.slot ?? null,
      hangupAfterFrames: input.hangupAfterSeconds == null ? null : input.hangupAfterSeconds * FRAMES_PER_SECOND,
      phoneNumberSid: number.sid,
    });
    c.status = 'ringing';
    this.saveCall(c);
    // Ask the voice URL only after the caller of this method had its answer (next turn).
    setImmediate(() => void this.fetchPlan(c, 'ringing'));
    return c;
  }

  private newCall(init: Omit<ConstructorParameters<typeof Call>[0], 'sid' | 'accountSid' | 'createdMs'>): Call {
    if (this.closed) throw new TwilioHttpError(503, 20503, 'The engine is shutting down');
    const c = new Call({ ...init, sid: newSid('call'), accountSid: this.accountSid, createdMs: Date.now() });
    this.calls.set(c.sid, c);
    this.liveCalls.add(c);
    this.saveCall(c);
    this.callEvent(c, 'initiated');
    return c;
  }

  private ring(c: Call): void {
    c.status = 'ringing';
    c.answerAtTick = this.answerTick();
    this.touchCall(c);
    this.callEvent(c, 'ringing');
  }

  /** The frame a ringing call is answered in: `answerDelayFrames` 1 means the next frame. */
  private answerTick(): number {
    return this.clock.tick + Math.max(0, this.answerDelayFrames - 1);
  }

  private async fetchPlan(c: Call, callStatus: CallStatus): Promise<void> {
    if (c.plan.kind !== 'url' || !c.live) return;
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
      const res = await postForm(c.plan.url, params, this.authToken, this.webhookTimeoutMs, this.callbacks.policy);
      if (res.status >= 300) throw new Error(`voice URL answered HTTP ${res.status}`);
      verbs = parseTwiml(res.body);
    } catch (e) {
      c.fetching = false;
      this.log('voice webhook failed; hanging up', { callSid: c.sid, url: c.plan.url.url, error: String(e) });
      if (c.live) this.hangup(c, c.status === 'in-progress' ? 'completed' : 'failed');
      return;
    }
    c.fetching = false;
    if (!c.live) return;
    c.plan = { kind: 'twiml', verbs };
    if (c.status === 'in-progress') {
      c.verbs = verbs;
      c.pc = 0;
      this.runVerbs(c);
    } else {
      c.answerAtTick = this.answerTick();
    }
  }

  private answer(c: Call, t: number): void {
    c.status = 'in-progress';
    c.answeredTick = t;
    c.startMs = Date.now();
    c.answerAtTick = null;
    const conf = this.conferenceFor(c);
    if (c.slot === null) c.slot = conf ? conf.nextSlot() : 0;
    if (conf) conf.usedSlots.add(c.slot);
    c.source = c.audio === 'stamped' ? createStampedSource(c.slot) : createDemoSource(c.slot, hashSeed(c.sid));
    this.touchCall(c);
    this.callEvent(c, 'answered');
    const plan = c.plan;
    if (plan.kind === 'participant') {
      this.joinConference(c, plan.conference, null);
      if (c.pendingRecording) {
        const req = c.pendingRecording;
        c.pendingRecording = null;
        this.startCallRecording(c, req);
      }
    } else if (plan.kind === 'twiml') {
      c.verbs = plan.verbs;
      c.pc = 0;
      this.runVerbs(c);
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
    return this.liveConferenceNamed(first.name, true);
  }

  private runVerbs(c: Call): void {
    while (c.status === 'in-progress' && c.pc < c.verbs.length) {
      const v = c.verbs[c.pc++]!;
      switch (v.verb) {
        case 'Pause':
        case 'Say':
          if (v.seconds > 0) {
            c.waitUntilTick = this.cursor + v.seconds * FRAMES_PER_SECOND;
            return;
          }
          break;
        case 'Hangup':
          this.hangup(c, 'completed');
          return;
        case 'Conference':
          this.joinConference(c, this.liveConferenceNamed(v.name, true)!, v.attrs);
          return;
      }
    }
    if (c.status === 'in-progress' && !c.conference && c.waitUntilTick === null && !c.fetching) this.hangup(c, 'completed');
  }

  updateCall(c: Call, change: { status?: 'completed' | 'canceled'; twiml?: string; url?: Callback }): Call {
    if (change.status) {
      if (!c.live) return c;
      if (change.status === 'canceled' && c.status === 'in-progress') {
        throw TwilioHttpError.invalid('Status', 'canceled applies only to calls that are queued or ringing; use completed');
      }
      this.hangup(c, c.status === 'in-progress' ? 'completed' : 'canceled');
      return c;
    }
    if (!c.inProgress) throw TwilioHttpError.callNotInProgress(c.sid, c.status);
    if (change.twiml !== undefined) {
      const verbs = this.parseOr400(change.twiml, 'Twiml');
      this.redirect(c, { kind: 'twiml', verbs });
    } else if (change.url) {
      this.redirect(c, { kind: 'url', url: change.url });
    }
    return c;
  }

  private redirect(c: Call, plan: CallPlan): void {
    if (c.conference) this.leaveConference(c, true, false);
    c.waitUntilTick = null;
    c.plan = plan;
    if (plan.kind === 'twiml') {
      c.verbs = plan.verbs;
      c.pc = 0;
      this.runVerbs(c);
    } else {
      c.verbs = [];
      c.pc = 0;
      void this.fetchPlan(c, 'in-progress');
    }
    this.touchCall(c);
  }

  hangup(c: Call, status: CallStatus): void {
    if (!c.live) return;
    if (c.conference) this.leaveConference(c, false, false);
    for (const r of [...this.activeRecordings]) if (r.kind === 'call' && r.callSid === c.sid) this.stopRecording(r);
    c.status = c.answeredTick === null && status === 'completed' ? 'canceled' : status;
    c.endedTick = this.cursor;
    c.endMs = Date.now();
    c.waitUntilTick = null;
    c.answerAtTick = null;
    this.liveCalls.delete(c);
    this.touchCall(c);
    this.callEvent(c, 'completed');
  }

  deleteCall(c: Call): void {
    this.calls.delete(c.sid);
    this.store.remove(c.sid);
  }

  // ---------------------------------------------------------------- conferences

  private liveConferenceNamed(name: string, create: boolean): Conference | null {
    const existing = this.confByName.get(name);
    if (existing && existing.live) return existing;
    if (!create) return null;
    const conf = new Conference(newSid('conference'), this.accountSid, name, Date.now());
    this.conferences.set(conf.sid, conf);
    this.liveConferences.add(conf);
    this.confByName.set(name, conf);
    this.saveConference(conf);
    return conf;
  }

  /** Participants create: the conference by SID (must be live) or by friendly name (created if needed). */
  addParticipant(confRef: string, input: ParticipantInput): { conference: Conference; participant: Participant } {
    let conf: Conference | null;
    if (/^CF[0-9a-f]{32}$/.test(confRef)) {
      conf = this.conferences.get(confRef) ?? null;
      if (!conf) throw TwilioHttpError.notFound(`Conference ${confRef}`);
      if (!conf.live) throw TwilioHttpError.invalid('ConferenceSid', `conference ${confRef} is completed`);
    } else {
      conf = this.liveConferenceNamed(confRef, true)!;
    }
    if (input.conferenceStatusCallback && !conf.statusCallback) {
      conf.statusCallback = input.conferenceStatusCallback;
      conf.statusCallbackEvents = input.conferenceStatusEvents?.length ? input.conferenceStatusEvents : ['start', 'end'];
    }
    if (input.conferenceRecord && !conf.recordRequest) {
      conf.recordRequest = {
        callback: input.conferenceRecordingCallback ?? null,
        events: input.conferenceRecordingEvents ?? ['completed'],
        callSid: '',
      };
    }
    const c = this.newCall({
      from: input.from,
      to: input.to,
      direction: 'outbound-api',
      plan: { kind: 'participant', conference: conf },
      callback: input.statusCallback ?? null,
      callbackEvents: input.statusCallbackEvents ?? ['completed'],
      audio: input.audio ?? this.audio,
      slot: input.slot ?? null,
      hangupAfterFrames: null,
      phoneNumberSid: null,
    });
    if (conf.recordRequest && conf.recordRequest.callSid === '') conf.recordRequest.callSid = c.sid;
    if (input.record) {
      c.pendingRecording = {
        channels: input.recordingChannels ?? 1,
        track: input.recordingTrack ?? 'both',
        callback: input.recordingCallback ?? null,
        events: input.recordingEvents ?? ['completed'],
        source: 'OutboundAPI',
      };
    }
    const now = Date.now();
    const p: Participant = {
      call: c,
      label: input.label ?? null,
      muted: input.muted ?? false,
      hold: input.hold ?? false,
      startConferenceOnEnter: input.startConferenceOnEnter ?? true,
      endConferenceOnExit: input.endConferenceOnExit ?? false,
      status: 'queued',
      createdMs: now,
      updatedMs: now,
    };
    conf.participants.set(c.sid, p);
    c.conference = conf;
    this.ring(c);
    return { conference: conf, participant: p };
  }

  private joinConference(c: Call, conf: Conference, attrs: ConferenceAttrs | null): void {
    const now = Date.now();
    if (attrs) {
      if (attrs.statusCallback && !conf.statusCallback) {
        conf.statusCallback = { url: attrs.statusCallback, method: 'POST' };
        conf.statusCallbackEvents = attrs.statusCallbackEvent.length ? attrs.statusCallbackEvent : ['start', 'end'];
      }
      if (attrs.record === 'record-from-start' && !conf.recordRequest) {
        conf.recordRequest = {
          callback: attrs.recordingStatusCallback ? { url: attrs.recordingStatusCallback, method: 'POST' } : null,
          events: (attrs.recordingStatusCallbackEvent.length ? attrs.recordingStatusCallbackEvent : ['completed']) as RecordingEvent[],
          callSid: c.sid,
        };
      }
    }
    let p = conf.participants.get(c.sid);
    if (!p) {
      p = {
        call: c,
        label: null,
        muted: attrs?.muted ?? false,
        hold: false,
        startConferenceOnEnter: attrs?.startConferenceOnEnter ?? true,
        endConferenceOnExit: attrs?.endConferenceOnExit ?? false,
        status: 'queued',
        createdMs: now,
        updatedMs: now,
      };
      conf.participants.set(c.sid, p);
    }
    p.status = 'connected';
    p.updatedMs = now;
    c.conference = conf;
    if (c.slot !== null) conf.usedSlots.add(c.slot);
    this.touchConference(conf);
    this.conferenceEvent(conf, 'participant-join', p);
    if (conf.status === 'init' && conf.connected().some((x) => x.startConferenceOnEnter)) {
      conf.status = 'in-progress';
      conf.startedTick = this.cursor;
      this.touchConference(conf);
      this.conferenceEvent(conf, 'conference-start', null);
    }
    this.maybeStartConferenceRecording(conf);
  }

  private maybeStartConferenceRecording(conf: Conference): void {
    if (conf.status !== 'in-progress' || !conf.recordRequest || conf.recordingStarted) return;
    conf.recordingStarted = true;
    const req = conf.recordRequest;
    this.openRecording({
      callSid: req.callSid || null,
      conferenceSid: conf.sid,
      channels: 1,
      track: null,
      source: 'Conference',
      callback: req.callback,
      events: req.events,
    });
  }

  /** Takes `c` out of its conference. `kicked`: removed by the API rather than by hanging up. */
  private leaveConference(c: Call, kicked: boolean, continueTwiml: boolean): void {
    const conf = c.conference;
    if (!conf) return;
    c.conference = null;
    const p = conf.participants.get(c.sid);
    if (p) {
      conf.participants.delete(c.sid);
      p.status = 'complete';
      p.updatedMs = Date.now();
      this.conferenceEvent(conf, 'participant-leave', p);
      if (conf.live) {
        if (p.endConferenceOnExit) {
          this.endConference(conf, kicked ? 'participant-with-end-conference-on-exit-kicked' : 'participant-with-end-conference-on-exit-left', c.sid);
        } else if (conf.participants.size === 0) {
          this.endConference(conf, kicked ? 'last-participant-kicked' : 'last-participant-left', c.sid);
        }
      }
      this.touchConference(conf);
    }
    if (continueTwiml && c.status === 'in-progress') this.runVerbs(c);
  }

  endConference(conf: Conference, reason: ConferenceEndReason, callSid: string | null): void {
    if (!conf.live) return;
    conf.status = 'completed';
    conf.reasonEnded = reason;
    conf.callSidEndingConference = callSid;
    this.liveConferences.delete(conf);
    if (this.confByName.get(conf.friendlyName) === conf) this.confByName.delete(conf.friendlyName);
    for (const r of [...this.activeRecordings]) if (r.kind === 'conference' && r.conferenceSid === conf.sid) this.stopRecording(r);
    // Everyone still inside leaves (dialed-in callers go on with their TwiML), so every
    // participant-leave callback precedes conference-end, the conference's last event.
    for (const p of [...conf.participants.values()]) {
      if (p.call.conference === conf) this.leaveConference(p.call, true, true);
      else conf.participants.delete(p.call.sid);
    }
    this.touchConference(conf);
    this.conferenceEvent(conf, 'conference-end', null);
  }

  updateParticipant(conf: Conference, p: Participant, change: { hold?: boolean; muted?: boolean }): void {
    const now = Date.now();
    if (change.hold !== undefined && change.hold !== p.hold) {
      p.hold = change.hold;
      p.updatedMs = now;
      this.conferenceEvent(conf, change.hold ? 'participant-hold' : 'participant-unhold', p);
    }
    if (change.muted !== undefined && change.muted !== p.muted) {
      p.muted = change.muted;
      p.updatedMs = now;
      this.conferenceEvent(conf, change.muted ? 'participant-mute' : 'participant-unmute', p);
    }
    this.touchConference(conf);
  }

  removeParticipant(p: Participant): void {
    const c = p.call;
    if (c.conference) this.leaveConference(c, true, true);
    if (c.live && c.status !== 'in-progress') this.hangup(c, 'canceled');
  }

  // ---------------------------------------------------------------- recordings

  startCallRecording(c: Call, input: RecordingInput): Recording {
    if (c.status !== 'in-progress') throw TwilioHttpError.callNotInProgress(c.sid, c.status);
    return this.openRecording({
      callSid: c.sid,
      conferenceSid: null,
      channels: input.channels,
      track: input.track,
      source: input.source ?? 'StartCallRecordingAPI',
      callback: input.callback,
      events: input.events,
    });
  }

  private openRecording(o: {
    callSid: string | null;
    conferenceSid: string | null;
    channels: 1 | 2;
    track: RecordingTrack | null;
    source: RecordingSource;
    callback: Callback | null;
    events: RecordingEvent[];
  }): Recording {
    const sid = newSid('recording');
    const wavPath = join(this.dataDir, 'recordings', `${sid}.wav`);
    const writer = WavWriter.open(wavPath, o.channels);
    const rec = new Recording(
      {
        sid,
        accountSid: this.accountSid,
        callSid: o.callSid,
        conferenceSid: o.conferenceSid,
        channels: o.channels,
        track: o.track,
        source: o.source,
        callback: o.callback,
        callbackEvents: o.events,
        wavPath,
        startTick: this.cursor,
        createdMs: Date.now(),
      },
      writer,
    );
    rec.logChange(this.cursor, rec.createdMs);
    this.recordings.set(sid, rec);
    this.activeRecordings.add(rec);
    this.saveRecording(rec);
    this.recordingEvent(rec, 'in-progress');
    return rec;
  }

  /**
   * Status update from the API. Asking for the status a recording already has is a no-op
   * (200, unchanged); a recording that is no longer active cannot change (400/21220).
   */
  updateRecording(r: Recording, status: RequestableStatus, behavior: PauseBehavior | undefined): Recording {
    const plan = planUpdate(r.status, status);
    if (plan.kind === 'not-active') {
      throw new TwilioHttpError(
        400,
        TWILIO_ERROR.CALL_NOT_IN_PROGRESS,
        `Recording ${r.sid} is ${r.status}; only an in-progress or paused recording can be changed`,
      );
    }
    if (plan.kind === 'no-op') return r;
    if (plan.to === 'stopped') {
      this.stopRecording(r);
      return r;
    }
    r.status = plan.to;
    r.pauseBehavior = plan.to === 'paused' ? (behavior ?? DEFAULT_PAUSE_BEHAVIOR) : null;
    // Everything captured before a pause is made durable at once.
    if (plan.to === 'paused') r.writer?.flush();
    r.logChange(this.cursor, Date.now());
    this.saveRecording(r);
    return r;
  }

  stopRecording(r: Recording): void {
    if (!r.active) return;
    r.status = 'stopped';
    r.pauseBehavior = null;
    r.writer?.close();
    r.writer = null;
    this.activeRecordings.delete(r);
    r.logChange(this.cursor, Date.now());
    this.saveRecording(r);
    r.status = 'processing';
    r.logChange(this.cursor, Date.now());
    this.saveRecording(r);
    this.pendingFinal.add(r);
    setImmediate(() => this.finalize(r));
  }

  private finalize(r: Recording): void {
    if (!this.pendingFinal.delete(r)) return;
    r.status = r.fileFrames > 0 ? 'completed' : 'absent';
    r.logChange(this.cursor, Date.now());
    this.saveRecording(r);
    this.recordingEvent(r, r.status === 'completed' ? 'completed' : 'absent');
  }

  /** `Twilio.CURRENT` names the one active recording of a call or conference. */
  currentRecording(owner: { callSid?: string; conferenceSid?: string }): Recording {
    const active = [...this.activeRecordings].filter((r) =>
      owner.callSid ? r.kind === 'call' && r.callSid === owner.callSid : r.kind === 'conference' && r.conferenceSid === owner.conferenceSid,
    );
    const what = owner.callSid ? `call ${owner.callSid}` : `conference ${owner.conferenceSid}`;
    if (active.length === 0) throw new TwilioHttpError(404, TWILIO_ERROR.NOT_FOUND, `No active recording for ${what} (Twilio.CURRENT)`);
    if (active.length > 1) {
      throw new TwilioHttpError(400, TWILIO_ERROR.CONCURRENT_RECORDINGS, `More than one active recording for ${what}; address a recording by its SID`);
    }
    return active[0]!;
  }

  deleteRecording(r: Recording): void {
    if (r.active || this.pendingFinal.has(r)) {
      throw new TwilioHttpError(400, TWILIO_ERROR.CANNOT_DELETE_INCOMPLETE, `Recording ${r.sid} is ${r.status}; it can be deleted once completed`);
    }
    this.recordings.delete(r.sid);
    this.store.remove(r.sid);
    rmSync(r.wavPath, { force: true });
  }

  // ---------------------------------------------------------------- numbers

  createNumber(input: Omit<PhoneNumber, 'sid' | 'accountSid' | 'createdMs' | 'updatedMs'>): PhoneNumber {
    if ([...this.numbers.values()].some((n) => n.phoneNumber === input.phoneNumber)) {
      throw TwilioHttpError.invalid('PhoneNumber', `${input.phoneNumber} is already an IncomingPhoneNumber of this account`);
    }
    const now = Date.now();
    const n: PhoneNumber = { ...input, sid: newSid('phoneNumber'), accountSid: this.accountSid, createdMs: now, updatedMs: now };
    this.numbers.set(n.sid, n);
    this.saveNumber(n);
    return n;
  }

  saveNumber(n: PhoneNumber): void {
    n.updatedMs = Date.now();
    this.store.save('number', n.sid, n.createdMs, n);
  }

  deleteNumber(n: PhoneNumber): void {
    this.numbers.delete(n.sid);
    this.store.remove(n.sid);
  }

  phoneNumberJson(n: PhoneNumber): Json {
    return phoneNumberJson(n);
  }

  // ---------------------------------------------------------------- persistence and callbacks

  private parseOr400(twiml: string, param: string): Verb[] {
    try {
      return parseTwiml(twiml);
    } catch (e) {
      if (e instanceof TwimlError) throw TwilioHttpError.invalid(param, e.message, TWILIO_ERROR.INVALID_TWIML);
      throw e;
    }
  }

  private touchCall(c: Call): void {
    c.updatedMs = Date.now();
    this.saveCall(c);
  }

  private saveCall(c: Call): void {
    this.store.save('call', c.sid, c.createdMs, callJson(c));
  }

  private touchConference(conf: Conference): void {
    conf.updatedMs = Date.now();
    this.saveConference(conf);
  }

  private saveConference(conf: Conference): void {
    this.store.save('conference', conf.sid, conf.createdMs, conferenceJson(conf));
  }

  private saveRecording(r: Recording): void {
    this.store.save('recording', r.sid, r.createdMs, r.toStored());
  }

  private callEvent(c: Call, event: CallEvent): void {
    if (!c.callback || !c.callbackEvents.includes(event)) return;
    this.callbacks.send(c.sid, c.callback, callEventParams(c, event));
  }

  private conferenceEvent(conf: Conference, event: ConferenceEventName, p: Participant | null): void {
    if (!conf.statusCallback || !conf.statusCallbackEvents.includes(CONFERENCE_EVENT_GROUP[event])) return;
    this.callbacks.send(conf.sid, conf.statusCallback, conferenceEventParams(conf, event, p));
  }

  private recordingEvent(r: Recording, event: RecordingEvent): void {
    if (!r.callback || !r.callbackEvents.includes(event)) return;
    this.callbacks.send(r.sid, r.callback, recordingEventParams(r, this.origin));
  }
}

function hashSeed(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}
