import type { PauseBehavior, RecordingStatus } from '@pause-recording/core';

export type AudioKind = 'stamped' | 'demo';

export const CALL_STATUSES = ['queued', 'ringing', 'in-progress', 'completed', 'busy', 'failed', 'no-answer', 'canceled'] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];
export const LIVE_CALL_STATUSES: readonly CallStatus[] = ['queued', 'ringing', 'in-progress'];

export type Direction = 'inbound' | 'outbound-api';

export const CALL_EVENTS = ['initiated', 'ringing', 'answered', 'completed'] as const;
export type CallEvent = (typeof CALL_EVENTS)[number];

export const RECORDING_EVENTS = ['in-progress', 'completed', 'absent'] as const;
export type RecordingEvent = (typeof RECORDING_EVENTS)[number];

export const CONFERENCE_EVENTS = ['start', 'end', 'join', 'leave', 'mute', 'hold', 'modify', 'speaker', 'announcement'] as const;

export type ConferenceStatus = 'init' | 'in-progress' | 'completed';
export type ParticipantStatus = 'queued' | 'connecting' | 'ringing' | 'connected' | 'complete' | 'failed';

export type RecordingTrack = 'inbound' | 'outbound' | 'both';

export interface Callback {
  url: string;
  method: 'POST' | 'GET';
}

/** A change of a recording's capture state, at the first frame it governs. */
export interface RecordingEventLog {
  /** Engine frame (clock tick) from which the new state applies. */
  tick: number;
  /** File frame index at that moment (frames already in the WAV). */
  fileFrame: number;
  status: RecordingStatus;
  pauseBehavior: PauseBehavior | null;
  /** Wall-clock ms when the engine accepted the change. */
  acceptedAtMs: number;
}
