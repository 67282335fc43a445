import { rfc2822 } from '../../support/time.ts';
import type { Call } from '../calls/call.ts';
import type { Conference, Participant } from '../conferences/conference.ts';
import type { Recording } from '../recordings/recording.ts';
import type { CallEvent } from '../types.ts';

/** The form fields of each status callback, as Twilio sends them. */
export type ConferenceEventName =
  | 'conference-start'
  | 'conference-end'
  | 'participant-join'
  | 'participant-leave'
  | 'participant-mute'
  | 'participant-unmute'
  | 'participant-hold'
  | 'participant-unhold';

/** Which `statusCallbackEvent` word subscribes to each conference event. */
export const CONFERENCE_EVENT_GROUP: Record<ConferenceEventName, string> = {
  'conference-start': 'start',
  'conference-end': 'end',
  'participant-join': 'join',
  'participant-leave': 'leave',
  'participant-mute': 'mute',
  'participant-unmute': 'mute',
  'participant-hold': 'hold',
  'participant-unhold': 'hold',
};

export function callEventParams(c: Call, event: CallEvent): Record<string, string> {
  const params: Record<string, string> = {
    AccountSid: c.accountSid,
    ApiVersion: '2010-04-01',
    CallSid: c.sid,
    // Twilio reports the initiated event as CallStatus=initiated (the call resource still says queued).
    CallStatus: event === 'initiated' ? 'initiated' : c.status,
    Called: c.to,
    Caller: c.from,
    Direction: c.direction,
    From: c.from,
    To: c.to,
    Timestamp: rfc2822(Date.now()),
    CallbackSource: 'call-progress-events',
    SequenceNumber: String(c.callbackSeq++),
  };
  if (event === 'completed') params['CallDuration'] = String(c.durationSeconds() ?? 0);
  return params;
}

export function conferenceEventParams(conf: Conference, event: ConferenceEventName, p: Participant | null): Record<string, string> {
  const params: Record<string, string> = {
    AccountSid: conf.accountSid,
    ConferenceSid: conf.sid,
    FriendlyName: conf.friendlyName,
    StatusCallbackEvent: event,
    Timestamp: rfc2822(Date.now()),
    SequenceNumber: String(conf.callbackSeq++),
  };
  if (p) {
    params['CallSid'] = p.call.sid;
    params['Muted'] = String(p.muted);
    params['Hold'] = String(p.hold);
    params['Coaching'] = 'false';
    params['EndConferenceOnExit'] = String(p.endConferenceOnExit);
    params['StartConferenceOnEnter'] = String(p.startConferenceOnEnter);
    if (p.label) params['ParticipantLabel'] = p.label;
  }
  if (event === 'conference-end') {
    params['ReasonConferenceEnded'] = conf.reasonEnded ?? '';
    if (conf.callSidEndingConference) params['CallSidEndingConference'] = conf.callSidEndingConference;
  }
  return params;
}

export function recordingEventParams(r: Recording, origin: string): Record<string, string> {
  const params: Record<string, string> = {
    AccountSid: r.accountSid,
    CallSid: r.callSid ?? '',
    RecordingSid: r.sid,
    RecordingUrl: `${origin}/2010-04-01/Accounts/${r.accountSid}/Recordings/${r.sid}`,
    RecordingStatus: r.status,
    RecordingChannels: String(r.channels),
    RecordingStartTime: rfc2822(r.createdMs),
    RecordingSource: r.source,
    ErrorCode: String(r.errorCode ?? 0),
  };
  if (r.duration !== null) params['RecordingDuration'] = r.duration;
  if (r.kind === 'call') params['RecordingTrack'] = r.track ?? 'both';
  if (r.conferenceSid) params['ConferenceSid'] = r.conferenceSid;
  return params;
}
