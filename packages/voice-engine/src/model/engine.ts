import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { PauseBehavior, RequestableStatus } from '@pause-recording/core';
import { RemoteWriter as RemoteWriterType, ThreadedAudio } from '../audio/plane.ts';
import { WavWriter } from '../audio/wav-writer.ts';
import { CallbackDispatcher } from '../support/callbacks.ts';
import type { EngineStore } from '../support/store.ts';
import { EngineEvents } from './callbacks/events.ts';
import type { Call } from './calls/call.ts';
import { CallRoom, type CallChange, type InboundCallInput } from './calls/calls.ts';
import { RealtimeClock, type FrameClock } from './clock.ts';
import type { Conference, ConferenceEndReason, Participant } from './conferences/conference.ts';
import { ConferenceRoom } from './conferences/conferences.ts';
import { EngineContext, type EngineLog } from './context.ts';
import { InvalidParameterError } from './errors.ts';
import type { CreateCallInput, ParticipantInput, RecordingInput } from './inputs.ts';
import { Mixer } from './mixer.ts';
import type { PhoneNumber } from './numbers/phone-number.ts';
import { NumberRoom, type PhoneNumberFields } from './numbers/numbers.ts';
import { Persistence } from './persistence/persistence.ts';
import type { Recording } from './recordings/recording.ts';
import { RecordingRoom } from './recordings/recordings.ts';
import { TaskRouterRoom, type TaskConferencing } from './taskrouter/taskrouter.ts';
import type { Task } from './taskrouter/types.ts';
import type { AudioKind, CallStatus } from './types.ts';

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
  log?: EngineLog;
  /**
   * Worker threads that render and write the recordings' audio; 0 (default) does it on this
   * thread inside the frame. Calls and conferences stay on this thread either way.
   */
  audioThreads?: number;
}

/**
 * The voice engine: its rooms (calls, conferences, recordings, numbers) composed around
 * one frame clock. HTTP routes read through the rooms' queries and change state through
 * the commands below; every command runs between two frames (one thread), so a state
 * change accepted now governs the next frame processed.
 */
export class Engine {
  readonly accountSid: string;
  readonly authToken: string;
  readonly dataDir: string;
  readonly audio: AudioKind;
  readonly clock: FrameClock;
  readonly callbacks: CallbackDispatcher;
  readonly calls: CallRoom;
  readonly conferences: ConferenceRoom;
  readonly recordings: RecordingRoom;
  readonly numbers: NumberRoom;
  readonly taskrouter: TaskRouterRoom;
  /** Base URL used in media URLs and callbacks; set once the HTTP server listens. */
  origin = 'http://127.0.0.1';
  framesProcessed = 0;

  private readonly ctx: EngineContext;
  private readonly persistence: Persistence;
  private readonly mixer: Mixer;
  private lastFlushWall = performance.now();
  /** Threaded audio: what changed since the last frame (the recordings whose description must be sent again). */
  private readonly changedCalls = new Set<Call>();
  private readonly changedConferences = new Set<Conference>();
  private readonly changedRecordings = new Set<Recording>();
  /** The audio threads, or null when audio is rendered on this thread. */
  readonly audioThreads: ThreadedAudio | null;

  constructor(deps: EngineDeps) {
    this.accountSid = deps.accountSid;
    this.authToken = deps.authToken;
    this.dataDir = deps.dataDir;
    this.audio = deps.audio;
    this.clock = deps.clock;
    const log = deps.log ?? (() => {});
    this.callbacks = new CallbackDispatcher({
      authToken: deps.authToken,
      onResult: (r) => {
        if (!r.ok) log('status callback failed', { url: r.url, attempts: r.attempts, error: r.error });
      },
    });
    this.persistence = new Persistence(deps.store);
    this.audioThreads = deps.audioThreads ? new ThreadedAudio(deps.audioThreads, (error) => log('audio thread failed', { error })) : null;
    const audio = this.audioThreads;
    this.ctx = new EngineContext({
      accountSid: deps.accountSid,
      authToken: deps.authToken,
      dataDir: deps.dataDir,
      audio: deps.audio,
      clock: deps.clock,
      persistence: this.persistence,
      events: new EngineEvents(this.callbacks, () => this.origin),
      answerDelayFrames: deps.answerDelayFrames ?? 1,
      webhookTimeoutMs: deps.webhookTimeoutMs ?? 15_000,
      callbackPolicy: () => this.callbacks.policy,
      log,
      openWriter: (path, channels, owner) => {
        if (!audio) return WavWriter.open(path, channels);
        // Partitioned by conference: a leg's call recording goes where its conference's recordings go.
        const callConf = owner.callSid === null ? undefined : this.calls.get(owner.callSid)?.conference?.sid;
        return audio.openWriter(path, channels, owner.conferenceSid ?? callConf ?? owner.callSid ?? path);
      },
    });
    if (audio) {
      this.ctx.audioChanges = {
        call: (c) => this.changedCalls.add(c),
        conference: (conf) => this.changedConferences.add(conf),
        recording: (r) => this.changedRecordings.add(r),
      };
    }
    this.recordings = new RecordingRoom(this.ctx);
    this.numbers = new NumberRoom(this.ctx);
    this.conferences = new ConferenceRoom(this.ctx, this.recordings, () => this.calls);
    this.calls = new CallRoom(this.ctx, { conferences: this.conferences, recordings: this.recordings, numbers: this.numbers });
    this.mixer = new Mixer(this.calls, this.conferences);
    this.taskrouter = new TaskRouterRoom(
      this.ctx,
      () => this.taskConferencing(),
      (key, url, params) => this.callbacks.send(key, { url, method: 'POST' }, params),
    );
    mkdirSync(join(this.dataDir, 'recordings'), { recursive: true });
  }

  get liveCalls(): ReadonlySet<Call> {
    return this.calls.live;
  }

  get liveConferences(): ReadonlySet<Conference> {
    return this.conferences.live;
  }

  get activeRecordings(): ReadonlySet<Recording> {
    return this.recordings.active;
  }

  get tick(): number {
    return this.clock.tick;
  }

  // ---------------------------------------------------------------- lifecycle

  /** Loads what an earlier run left, finishing anything a crash cut short. */
  restore(): { recovered: string[] } {
    const state = this.persistence.restore(Date.now());
    this.numbers.adopt(state.numbers);
    this.recordings.adopt(state.recordings);
    // Ended calls and completed conferences stay in the store, read back when asked for.
    this.taskrouter.adopt(state.taskrouter);
    return { recovered: state.recovered };
  }

  start(): void {
    this.clock.start((t) => this.onFrame(t));
  }

  /** Hangs up every live call, finishes every open recording, delivers queued callbacks. */
  async close(): Promise<void> {
    if (this.ctx.closed) return;
    this.calls.hangupAll();
    this.recordings.finishAll();
    this.clock.stop();
    await this.audioThreads?.close();
    this.ctx.closed = true;
    this.callbacks.stopRetrying();
    await Promise.race([this.callbacks.drain(), new Promise((r) => setTimeout(r, 2000).unref())]);
    this.callbacks.close();
  }

  // ---------------------------------------------------------------- the frame

  onFrame(t: number): void {
    this.framesProcessed++;
    this.ctx.frameTick = t;
    for (const c of this.calls.live) this.calls.step(c, t);
    if (this.audioThreads) this.describeFrame(this.audioThreads, t);
    else {
      for (const c of this.calls.live) if (c.status === 'in-progress') c.speak(t);
      for (const conf of this.conferences.live) if (conf.status === 'in-progress') this.mixer.mixConference(conf);
      for (const r of this.recordings.active) this.mixer.capture(r);
    }
    this.ctx.frameTick = null;
    // Each writer flushes itself once it holds a second of audio (so recordings flush on
    // their own phase rather than all in one frame), and a pause flushes at once. Only a
    // clock slower than real time needs a wall-clock flush on top.
    if (this.clock.speed < 1) {
      const wall = performance.now();
      if (wall - this.lastFlushWall >= 1000) {
        for (const r of this.recordings.active) r.writer?.flush();
        this.lastFlushWall = wall;
      }
    }
  }

  /**
   * Threaded audio: each thread holds its recordings' descriptions (who speaks on which channel,
   * what the status makes of a frame) and renders every frame from them. This thread sends a
   * description again only for a recording something changed for since the last frame (a
   * recording's status, a call answered or ended, a participant joined, left, held or muted),
   * then the frame's number; so its work per frame follows the changes, not the calls.
   */
  private describeFrame(audio: ThreadedAudio, t: number): void {
    if (this.changedCalls.size + this.changedConferences.size + this.changedRecordings.size > 0) this.describeChanges(audio);
    const clock = this.clock;
    const base = clock instanceof RealtimeClock ? performance.timeOrigin + clock.startedAt : NaN;
    audio.endFrame(t, base, clock.wallMsFor(1));
  }

  /** Sends the descriptions of every recording a change since the last frame may concern. */
  private describeChanges(audio: ThreadedAudio): void {
    const recs = this.changedRecordings;
    const rooms = this.recordings;
    const addOwned = (sid: string): void => {
      const owned = rooms.activeOf(sid);
      if (owned) for (const r of owned) recs.add(r);
    };
    // A conference's recordings and every participant's call recordings hear its participants.
    const addConference = (conf: Conference): void => {
      addOwned(conf.sid);
      for (const p of conf.participants.values()) addOwned(p.call.sid);
    };
    for (const c of this.changedCalls) {
      addOwned(c.sid);
      if (c.conference) addConference(c.conference);
    }
    for (const conf of this.changedConferences) addConference(conf);
    for (const r of recs) {
      if (!r.active || !(r.writer instanceof RemoteWriterType)) continue;
      const sig = this.mixer.describe(r);
      if (sig === null) audio.describe(r.writer, null, [], []);
      else audio.describe(r.writer, r.frameMode(), sig.a, sig.b);
    }
    this.changedCalls.clear();
    this.changedConferences.clear();
    recs.clear();
  }

  /**
   * Resolves once the audio threads applied every change made so far (a pause's flush: what
   * was captured before it is on disk). Immediate when audio runs on this thread.
   */
  async audioSettled(r?: Recording): Promise<void> {
    await this.audioThreads?.settled(r?.writer);
  }

  // ---------------------------------------------------------------- commands (the API's changes)

  createCall(input: CreateCallInput): Call {
    return this.calls.create(input);
  }

  /** A simulated caller dials one of the engine's numbers; its voice URL decides what happens. */
  inboundCall(input: InboundCallInput): Call {
    return this.calls.inbound(input);
  }

  updateCall(c: Call, change: CallChange): Call {
    return this.calls.update(c, change);
  }

  hangup(c: Call, status: CallStatus): void {
    this.calls.hangup(c, status);
  }

  deleteCall(c: Call): void {
    this.calls.delete(c);
  }

  /** Participants create: the conference by SID (must be live) or by friendly name (created if needed). */
  addParticipant(confRef: string, input: ParticipantInput): { conference: Conference; participant: Participant } {
    return this.conferences.addParticipant(confRef, input);
  }

  endConference(conf: Conference, reason: ConferenceEndReason, callSid: string | null): void {
    this.conferences.end(conf, reason, callSid);
  }

  updateParticipant(conf: Conference, p: Participant, change: { hold?: boolean; muted?: boolean }): void {
    this.conferences.updateParticipant(conf, p, change);
  }

  removeParticipant(p: Participant): void {
    this.conferences.removeParticipant(p);
  }

  startCallRecording(c: Call, input: RecordingInput): Recording {
    return this.recordings.startCallRecording(c, input);
  }

  /** Pause, resume or stop; the same status again is a no-op. */
  updateRecording(r: Recording, status: RequestableStatus, behavior: PauseBehavior | undefined): Recording {
    return this.recordings.update(r, status, behavior);
  }

  stopRecording(r: Recording): void {
    this.recordings.stop(r);
  }

  deleteRecording(r: Recording): void {
    this.recordings.delete(r);
  }

  createNumber(input: PhoneNumberFields): PhoneNumber {
    return this.numbers.create(input);
  }

  updateNumber(n: PhoneNumber, change: Partial<PhoneNumberFields>): PhoneNumber {
    return this.numbers.update(n, change);
  }

  deleteNumber(n: PhoneNumber): void {
    this.numbers.delete(n);
  }

  /**
   * TaskRouter's `conference` instruction on the voice side: the worker's leg joins the
   * conference the task's call (`call_sid`) is in; a call not in a conference is first moved
   * into one named after the task, as Twilio does; without a live call, the live conference
   * the attributes name (`conference.sid`).
   */
  private taskConferencing(): TaskConferencing {
    return {
      joinWorker: (task: Task, attrs: Record<string, unknown>, leg) => {
        const callSid = typeof attrs['call_sid'] === 'string' ? attrs['call_sid'] : null;
        const call = callSid === null ? undefined : this.calls.get(callSid);
        let confRef: string | null = null;
        if (call?.live && call.conference?.live) confRef = call.conference.sid;
        else if (call?.live && call.status === 'in-progress') {
          this.calls.update(call, { twiml: `<Response><Dial><Conference>${task.sid}</Conference></Dial></Response>` });
          confRef = task.sid;
        } else {
          const conf = attrs['conference'];
          const sid = typeof conf === 'object' && conf !== null ? (conf as Record<string, unknown>)['sid'] : undefined;
          if (typeof sid === 'string' && this.conferences.get(sid)?.live) confRef = sid;
        }
        if (confRef === null)
          throw new InvalidParameterError(
            'Instruction',
            `task ${task.sid} has no live call (attributes.call_sid) or live conference (attributes.conference.sid) to join`,
          );
        const { conference, participant } = this.conferences.addParticipant(confRef, {
          from: leg.from,
          to: leg.to,
          label: 'worker',
          endConferenceOnExit: leg.endConferenceOnExit,
          ...(leg.statusCallback === null ? {} : { statusCallback: { url: leg.statusCallback, method: 'POST' as const } }),
        });
        return { callSid: participant.call.sid, conferenceSid: conference.sid };
      },
    };
  }
}
