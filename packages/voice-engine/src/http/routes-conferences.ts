import type { FastifyInstance } from 'fastify';
import { TwilioHttpError } from './twilio-error.ts';
import { bodyParams, newestFirst, paginate, queryParams, sidSegment } from './util.ts';
import { callbackParam } from './routes-calls.ts';
import { conferenceJson, participantJson, type Json } from '../serialize.ts';
import { bool, eventList, int, oneOf, required, str } from '../support/params.ts';
import type { Engine } from '../model/engine.ts';
import type { Conference, Participant } from '../model/conference.ts';
import { CALL_EVENTS, CONFERENCE_EVENTS, RECORDING_EVENTS } from '../model/types.ts';

const A = '/2010-04-01/Accounts/:AccountSid';

export function findConference(engine: Engine, sid: string): Conference {
  const c = engine.conferences.get(sid);
  if (!c) throw TwilioHttpError.notFound(`Conference ${sid}`);
  return c;
}

function findParticipant(conf: Conference, ref: string): Participant {
  // Participants are addressed by call SID or by label, as at Twilio.
  const byCall = conf.participants.get(ref);
  if (byCall) return byCall;
  for (const p of conf.participants.values()) if (p.label === ref) return p;
  throw TwilioHttpError.notFound(`Participant ${ref} of conference ${conf.sid}`);
}

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
    const live: Json[] = newestFirst(engine.conferences.values()).map(conferenceJson);
    const all = [...live, ...[...engine.archivedConferences.values()].reverse()].filter(
      (c) => (!status || c['status'] === status) && (!name || c['friendly_name'] === name),
    );
    const page = paginate(all, req, req.url.split('?')[0]!);
    return { conferences: page.items, ...page.meta };
  });

  app.get(`${A}/Conferences/:file`, async (req) => {
    const sid = sidSegment((req.params as { file: string }).file, 'conference');
    const c = engine.conferences.get(sid);
    if (c) return conferenceJson(c);
    const archived = engine.archivedConferences.get(sid);
    if (archived) return archived;
    throw TwilioHttpError.notFound(`Conference ${sid}`);
  });

  app.post(`${A}/Conferences/:file`, async (req) => {
    const conf = findConference(engine, sidSegment((req.params as { file: string }).file, 'conference'));
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
    const conf = findConference(engine, sidSegment(`${(req.params as { ConferenceSid: string }).ConferenceSid}.json`, 'conference'));
    const q = queryParams(req);
    const hold = q['Hold'] === undefined ? undefined : bool(q, 'Hold', false);
    const muted = q['Muted'] === undefined ? undefined : bool(q, 'Muted', false);
    const all = [...conf.participants.values()].filter((p) => (hold === undefined || p.hold === hold) && (muted === undefined || p.muted === muted));
    const page = paginate(all, req, req.url.split('?')[0]!);
    return { participants: page.items.map((p) => participantJson(conf, p)), ...page.meta };
  });

  app.get(`${A}/Conferences/:ConferenceSid/Participants/:file`, async (req) => {
    const { ConferenceSid, file } = req.params as { ConferenceSid: string; file: string };
    const conf = findConference(engine, sidSegment(`${ConferenceSid}.json`, 'conference'));
    return participantJson(conf, findParticipant(conf, participantRef(file)));
  });

  app.post(`${A}/Conferences/:ConferenceSid/Participants/:file`, async (req) => {
    const { ConferenceSid, file } = req.params as { ConferenceSid: string; file: string };
    const conf = findConference(engine, sidSegment(`${ConferenceSid}.json`, 'conference'));
    const part = findParticipant(conf, participantRef(file));
    const p = bodyParams(req);
    engine.updateParticipant(conf, part, {
      ...(p['Hold'] !== undefined ? { hold: bool(p, 'Hold', false) } : {}),
      ...(p['Muted'] !== undefined ? { muted: bool(p, 'Muted', false) } : {}),
    });
    return participantJson(conf, part);
  });

  app.delete(`${A}/Conferences/:ConferenceSid/Participants/:file`, async (req, reply) => {
    const { ConferenceSid, file } = req.params as { ConferenceSid: string; file: string };
    const conf = findConference(engine, sidSegment(`${ConferenceSid}.json`, 'conference'));
    engine.removeParticipant(findParticipant(conf, participantRef(file)));
    return reply.code(204).send();
  });
}
