import { SAMPLES_PER_FRAME } from '@pause-recording/core';
import type { AudioSource } from '../../audio/sources.ts';
import type { Verb } from '../../twiml.ts';
import type { AudioKind, Callback, CallEvent, CallStatus, Direction } from '../types.ts';
import type { Conference } from '../conferences/conference.ts';
import type { RecordingInput } from '../inputs.ts';

/** Where a call's instructions come from before it is answered. */
export type CallPlan = { kind: 'twiml'; verbs: Verb[] } | { kind: 'url'; url: Callback } | { kind: 'participant'; conference: Conference };

export interface CallInit {
  sid: string;
  accountSid: string;
  from: string;
  to: string;
  direction: Direction;
  plan: CallPlan;
  callback: Callback | null;
  callbackEvents: CallEvent[];
  audio: AudioKind;
  slot: number | null;
  hangupAfterFrames: number | null;
  phoneNumberSid: string | null;
  createdMs: number;
}

/**
 * One call leg. The far end is a simulated party that answers and talks: `own` holds
 * what it says in the current frame, `heard` what the leg hears.
 */
export class Call {
  readonly sid: string;
  readonly accountSid: string;
  readonly from: string;
  readonly to: string;
  readonly direction: Direction;
  readonly callback: Callback | null;
  readonly callbackEvents: CallEvent[];
  readonly audio: AudioKind;
  readonly hangupAfterFrames: number | null;
  readonly phoneNumberSid: string | null;
  readonly createdMs: number;
  plan: CallPlan;
  status: CallStatus = 'queued';
  updatedMs: number;
  startMs: number | null = null;
  endMs: number | null = null;
  answeredTick: number | null = null;
  endedTick: number | null = null;
  slot: number | null;
  source: AudioSource | null = null;
  verbs: Verb[] = [];
  pc = 0;
  /** Frame at which the current wait (Pause/Say) ends. */
  waitUntilTick: number | null = null;
  /** The conference this leg is in while executing <Conference> (or as an API participant). */
  conference: Conference | null = null;
  /** Frame at which the simulated party answers (while queued or ringing). */
  answerAtTick: number | null = null;
  /** A call recording asked for at creation (Participants `Record=true`), started on answer. */
  pendingRecording: RecordingInput | null = null;
  /** Set while the engine is fetching TwiML for this call. */
  fetching = false;
  callbackSeq = 0;

  readonly own = new Int32Array(SAMPLES_PER_FRAME);
  readonly heard = new Int32Array(SAMPLES_PER_FRAME);
  private readonly frame16 = new Int16Array(SAMPLES_PER_FRAME);

  constructor(init: CallInit) {
    this.sid = init.sid;
    this.accountSid = init.accountSid;
    this.from = init.from;
    this.to = init.to;
    this.direction = init.direction;
    this.plan = init.plan;
    this.callback = init.callback;
    this.callbackEvents = init.callbackEvents;
    this.audio = init.audio;
    this.slot = init.slot;
    this.hangupAfterFrames = init.hangupAfterFrames;
    this.phoneNumberSid = init.phoneNumberSid;
    this.createdMs = init.createdMs;
    this.updatedMs = init.createdMs;
  }

  get live(): boolean {
    return this.status === 'queued' || this.status === 'ringing' || this.status === 'in-progress';
  }

  get inProgress(): boolean {
    return this.status === 'in-progress';
  }

  /** Seconds between answer and end, as Twilio's `duration` (a string once the call ended). */
  durationSeconds(): number | null {
    if (this.answeredTick === null || this.endedTick === null) return this.endedTick === null ? null : 0;
    return Math.round((this.endedTick - this.answeredTick) / 50);
  }

  /** Fills `own` with what the simulated party says in engine frame `tick`. */
  speak(tick: number): void {
    if (!this.source || this.answeredTick === null) {
      this.own.fill(0);
      return;
    }
    this.source.fill(this.frame16, tick - this.answeredTick);
    // Native Int16 -> Int32 copy: runs per leg per frame, a JS loop costs about twice as much.
    this.own.set(this.frame16);
  }

  /**
   * An ended call read back from the store (`Persistence.saveCall`'s row): what the API's
   * commands look at (SID, status, times) and the engine's own fields (slot, ticks). Its JSON
   * is the stored one, never rebuilt from this object.
   */
  static fromStored(createdMs: number, j: Record<string, unknown>): Call {
    const str = (k: string): string => (typeof j[k] === 'string' ? j[k] : '');
    const time = (k: string): number | null => (typeof j[k] === 'string' ? Date.parse(j[k]) : null);
    const eng = (typeof j['_engine'] === 'object' && j['_engine'] !== null ? j['_engine'] : {}) as Partial<
      Record<'slot' | 'answeredTick' | 'endedTick', number | null> & { audio: AudioKind }
    >;
    const c = new Call({
      sid: str('sid'),
      accountSid: str('account_sid'),
      from: str('from'),
      to: str('to'),
      direction: str('direction') as Direction,
      plan: { kind: 'twiml', verbs: [] },
      callback: null,
      callbackEvents: [],
      audio: eng.audio ?? 'demo',
      slot: eng.slot ?? null,
      hangupAfterFrames: null,
      phoneNumberSid: typeof j['phone_number_sid'] === 'string' ? j['phone_number_sid'] : null,
      createdMs,
    });
    c.status = str('status') as CallStatus;
    c.updatedMs = time('date_updated') ?? createdMs;
    c.startMs = time('start_time');
    c.endMs = time('end_time');
    c.answeredTick = eng.answeredTick ?? null;
    c.endedTick = eng.endedTick ?? null;
    return c;
  }
}
