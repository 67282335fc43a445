import { rfc2822, rfc2822OrNull } from './support/time.ts';
import type { Call } from './model/calls/call.ts';
import type { Conference, Participant } from './model/conferences/conference.ts';
import type { Recording } from './model/recordings/recording.ts';
import type { PhoneNumber } from './model/numbers/phone-number.ts';

/**
 * Twilio's JSON for each resource, field for field as the 2010-04-01 API answers
 * (checked against Twilio's OpenAPI spec by the contract tests).
 */
const API = '2010-04-01';
const base = (ac: string) => `/${API}/Accounts/${ac}`;

export type Json = Record<string, unknown>;

export function callJson(c: Call): Json {
  const uri = `${base(c.accountSid)}/Calls/${c.sid}`;
  return {
    sid: c.sid,
    date_created: rfc2822(c.createdMs),
    date_updated: rfc2822(c.updatedMs),
    parent_call_sid: null,
    account_sid: c.accountSid,
    to: c.to,
    to_formatted: c.to,
    from: c.from,
    from_formatted: c.from,
    phone_number_sid: c.phoneNumberSid,
    status: c.status,
    start_time: rfc2822OrNull(c.startMs),
    end_time: rfc2822OrNull(c.endMs),
    duration: c.live ? null : String(c.durationSeconds() ?? 0),
    price: null,
    price_unit: 'USD',
    direction: c.direction,
    answered_by: null,
    api_version: API,
    forwarded_from: null,
    group_sid: null,
    caller_name: null,
    queue_time: '0',
    trunk_sid: null,
    uri: `${uri}.json`,
    subresource_uris: {
      notifications: `${uri}/Notifications.json`,
      recordings: `${uri}/Recordings.json`,
      payments: `${uri}/Payments.json`,
      events: `${uri}/Events.json`,
      siprec: `${uri}/Siprec.json`,
      streams: `${uri}/Streams.json`,
      transcriptions: `${uri}/Transcriptions.json`,
      user_defined_message_subscriptions: `${uri}/UserDefinedMessageSubscriptions.json`,
      user_defined_messages: `${uri}/UserDefinedMessages.json`,
    },
  };
}

export function conferenceJson(c: Conference): Json {
  const uri = `${base(c.accountSid)}/Conferences/${c.sid}`;
  return {
    account_sid: c.accountSid,
    date_created: rfc2822(c.createdMs),
    date_updated: rfc2822(c.updatedMs),
    api_version: API,
    friendly_name: c.friendlyName,
    region: 'us1',
    sid: c.sid,
    status: c.status,
    uri: `${uri}.json`,
    subresource_uris: {
      participants: `${uri}/Participants.json`,
      recordings: `${uri}/Recordings.json`,
    },
    reason_conference_ended: c.reasonEnded,
    call_sid_ending_conference: c.callSidEndingConference,
  };
}

export function participantJson(conf: Conference, p: Participant): Json {
  return {
    account_sid: conf.accountSid,
    call_sid: p.call.sid,
    label: p.label,
    call_sid_to_coach: null,
    coaching: false,
    conference_sid: conf.sid,
    date_created: rfc2822(p.createdMs),
    date_updated: rfc2822(p.updatedMs),
    end_conference_on_exit: p.endConferenceOnExit,
    muted: p.muted,
    hold: p.hold,
    start_conference_on_enter: p.startConferenceOnEnter,
    status: p.status,
    queue_time: '0',
    uri: `${base(conf.accountSid)}/Conferences/${conf.sid}/Participants/${p.call.sid}.json`,
  };
}

function recordingCommon(r: Recording): Json {
  return {
    account_sid: r.accountSid,
    api_version: API,
    call_sid: r.callSid,
    conference_sid: r.conferenceSid,
    date_created: rfc2822(r.createdMs),
    date_updated: rfc2822(r.updatedMs),
    start_time: rfc2822(r.createdMs),
    duration: r.duration,
    sid: r.sid,
    status: r.status,
    channels: r.channels,
    source: r.source,
    error_code: r.errorCode,
    encryption_details: null,
    price_unit: 'USD',
  };
}

/** A recording addressed under its call: `/Calls/{CA}/Recordings/{RE}.json`. */
export function callRecordingJson(r: Recording): Json {
  return {
    ...recordingCommon(r),
    price: null,
    track: r.track ?? 'both',
    uri: `${base(r.accountSid)}/Calls/${r.callSid}/Recordings/${r.sid}.json`,
  };
}

/** A recording addressed under its conference (no `track`, as at Twilio). */
export function conferenceRecordingJson(r: Recording): Json {
  return {
    ...recordingCommon(r),
    price: null,
    uri: `${base(r.accountSid)}/Conferences/${r.conferenceSid}/Recordings/${r.sid}.json`,
  };
}

/** A recording addressed at the account level, with its media URL. */
export function accountRecordingJson(r: Recording, origin: string): Json {
  const uri = `${base(r.accountSid)}/Recordings/${r.sid}`;
  return {
    ...recordingCommon(r),
    price: null,
    uri: `${uri}.json`,
    subresource_uris: {
      add_on_results: `${uri}/AddOnResults.json`,
      transcriptions: `${uri}/Transcriptions.json`,
    },
    media_url: `${origin}${uri}`,
  };
}

export function phoneNumberJson(n: PhoneNumber): Json {
  return {
    account_sid: n.accountSid,
    address_sid: null,
    address_requirements: 'none',
    api_version: API,
    beta: false,
    capabilities: { voice: true, sms: false, mms: false, fax: false },
    date_created: rfc2822(n.createdMs),
    date_updated: rfc2822(n.updatedMs),
    friendly_name: n.friendlyName,
    identity_sid: null,
    phone_number: n.phoneNumber,
    origin: 'twilio',
    sid: n.sid,
    sms_application_sid: null,
    sms_fallback_method: 'POST',
    sms_fallback_url: null,
    sms_method: 'POST',
    sms_url: null,
    status_callback: n.statusCallback,
    status_callback_method: n.statusCallbackMethod,
    trunk_sid: null,
    uri: `${base(n.accountSid)}/IncomingPhoneNumbers/${n.sid}.json`,
    voice_receive_mode: 'voice',
    voice_application_sid: null,
    voice_caller_id_lookup: false,
    voice_fallback_method: 'POST',
    voice_fallback_url: null,
    voice_method: n.voiceMethod,
    voice_url: n.voiceUrl,
    emergency_status: 'Inactive',
    emergency_address_sid: null,
    emergency_address_status: 'unregistered',
    bundle_sid: null,
    status: 'in-use',
    type: 'local',
  };
}
