import type { RecordingSource } from './recordings/recording.ts';
import type { AudioKind, Callback, CallEvent, RecordingEvent, RecordingTrack } from './types.ts';

/** What the HTTP layer asks of the engine, already parsed and checked. */
export interface CreateCallInput {
  from: string;
  to: string;
  twiml?: string;
  url?: Callback;
  statusCallback?: Callback | null;
  statusCallbackEvents?: CallEvent[];
  audio?: AudioKind;
  slot?: number | null;
  hangupAfterSeconds?: number | null;
}

export interface ParticipantInput {
  from: string;
  to: string;
  label?: string | null;
  muted?: boolean;
  hold?: boolean;
  startConferenceOnEnter?: boolean;
  endConferenceOnExit?: boolean;
  conferenceRecord?: boolean;
  conferenceRecordingCallback?: Callback | null;
  conferenceRecordingEvents?: RecordingEvent[];
  conferenceStatusCallback?: Callback | null;
  conferenceStatusEvents?: string[];
  record?: boolean;
  recordingChannels?: 1 | 2;
  recordingTrack?: RecordingTrack;
  recordingCallback?: Callback | null;
  recordingEvents?: RecordingEvent[];
  statusCallback?: Callback | null;
  statusCallbackEvents?: CallEvent[];
  audio?: AudioKind;
  slot?: number | null;
}

export interface RecordingInput {
  channels: 1 | 2;
  track: RecordingTrack;
  callback: Callback | null;
  events: RecordingEvent[];
  source?: RecordingSource;
}
