import type { CallbackDispatcher } from '../../support/callbacks.ts';
import type { Call } from '../calls/call.ts';
import type { Conference, Participant } from '../conferences/conference.ts';
import type { Recording } from '../recordings/recording.ts';
import type { CallEvent, RecordingEvent } from '../types.ts';
import { callEventParams, CONFERENCE_EVENT_GROUP, conferenceEventParams, recordingEventParams, type ConferenceEventName } from './callback-params.ts';

/**
 * Status callbacks the rooms raise: each is sent only when its resource subscribed to the
 * event, and only queued here (the dispatcher delivers off the audio clock, in order per
 * resource).
 */
export class EngineEvents {
  private readonly dispatcher: CallbackDispatcher;
  private readonly origin: () => string;

  /** `origin`: the engine's base URL, known once the HTTP server listens (recording URLs use it). */
  constructor(dispatcher: CallbackDispatcher, origin: () => string) {
    this.dispatcher = dispatcher;
    this.origin = origin;
  }

  call(c: Call, event: CallEvent): void {
    if (!c.callback || !c.callbackEvents.includes(event)) return;
    this.dispatcher.send(c.sid, c.callback, callEventParams(c, event));
  }

  conference(conf: Conference, event: ConferenceEventName, p: Participant | null): void {
    if (!conf.statusCallback || !conf.statusCallbackEvents.includes(CONFERENCE_EVENT_GROUP[event])) return;
    this.dispatcher.send(conf.sid, conf.statusCallback, conferenceEventParams(conf, event, p));
  }

  recording(r: Recording, event: RecordingEvent): void {
    if (!r.callback || !r.callbackEvents.includes(event)) return;
    this.dispatcher.send(r.sid, r.callback, recordingEventParams(r, this.origin()));
  }
}
