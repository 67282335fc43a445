import { SAMPLES_PER_FRAME } from '@pause-recording/core';
import type { Call } from '../calls/call.ts';
import type { Callback, ConferenceStatus, ParticipantStatus, RecordingEvent } from '../types.ts';

export interface Participant {
  call: Call;
  label: string | null;
  muted: boolean;
  hold: boolean;
  startConferenceOnEnter: boolean;
  endConferenceOnExit: boolean;
  status: ParticipantStatus;
  createdMs: number;
  updatedMs: number;
}

export type ConferenceEndReason =
  | 'conference-ended-via-api'
  | 'participant-with-end-conference-on-exit-left'
  | 'participant-with-end-conference-on-exit-kicked'
  | 'last-participant-left'
  | 'last-participant-kicked';

export interface RecordingRequest {
  callback: Callback | null;
  events: RecordingEvent[];
  /** The call whose join asked for the recording (reported as the recording's call_sid). */
  callSid: string;
}

export class Conference {
  readonly sid: string;
  readonly accountSid: string;
  readonly friendlyName: string;
  readonly createdMs: number;
  status: ConferenceStatus = 'init';
  updatedMs: number;
  startedTick: number | null = null;
  reasonEnded: ConferenceEndReason | null = null;
  callSidEndingConference: string | null = null;
  /** Participants by call SID, in join order. */
  readonly participants = new Map<string, Participant>();
  /** Slots of legs that have been in this conference, so stamped legs stay apart. */
  readonly usedSlots = new Set<number>();
  statusCallback: Callback | null = null;
  statusCallbackEvents: string[] = [];
  callbackSeq = 0;
  /** record-from-start was asked for; started when the conference starts. */
  recordRequest: RecordingRequest | null = null;
  recordingStarted = false;
  /** The sum of every speaking participant in the current frame. */
  readonly mix = new Int32Array(SAMPLES_PER_FRAME);

  constructor(sid: string, accountSid: string, friendlyName: string, nowMs: number) {
    this.sid = sid;
    this.accountSid = accountSid;
    this.friendlyName = friendlyName;
    this.createdMs = nowMs;
    this.updatedMs = nowMs;
  }

  get live(): boolean {
    return this.status !== 'completed';
  }

  /** A completed conference read back from the store: SID, name and status (its JSON is the stored one). */
  static fromStored(createdMs: number, j: Record<string, unknown>): Conference {
    const str = (k: string): string => (typeof j[k] === 'string' ? j[k] : '');
    const conf = new Conference(str('sid'), str('account_sid'), str('friendly_name'), createdMs);
    conf.status = str('status') as ConferenceStatus;
    conf.updatedMs = typeof j['date_updated'] === 'string' ? Date.parse(j['date_updated']) : createdMs;
    conf.reasonEnded = (j['reason_conference_ended'] as ConferenceEndReason | null | undefined) ?? null;
    conf.callSidEndingConference = typeof j['call_sid_ending_conference'] === 'string' ? j['call_sid_ending_conference'] : null;
    return conf;
  }

  connected(): Participant[] {
    return [...this.participants.values()].filter((p) => p.status === 'connected');
  }

  /** A participant is heard in the mix when connected, not muted and not on hold. */
  static speaks(p: Participant): boolean {
    return p.status === 'connected' && !p.muted && !p.hold;
  }

  /** Lowest slot (0..3) no leg of this conference has used yet; the last slot once all are taken. */
  nextSlot(): number {
    for (let s = 0; s < 4; s++) if (!this.usedSlots.has(s)) return s;
    return 3;
  }
}
