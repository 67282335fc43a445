import type { FrameClock } from './clock.ts';
import type { EngineEvents } from './callbacks/events.ts';
import type { Persistence } from './persistence/persistence.ts';
import type { CallbackPolicy } from '../support/callbacks.ts';
import type { AudioKind } from './types.ts';
import type { Recording, RecordingWriter } from './recordings/recording.ts';
import type { Call } from './calls/call.ts';
import type { Conference } from './conferences/conference.ts';

/** Opens a recording's WAV (on this thread, or on the audio thread of its owner's conference). */
export type OpenWriter = (path: string, channels: 1 | 2, owner: { callSid: string | null; conferenceSid: string | null }) => RecordingWriter;

/**
 * What the rooms report when something a recording's audio is made of changed: a call answered
 * or ended, a conference's participants or status, a recording's status. The audio threads hold
 * each recording's description and are told only of these changes (src/model/engine.ts).
 */
export interface AudioChanges {
  call(c: Call): void;
  conference(conf: Conference): void;
  recording(r: Recording): void;
}

export type EngineLog = (msg: string, data?: Record<string, unknown>) => void;

export interface EngineContextInit {
  accountSid: string;
  authToken: string;
  dataDir: string;
  audio: AudioKind;
  clock: FrameClock;
  persistence: Persistence;
  events: EngineEvents;
  answerDelayFrames: number;
  webhookTimeoutMs: number;
  /** Where the engine may send requests (voice URLs, callbacks); read at each request. */
  callbackPolicy: () => CallbackPolicy;
  log: EngineLog;
  openWriter: OpenWriter;
}

/**
 * What every room shares: the account, the clock and the frame being processed, where
 * state is written and where callbacks go. One per engine.
 */
export class EngineContext {
  readonly accountSid: string;
  readonly authToken: string;
  readonly dataDir: string;
  readonly audio: AudioKind;
  readonly clock: FrameClock;
  readonly persistence: Persistence;
  readonly events: EngineEvents;
  readonly answerDelayFrames: number;
  readonly webhookTimeoutMs: number;
  readonly callbackPolicy: () => CallbackPolicy;
  readonly log: EngineLog;
  readonly openWriter: OpenWriter;
  /** Set by the engine when audio threads render the recordings; null when this thread does. */
  audioChanges: AudioChanges | null = null;
  /** Set once `close` began: no new calls are taken. */
  closed = false;
  /** The frame being processed while the engine steps calls inside a frame; null between frames. */
  frameTick: number | null = null;

  constructor(init: EngineContextInit) {
    this.accountSid = init.accountSid;
    this.authToken = init.authToken;
    this.dataDir = init.dataDir;
    this.audio = init.audio;
    this.clock = init.clock;
    this.persistence = init.persistence;
    this.events = init.events;
    this.answerDelayFrames = init.answerDelayFrames;
    this.webhookTimeoutMs = init.webhookTimeoutMs;
    this.callbackPolicy = init.callbackPolicy;
    this.log = init.log;
    this.openWriter = init.openWriter;
  }

  /**
   * The first frame whose audio is not yet captured: the frame being processed while the
   * engine steps calls inside a frame, the next frame between frames. Every change of a
   * recording's state takes effect from this frame.
   */
  get cursor(): number {
    return this.frameTick ?? this.clock.tick;
  }

  /** The frame a ringing call is answered in: `answerDelayFrames` 1 means the next frame. */
  answerTick(): number {
    return this.clock.tick + Math.max(0, this.answerDelayFrames - 1);
  }
}
