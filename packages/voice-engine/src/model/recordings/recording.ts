import { canTransition, durationString, isActive, type PauseBehavior, type RecordingStatus, SAMPLES_PER_FRAME } from '@pause-recording/core';
import { IllegalTransitionError } from '../errors.ts';
import type { Callback, RecordingEvent, RecordingEventLog, RecordingTrack } from '../types.ts';

/**
 * Where a recording's frames go: a WavWriter on this thread, or a handle to one on an audio
 * thread (src/audio/plane.ts). `close` returns a promise when the file is final only later.
 */
export interface RecordingWriter {
  writeFrame(interleaved: Int16Array): void;
  writeSilence(frames: number): void;
  flush(): void;
  close(): unknown;
}

export type RecordingSource = 'StartCallRecordingAPI' | 'OutboundAPI' | 'Conference' | 'StartConferenceRecordingAPI';

export interface RecordingInit {
  sid: string;
  accountSid: string;
  callSid: string | null;
  conferenceSid: string | null;
  channels: 1 | 2;
  track: RecordingTrack | null;
  source: RecordingSource;
  callback: Callback | null;
  callbackEvents: RecordingEvent[];
  wavPath: string;
  startTick: number;
  createdMs: number;
}

export interface StoredRecording extends RecordingInit {
  status: RecordingStatus;
  pauseBehavior: PauseBehavior | null;
  updatedMs: number;
  errorCode: number | null;
  fileFrames: number;
  liveFrames: number;
  events: RecordingEventLog[];
}

/**
 * One recording: its Twilio-visible state plus the WAV it writes. The engine calls
 * `capture` once per frame; what lands in the file depends only on `status` at that
 * moment, so a pause accepted between two frames governs the very next one.
 */
export class Recording {
  readonly sid: string;
  readonly accountSid: string;
  readonly callSid: string | null;
  readonly conferenceSid: string | null;
  readonly channels: 1 | 2;
  readonly track: RecordingTrack | null;
  readonly source: RecordingSource;
  readonly callback: Callback | null;
  readonly callbackEvents: RecordingEvent[];
  readonly wavPath: string;
  readonly startTick: number;
  readonly createdMs: number;
  updatedMs: number;
  errorCode: number | null = null;
  readonly events: RecordingEventLog[] = [];
  writer: RecordingWriter | null;

  private readonly scratch: Int16Array;
  /** Changed only through `moveTo`, so every change obeys core's transition table. */
  #status: RecordingStatus = 'in-progress';
  #pauseBehavior: PauseBehavior | null = null;
  /**
   * The frame counts are settled lazily, not counted per frame: `#file`/`#live` hold the counts
   * up to frame `#since` (where the current status and pause behaviour began), and the frames
   * from there to the engine's cursor (`#cursor`: the first frame not yet captured) are added
   * on read by what the current status makes of each frame. Every change of status or pause
   * behaviour settles first, so the answers are those of counting frame by frame.
   */
  #file = 0;
  #live = 0;
  #since = 0;
  /** The engine's cursor; null for a recording read back from the store (its counts are final). */
  readonly #cursor: (() => number) | null;

  get status(): RecordingStatus {
    return this.#status;
  }

  get pauseBehavior(): PauseBehavior | null {
    return this.#pauseBehavior;
  }

  set pauseBehavior(b: PauseBehavior | null) {
    this.settle();
    this.#pauseBehavior = b;
  }

  /** Frames in the file (written audio plus written silence). */
  get fileFrames(): number {
    return this.#file + (this.frameMode() === null ? 0 : this.running());
  }

  /** Only for a file repaired after a crash (restore): the frames it holds. */
  set fileFrames(frames: number) {
    this.settle();
    this.#file = frames;
  }

  /** Frames the clock offered while the recording was live (paused or not). */
  get liveFrames(): number {
    return this.#live + (this.active && this.writer ? this.running() : 0);
  }

  /**
   * One step of the lifecycle. A step core's table (`canTransition`) does not allow is a
   * bug in the caller, refused with an IllegalTransitionError and nothing changed.
   */
  moveTo(to: RecordingStatus): void {
    if (!canTransition(this.#status, to)) throw new IllegalTransitionError(this.sid, this.#status, to);
    this.settle();
    this.#status = to;
  }

  /** Frames offered since the last settlement (0 for a stored recording). */
  private running(): number {
    return this.#cursor === null ? 0 : Math.max(0, this.#cursor() - this.#since);
  }

  /** Folds the frames since the last change into the counts, by the status they were captured under. */
  private settle(): void {
    const n = this.running();
    if (n > 0) {
      if (this.active && this.writer) this.#live += n;
      if (this.frameMode() !== null) this.#file += n;
    }
    if (this.#cursor !== null) this.#since = Math.max(this.#since, this.#cursor());
  }

  /** What the store keeps: enough to serve the recording and its media after a restart. */
  toStored(): StoredRecording {
    return {
      sid: this.sid,
      accountSid: this.accountSid,
      callSid: this.callSid,
      conferenceSid: this.conferenceSid,
      channels: this.channels,
      track: this.track,
      source: this.source,
      callback: this.callback,
      callbackEvents: this.callbackEvents,
      wavPath: this.wavPath,
      startTick: this.startTick,
      createdMs: this.createdMs,
      status: this.status,
      pauseBehavior: this.pauseBehavior,
      updatedMs: this.updatedMs,
      errorCode: this.errorCode,
      fileFrames: this.fileFrames,
      liveFrames: this.liveFrames,
      events: this.events,
    };
  }

  static restore(data: unknown): Recording {
    const d = data as StoredRecording;
    const r = new Recording(d, null);
    // Restoring is not a transition: the row holds a status reached through moveTo before.
    r.#status = d.status;
    r.#pauseBehavior = d.pauseBehavior;
    r.updatedMs = d.updatedMs;
    r.errorCode = d.errorCode;
    r.#file = d.fileFrames;
    r.#live = d.liveFrames;
    r.events.push(...d.events);
    return r;
  }

  /** `cursor`: the engine's first frame not yet captured (a live recording counts its frames against it). */
  constructor(init: RecordingInit, writer: RecordingWriter | null, cursor: (() => number) | null = null) {
    this.sid = init.sid;
    this.accountSid = init.accountSid;
    this.callSid = init.callSid;
    this.conferenceSid = init.conferenceSid;
    this.channels = init.channels;
    this.track = init.track;
    this.source = init.source;
    this.callback = init.callback;
    this.callbackEvents = init.callbackEvents;
    this.wavPath = init.wavPath;
    this.startTick = init.startTick;
    this.createdMs = init.createdMs;
    this.updatedMs = init.createdMs;
    this.writer = writer;
    this.#cursor = cursor;
    this.#since = init.startTick;
    this.scratch = new Int16Array(SAMPLES_PER_FRAME * init.channels);
  }

  get kind(): 'call' | 'conference' {
    return this.source === 'Conference' || this.source === 'StartConferenceRecordingAPI' ? 'conference' : 'call';
  }

  get active(): boolean {
    return isActive(this.status);
  }

  /** Twilio's `duration`: whole seconds of audio in the file; null until the audio is final. */
  get duration(): string | null {
    if (this.status === 'completed' || this.status === 'absent') return durationString(this.fileFrames);
    return null;
  }

  logChange(tick: number, nowMs: number): void {
    this.updatedMs = nowMs;
    this.events.push({
      tick,
      fileFrame: this.fileFrames,
      status: this.status,
      pauseBehavior: this.pauseBehavior,
      acceptedAtMs: nowMs,
    });
  }

  /**
   * One frame of audio. `a` is channel 1 (or the whole mono signal), `b` channel 2 for dual
   * recordings. Both are 32-bit sums; they are clamped to 16 bits here.
   */
  capture(a: Int32Array, b: Int32Array | null): void {
    const mode = this.frameMode();
    if (mode === null) return;
    if (mode === 'silence') {
      this.writer!.writeSilence(1);
      return;
    }
    const out = this.scratch;
    if (this.channels === 1) {
      for (let i = 0; i < SAMPLES_PER_FRAME; i++) out[i] = clamp(a[i]!);
    } else {
      for (let i = 0, j = 0; i < SAMPLES_PER_FRAME; i++, j += 2) {
        out[j] = clamp(a[i]!);
        out[j + 1] = clamp(b ? b[i]! : 0);
      }
    }
    this.writer!.writeFrame(out);
  }

  /**
   * What the current status makes of each frame: `write` audio, `silence`, or nothing (null).
   * It changes only with the status or the pause behaviour; the audio threads are told then.
   */
  frameMode(): 'write' | 'silence' | null {
    if (!this.active || !this.writer) return null;
    if (this.status === 'paused') return this.pauseBehavior === 'silence' ? 'silence' : null;
    return 'write';
  }
}

function clamp(v: number): number {
  return v > 32767 ? 32767 : v < -32768 ? -32768 : v;
}
