import { newSid } from '../../support/ids.ts';
import type { Json } from '../../serialize.ts';
import { conferenceJson } from '../../serialize.ts';
import type { ConferenceAttrs } from '../../twiml.ts';
import type { Call, CallInit } from '../calls/call.ts';
import type { EngineContext } from '../context.ts';
import { InvalidParameterError, NotFoundError } from '../errors.ts';
import type { ParticipantInput } from '../inputs.ts';
import type { RecordingRoom } from '../recordings/recordings.ts';
import { newestFirst, Registry } from '../registry.ts';
import type { CallStatus, RecordingEvent } from '../types.ts';
import { Conference, type ConferenceEndReason, type Participant } from './conference.ts';

/** What the conference room needs of the call legs (the call room provides it). */
export interface Legs {
  /** A new outbound leg, created and announced (`initiated`), not yet ringing. */
  place(init: Omit<CallInit, 'sid' | 'accountSid' | 'createdMs'>): Call;
  ring(c: Call): void;
  /** The leg goes on with its TwiML (after leaving a conference). */
  continueTwiml(c: Call): void;
  hangup(c: Call, status: CallStatus): void;
}

/**
 * Conferences and their participants: joining, leaving, hold and mute, starting (and
 * recording from the start) and ending. Live conferences are found by friendly name too.
 */
export class ConferenceRoom extends Registry<Conference> {
  protected readonly noun = 'Conference';
  private readonly ctx: EngineContext;
  private readonly recordings: RecordingRoom;
  private readonly legs: () => Legs;
  private readonly liveSet = new Set<Conference>();
  private readonly byName = new Map<string, Conference>();

  /** `legs` is asked for when needed: the call room is built after this one. */
  constructor(ctx: EngineContext, recordings: RecordingRoom, legs: () => Legs) {
    super();
    this.ctx = ctx;
    this.recordings = recordings;
    this.legs = legs;
  }

  get live(): ReadonlySet<Conference> {
    return this.liveSet;
  }

  // Completed conferences (this run's and earlier runs') live in the store only: read back on demand.
  protected override stored(sid: string): Conference | undefined {
    const row = this.ctx.persistence.row('conference', sid);
    return row ? Conference.fromStored(row.createdMs, row.data) : undefined;
  }

  protected override storedAll(): Conference[] {
    return this.ctx.persistence.rows('conference').map((r) => Conference.fromStored(r.createdMs, r.data));
  }

  protected override storedCount(): number {
    return this.ctx.persistence.count('conference');
  }

  // ---------------------------------------------------------------- queries

  /** A conference's JSON: live from memory, completed as last saved. */
  json(sid: string): Json {
    const c = this.items.get(sid);
    if (c) return conferenceJson(c);
    const stored = this.ctx.persistence.json('conference', sid);
    if (stored) return stored;
    throw new NotFoundError(`Conference ${sid}`);
  }

  /** Every conference's JSON, newest first. */
  allJson(): Json[] {
    return newestFirst(this.ctx.persistence.rows('conference')).map((r) => {
      const c = this.items.get(r.sid);
      return c ? conferenceJson(c) : r.data;
    });
  }

  /** A conference of this run or of an earlier one (whose recordings are still listed). */
  requireKnown(sid: string): void {
    this.find(sid);
  }

  /** A participant by call SID or by label, as at Twilio. */
  participant(conf: Conference, ref: string): Participant {
    const byCall = conf.participants.get(ref);
    if (byCall) return byCall;
    for (const p of conf.participants.values()) if (p.label === ref) return p;
    throw new NotFoundError(`Participant ${ref} of conference ${conf.sid}`);
  }

  /** The participants in join order, optionally only those on hold / muted (or not). */
  participants(conf: Conference, filter: { hold?: boolean | undefined; muted?: boolean | undefined } = {}): Participant[] {
    return [...conf.participants.values()].filter(
      (p) => (filter.hold === undefined || p.hold === filter.hold) && (filter.muted === undefined || p.muted === filter.muted),
    );
  }

  // ---------------------------------------------------------------- commands

  /** The live conference of this friendly name, created if there is none. */
  liveNamed(name: string): Conference {
    const existing = this.byName.get(name);
    if (existing && existing.live) return existing;
    const conf = new Conference(newSid('conference'), this.ctx.accountSid, name, Date.now());
    this.items.set(conf.sid, conf);
    this.liveSet.add(conf);
    this.byName.set(name, conf);
    this.ctx.persistence.saveConference(conf);
    return conf;
  }

  /** Participants create: the conference by SID (must be live) or by friendly name (created if needed). */
  addParticipant(confRef: string, input: ParticipantInput): { conference: Conference; participant: Participant } {
    let conf: Conference;
    if (/^CF[0-9a-f]{32}$/.test(confRef)) {
      conf = this.find(confRef);
      if (!conf.live) throw new InvalidParameterError('ConferenceSid', `conference ${confRef} is completed`);
    } else {
      conf = this.liveNamed(confRef);
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
    const legs = this.legs();
    const c = legs.place({
      from: input.from,
      to: input.to,
      direction: 'outbound-api',
      plan: { kind: 'participant', conference: conf },
      callback: input.statusCallback ?? null,
      callbackEvents: input.statusCallbackEvents ?? ['completed'],
      audio: input.audio ?? this.ctx.audio,
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
    this.ctx.audioChanges?.conference(conf);
    legs.ring(c);
    return { conference: conf, participant: p };
  }

  /** An answered leg enters `conf` (by its TwiML's <Conference> with `attrs`, or as an API participant). */
  join(c: Call, conf: Conference, attrs: ConferenceAttrs | null): void {
    const { persistence, events } = this.ctx;
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
    this.ctx.audioChanges?.conference(conf);
    if (c.slot !== null) conf.usedSlots.add(c.slot);
    persistence.touchConference(conf);
    events.conference(conf, 'participant-join', p);
    if (conf.status === 'init' && conf.connected().some((x) => x.startConferenceOnEnter)) {
      conf.status = 'in-progress';
      conf.startedTick = this.ctx.cursor;
      persistence.touchConference(conf);
      events.conference(conf, 'conference-start', null);
    }
    this.maybeStartRecording(conf);
  }

  /** Takes `c` out of its conference. `kicked`: removed by the API rather than by hanging up. */
  leave(c: Call, kicked: boolean, continueTwiml: boolean): void {
    const conf = c.conference;
    if (!conf) return;
    c.conference = null;
    this.ctx.audioChanges?.conference(conf);
    this.ctx.audioChanges?.call(c);
    const p = conf.participants.get(c.sid);
    if (p) {
      conf.participants.delete(c.sid);
      p.status = 'complete';
      p.updatedMs = Date.now();
      this.ctx.events.conference(conf, 'participant-leave', p);
      if (conf.live) {
        if (p.endConferenceOnExit) {
          this.end(conf, kicked ? 'participant-with-end-conference-on-exit-kicked' : 'participant-with-end-conference-on-exit-left', c.sid);
        } else if (conf.participants.size === 0) {
          this.end(conf, kicked ? 'last-participant-kicked' : 'last-participant-left', c.sid);
        }
      }
      this.ctx.persistence.touchConference(conf);
    }
    if (continueTwiml && c.status === 'in-progress') this.legs().continueTwiml(c);
  }

  end(conf: Conference, reason: ConferenceEndReason, callSid: string | null): void {
    if (!conf.live) return;
    conf.status = 'completed';
    this.ctx.audioChanges?.conference(conf);
    conf.reasonEnded = reason;
    conf.callSidEndingConference = callSid;
    this.liveSet.delete(conf);
    if (this.byName.get(conf.friendlyName) === conf) this.byName.delete(conf.friendlyName);
    this.recordings.stopOwnedBy({ conferenceSid: conf.sid });
    // Everyone still inside leaves (dialed-in callers go on with their TwiML), so every
    // participant-leave callback precedes conference-end, the conference's last event.
    for (const p of [...conf.participants.values()]) {
      if (p.call.conference === conf) this.leave(p.call, true, true);
      else conf.participants.delete(p.call.sid);
    }
    this.ctx.persistence.touchConference(conf);
    this.ctx.events.conference(conf, 'conference-end', null);
    // Completed: from now on it is served from the store, so memory does not grow with history.
    this.items.delete(conf.sid);
  }

  updateParticipant(conf: Conference, p: Participant, change: { hold?: boolean; muted?: boolean }): void {
    const { events } = this.ctx;
    this.ctx.audioChanges?.conference(conf);
    const now = Date.now();
    if (change.hold !== undefined && change.hold !== p.hold) {
      p.hold = change.hold;
      p.updatedMs = now;
      events.conference(conf, change.hold ? 'participant-hold' : 'participant-unhold', p);
    }
    if (change.muted !== undefined && change.muted !== p.muted) {
      p.muted = change.muted;
      p.updatedMs = now;
      events.conference(conf, change.muted ? 'participant-mute' : 'participant-unmute', p);
    }
    this.ctx.persistence.touchConference(conf);
  }

  /** Removes a participant: an API-created leg that has not answered is canceled, a dialed-in caller goes on. */
  removeParticipant(p: Participant): void {
    const c = p.call;
    if (c.conference) this.leave(c, true, true);
    if (c.live && c.status !== 'in-progress') this.legs().hangup(c, 'canceled');
  }

  private maybeStartRecording(conf: Conference): void {
    if (conf.status !== 'in-progress' || !conf.recordRequest || conf.recordingStarted) return;
    conf.recordingStarted = true;
    const req = conf.recordRequest;
    this.recordings.open({
      callSid: req.callSid || null,
      conferenceSid: conf.sid,
      channels: 1,
      track: null,
      source: 'Conference',
      callback: req.callback,
      events: req.events,
    });
  }
}
