import Type from 'typebox';
import { AccountPath, Form, Paging, type EngineApp } from './form.ts';
import { paginate, sidSegment } from './util.ts';
import { callbackParam } from './routes-calls.ts';
import { participantJson } from '../serialize.ts';
import type { Engine } from '../model/engine.ts';
import type { Conference } from '../model/conferences/conference.ts';
import { CALL_EVENTS, CONFERENCE_EVENTS, RECORDING_EVENTS } from '../model/types.ts';

const A = '/2010-04-01/Accounts/:AccountSid';

/** The conference of a `…/Conferences/{CF}/…` path. */
function conferenceAt(engine: Engine, conferenceSid: string): Conference {
  return engine.conferences.find(sidSegment(`${conferenceSid}.json`, 'conference'));
}

/** Participants are addressed by call SID or by label, as at Twilio. */
function participantRef(file: string): string {
  return sidSegment(file, null);
}

const ConferencePath = Type.Object({ ...AccountPath, file: Type.String() });
const ParticipantsPath = Type.Object({ ...AccountPath, ConferenceSid: Type.String() });
const ParticipantPath = Type.Object({ ...AccountPath, ConferenceSid: Type.String(), file: Type.String() });

const ListConferences = Type.Object({
  ...Paging,
  Status: Type.Optional(Form.oneOf(['init', 'in-progress', 'completed'])),
  FriendlyName: Type.Optional(Type.String()),
});

const UpdateConference = Type.Object({ Status: Type.Optional(Form.oneOf(['completed'])) });

const AddParticipant = Type.Object({
  From: Form.text(),
  To: Form.text(),
  Label: Type.Optional(Type.String()),
  Muted: Type.Optional(Form.bool()),
  Hold: Type.Optional(Form.bool()),
  StartConferenceOnEnter: Type.Optional(Form.bool()),
  EndConferenceOnExit: Type.Optional(Form.bool()),
  /** `record-from-start` and `true` both start a conference recording; the rest do not. */
  ConferenceRecord: Type.Optional(Form.oneOf(['true', 'false', 'record-from-start', 'do-not-record'])),
  ConferenceRecordingStatusCallback: Type.Optional(Form.url()),
  ConferenceRecordingStatusCallbackMethod: Type.Optional(Form.method()),
  ConferenceRecordingStatusCallbackEvent: Type.Optional(Form.events(RECORDING_EVENTS)),
  ConferenceStatusCallback: Type.Optional(Form.url()),
  ConferenceStatusCallbackMethod: Type.Optional(Form.method()),
  ConferenceStatusCallbackEvent: Type.Optional(Form.events(CONFERENCE_EVENTS)),
  Record: Type.Optional(Form.bool()),
  RecordingChannels: Type.Optional(Form.oneOf(['mono', 'dual'])),
  RecordingTrack: Type.Optional(Form.oneOf(['inbound', 'outbound', 'both'])),
  RecordingStatusCallback: Type.Optional(Form.url()),
  RecordingStatusCallbackMethod: Type.Optional(Form.method()),
  RecordingStatusCallbackEvent: Type.Optional(Form.events(RECORDING_EVENTS)),
  StatusCallback: Type.Optional(Form.url()),
  StatusCallbackMethod: Type.Optional(Form.method()),
  StatusCallbackEvent: Type.Optional(Form.events(CALL_EVENTS)),
  StampSlot: Type.Optional(Form.int(0, 3)),
  Audio: Type.Optional(Form.oneOf(['stamped', 'demo'])),
});

const ListParticipants = Type.Object({ ...Paging, Hold: Type.Optional(Form.bool()), Muted: Type.Optional(Form.bool()) });

const UpdateParticipant = Type.Object({ Hold: Type.Optional(Form.bool()), Muted: Type.Optional(Form.bool()) });

export function registerConferenceRoutes(app: EngineApp, engine: Engine): void {
  app.get(`${A}/Conferences.json`, { schema: { params: Type.Object(AccountPath), querystring: ListConferences } }, async (req) => {
    const { Status: status, FriendlyName: name } = req.query;
    const all = engine.conferences.allJson().filter((c) => (!status || c['status'] === status) && (!name || c['friendly_name'] === name));
    const page = paginate(all, req.query, req.url.split('?')[0]!);
    return { conferences: page.items, ...page.meta };
  });

  app.get(`${A}/Conferences/:file`, { schema: { params: ConferencePath } }, async (req) => {
    return engine.conferences.json(sidSegment(req.params.file, 'conference'));
  });

  app.post(`${A}/Conferences/:file`, { schema: { params: ConferencePath, body: UpdateConference } }, async (req) => {
    const conf = engine.conferences.find(sidSegment(req.params.file, 'conference'));
    if (req.body.Status === 'completed') engine.endConference(conf, 'conference-ended-via-api', null);
    // A completed conference answers with its stored JSON (it is not kept in memory).
    return engine.conferences.json(conf.sid);
  });

  app.post(`${A}/Conferences/:ConferenceSid/Participants.json`, { schema: { params: ParticipantsPath, body: AddParticipant } }, async (req, reply) => {
    const p = req.body;
    const { conference, participant } = engine.addParticipant(req.params.ConferenceSid, {
      from: p.From,
      to: p.To,
      label: p.Label ?? null,
      muted: p.Muted ?? false,
      hold: p.Hold ?? false,
      startConferenceOnEnter: p.StartConferenceOnEnter ?? true,
      endConferenceOnExit: p.EndConferenceOnExit ?? false,
      conferenceRecord: p.ConferenceRecord === 'true' || p.ConferenceRecord === 'record-from-start',
      conferenceRecordingCallback: callbackParam(p.ConferenceRecordingStatusCallback, p.ConferenceRecordingStatusCallbackMethod),
      conferenceRecordingEvents: p.ConferenceRecordingStatusCallbackEvent ?? ['completed'],
      conferenceStatusCallback: callbackParam(p.ConferenceStatusCallback, p.ConferenceStatusCallbackMethod),
      conferenceStatusEvents: p.ConferenceStatusCallbackEvent ?? ['start', 'end'],
      record: p.Record ?? false,
      recordingChannels: p.RecordingChannels === 'dual' ? 2 : 1,
      recordingTrack: p.RecordingTrack ?? 'both',
      recordingCallback: callbackParam(p.RecordingStatusCallback, p.RecordingStatusCallbackMethod),
      recordingEvents: p.RecordingStatusCallbackEvent ?? ['completed'],
      statusCallback: callbackParam(p.StatusCallback, p.StatusCallbackMethod),
      statusCallbackEvents: p.StatusCallbackEvent ?? ['completed'],
      slot: p.StampSlot ?? null,
      ...(p.Audio ? { audio: p.Audio } : {}),
    });
    return reply.code(201).send(participantJson(conference, participant));
  });

  app.get(`${A}/Conferences/:ConferenceSid/Participants.json`, { schema: { params: ParticipantsPath, querystring: ListParticipants } }, async (req) => {
    const conf = conferenceAt(engine, req.params.ConferenceSid);
    const all = engine.conferences.participants(conf, { hold: req.query.Hold, muted: req.query.Muted });
    const page = paginate(all, req.query, req.url.split('?')[0]!);
    return { participants: page.items.map((p) => participantJson(conf, p)), ...page.meta };
  });

  app.get(`${A}/Conferences/:ConferenceSid/Participants/:file`, { schema: { params: ParticipantPath } }, async (req) => {
    const conf = conferenceAt(engine, req.params.ConferenceSid);
    return participantJson(conf, engine.conferences.participant(conf, participantRef(req.params.file)));
  });

  app.post(`${A}/Conferences/:ConferenceSid/Participants/:file`, { schema: { params: ParticipantPath, body: UpdateParticipant } }, async (req) => {
    const conf = conferenceAt(engine, req.params.ConferenceSid);
    const part = engine.conferences.participant(conf, participantRef(req.params.file));
    const { Hold: hold, Muted: muted } = req.body;
    engine.updateParticipant(conf, part, { ...(hold !== undefined ? { hold } : {}), ...(muted !== undefined ? { muted } : {}) });
    return participantJson(conf, part);
  });

  app.delete(`${A}/Conferences/:ConferenceSid/Participants/:file`, { schema: { params: ParticipantPath } }, async (req, reply) => {
    const conf = conferenceAt(engine, req.params.ConferenceSid);
    engine.removeParticipant(engine.conferences.participant(conf, participantRef(req.params.file)));
    return reply.code(204).send();
  });
}
