import type { FastifyInstance } from 'fastify';
import { bodyParams, paginate, queryParams, sidSegment } from './util.ts';
import { callbackParam } from './routes-calls.ts';
import { conferenceJson, participantJson } from '../serialize.ts';
import { bool, eventList, int, oneOf, required, str } from '../support/params.ts';
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

/** `record-from-start` and `true` both start a conference recording; the rest do not. */
function conferenceRecord(p: Record<string, unknown>): boolean {
  const v = oneOf(p, 'ConferenceRecord', ['true', 'false', 'record-from-start', 'do-not-record'] as const, 'false');
  return v === 'true' || v === 'record-from-start';
}

export function registerConferenceRoutes(app: FastifyInstance, engine: Engine): void {
  app.get(`${A}/Conferences.json`, async (req) => {
    const q = queryParams(req);
    const status = oneOf(q, 'Status', ['init', 'in-progress', 'completed'] as const);
    const name = str(q, 'FriendlyName');
    const all = engine.conferences.allJson().filter(
      (c) => (!status || c['status'] === status) && (!name || c['friendly_name'] === name),
    );
    const page = paginate(all, req, req.url.split('?')[0]!);
    return { conferences: page.items, ...page.meta };
  });

  app.get(`${A}/Conferences/:file`, async (req) => {
    return engine.conferences.json(sidSegment((req.params as { file: string }).file, 'conference'));
  });

  app.post(`${A}/Conferences/:file`, async (req) => {
    const conf = engine.conferences.find(sidSegment((req.params as { file: string }).file, 'conference'));
    const p = bodyParams(req);
    const status = oneOf(p, 'Status', ['completed'] as const);
    if (status === 'completed') engine.endConference(conf, 'conference-ended-via-api', null);
    return conferenceJson(conf);
  });

  app.post(`${A}/Conferences/:ConferenceSid/Participants.json`, async (req, reply) => {
    const ref = (req.params as { ConferenceSid: string }).ConferenceSid;
    const p = bodyParams(req);
    const from = required(p, 'From');
    const to = required(p, 'To');
    const channels = oneOf(p, 'RecordingChannels', ['mono', 'dual'] as const, 'mono');
    const { conference, participant } = engine.addParticipant(ref, {
      from,
      to,
      label: str(p, 'Label') ?? null,
      muted: bool(p, 'Muted', false),
      hold: bool(p, 'Hold', false),
      startConferenceOnEnter: bool(p, 'StartConferenceOnEnter', true),
      endConferenceOnExit: bool(p, 'EndConferenceOnExit', false),
      conferenceRecord: conferenceRecord(p),
      conferenceRecordingCallback: callbackParam(p, 'ConferenceRecordingStatusCallback', 'ConferenceRecordingStatusCallbackMethod'),
      conferenceRecordingEvents: eventList(p, 'ConferenceRecordingStatusCallbackEvent', RECORDING_EVENTS, ['completed']),
      conferenceStatusCallback: callbackParam(p, 'ConferenceStatusCallback', 'ConferenceStatusCallbackMethod'),
      conferenceStatusEvents: eventList(p, 'ConferenceStatusCallbackEvent', CONFERENCE_EVENTS, ['start', 'end']),
      record: bool(p, 'Record', false),
      recordingChannels: channels === 'dual' ? 2 : 1,
      recordingTrack: oneOf(p, 'RecordingTrack', ['inbound', 'outbound', 'both'] as const, 'both')!,
      recordingCallback: callbackParam(p, 'RecordingStatusCallback', 'RecordingStatusCallbackMethod'),
      recordingEvents: eventList(p, 'RecordingStatusCallbackEvent', RECORDING_EVENTS, ['completed']),
      statusCallback: callbackParam(p, 'StatusCallback', 'StatusCallbackMethod'),
      statusCallbackEvents: eventList(p, 'StatusCallbackEvent', CALL_EVENTS, ['completed']),
      slot: int(p, 'StampSlot', { min: 0, max: 3 }) ?? null,
      ...(str(p, 'Audio') ? { audio: oneOf(p, 'Audio', ['stamped', 'demo'] as const)! } : {}),
    });
    return reply.code(201).send(participantJson(conference, participant));
  });

  app.get(`${A}/Conferences/:ConferenceSid/Participants.json`, async (req) => {
    const conf = conferenceAt(engine, (req.params as { ConferenceSid: string }).ConferenceSid);
    const q = queryParams(req);
    const hold = q['Hold'] === undefined ? undefined : bool(q, 'Hold', false);
    const muted = q['Muted'] === undefined ? undefined : bool(q, 'Muted', false);
    const all = engine.conferences.participants(conf, { hold, muted });
    const page = paginate(all, req, req.url.split('?')[0]!);
    return { participants: page.items.map((p) => participantJson(conf, p)), ...page.meta };
  });

  app.get(`${A}/Conferences/:ConferenceSid/Participants/:file`, async (req) => {
    const { ConferenceSid, file } = req.params as { ConferenceSid: string; file: string };
    const conf = conferenceAt(engine, ConferenceSid);
    return participantJson(conf, engine.conferences.participant(conf, participantRef(file)));
  });

  app.post(`${A}/Conferences/:ConferenceSid/Participants/:file`, async (req) => {
    const { ConferenceSid, file } = req.params as { ConferenceSid: string; file: string };
    const conf = conferenceAt(engine, ConferenceSid);
    const part = engine.conferences.participant(conf, participantRef(file));
    const p = bodyParams(req);
    engine.updateParticipant(conf, part, {
      ...(p['Hold'] !== undefined ? { hold: bool(p, 'Hold', false) } : {}),
      ...(p['Muted'] !== undefined ? { muted: bool(p, 'Muted', false) } : {}),
    });
    return participantJson(conf, part);
  });

  app.delete(`${A}/Conferences/:ConferenceSid/Participants/:file`, async (req, reply) => {
    const { ConferenceSid, file } = req.params as { ConferenceSid: string; file: string };
    const conf = conferenceAt(engine, ConferenceSid);
    engine.removeParticipant(engine.conferences.participant(conf, participantRef(file)));
    return reply.code(204).send();
  });
}
