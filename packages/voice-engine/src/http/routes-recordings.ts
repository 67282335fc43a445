import { createReadStream, statSync } from 'node:fs';
import Type from 'typebox';
import { PAUSE_BEHAVIORS, REQUESTABLE_STATUSES, TWILIO_ERROR } from '@pause-recording/core';
import { TwilioHttpError } from './twilio-error.ts';
import { AccountPath, Form, Paging, type EngineApp } from './form.ts';
import { paginate, sidSegment } from './util.ts';
import { callbackParam } from './routes-calls.ts';
import { accountRecordingJson, callRecordingJson, conferenceRecordingJson } from '../serialize.ts';
import type { Engine } from '../model/engine.ts';
import { NoActiveRecordingError } from '../model/errors.ts';
import type { Recording } from '../model/recordings/recording.ts';
import type { RecordingOwner } from '../model/recordings/recordings.ts';
import { RECORDING_EVENTS } from '../model/types.ts';

const A = '/2010-04-01/Accounts/:AccountSid';
const CURRENT = 'Twilio.CURRENT';

const CallRecordingsPath = Type.Object({ ...AccountPath, CallSid: Type.String() });
const CallRecordingPath = Type.Object({ ...AccountPath, CallSid: Type.String(), file: Type.String() });
const ConferenceRecordingsPath = Type.Object({ ...AccountPath, ConferenceSid: Type.String() });
const ConferenceRecordingPath = Type.Object({ ...AccountPath, ConferenceSid: Type.String(), file: Type.String() });
const RecordingPath = Type.Object({ ...AccountPath, file: Type.String() });

const StartRecording = Type.Object({
  RecordingChannels: Type.Optional(Form.oneOf(['mono', 'dual'])),
  /** Validated and ignored: trimming is not emulated. */
  Trim: Type.Optional(Form.oneOf(['trim-silence', 'do-not-trim'])),
  RecordingTrack: Type.Optional(Form.oneOf(['inbound', 'outbound', 'both'])),
  RecordingStatusCallback: Type.Optional(Form.url()),
  RecordingStatusCallbackMethod: Type.Optional(Form.method()),
  RecordingStatusCallbackEvent: Type.Optional(Form.events(RECORDING_EVENTS)),
});

/** Pause, resume or stop; the pause behaviour only matters for a pause. */
const UpdateRecording = Type.Object({
  Status: Form.oneOf(REQUESTABLE_STATUSES),
  PauseBehavior: Type.Optional(Form.oneOf(PAUSE_BEHAVIORS)),
});

const ListRecordings = Type.Object({ ...Paging, CallSid: Type.Optional(Type.String()), ConferenceSid: Type.Optional(Type.String()) });
const Paged = Type.Object(Paging);

/** A recording of a call or conference path: `Twilio.CURRENT` or an RE SID of that owner. */
function recordingOf(engine: Engine, sid: string, owner: RecordingOwner): Recording {
  if (sid === CURRENT) return engine.recordings.current(owner);
  if (!/^RE[0-9a-f]{32}$/.test(sid)) {
    throw TwilioHttpError.notFoundBecause(`The requested resource was not found: '${sid}' is not a valid RE SID or Twilio.CURRENT`);
  }
  return engine.recordings.findOf(sid, owner);
}

/**
 * The recording an update addresses. `Twilio.CURRENT` on a known call or conference with no active
 * recording is 400 / 21220 ("not in progress"), as Twilio answers and as the flex-project-template
 * branches on (its missing-recording notice); an unknown call or conference stays 404 / 20404.
 */
function recordingToUpdate(engine: Engine, sid: string, owner: RecordingOwner): Recording {
  if (sid !== CURRENT) return recordingOf(engine, sid, owner);
  if (owner.callSid !== undefined) engine.calls.requireKnown(owner.callSid);
  else if (owner.conferenceSid !== undefined) engine.conferences.requireKnown(owner.conferenceSid);
  try {
    return engine.recordings.current(owner);
  } catch (e) {
    if (e instanceof NoActiveRecordingError) throw new TwilioHttpError(400, TWILIO_ERROR.CALL_NOT_IN_PROGRESS, e.message);
    throw e;
  }
}

export function registerRecordingRoutes(app: EngineApp, engine: Engine): void {
  // --- call recordings
  app.post(`${A}/Calls/:CallSid/Recordings.json`, { schema: { params: CallRecordingsPath, body: StartRecording } }, async (req, reply) => {
    const c = engine.calls.find(sidSegment(`${req.params.CallSid}.json`, 'call'));
    const p = req.body;
    const rec = engine.startCallRecording(c, {
      channels: p.RecordingChannels === 'dual' ? 2 : 1,
      track: p.RecordingTrack ?? 'both',
      callback: callbackParam(p.RecordingStatusCallback, p.RecordingStatusCallbackMethod),
      events: p.RecordingStatusCallbackEvent ?? ['completed'],
    });
    return reply.code(201).send(callRecordingJson(rec));
  });

  app.get(`${A}/Calls/:CallSid/Recordings.json`, { schema: { params: CallRecordingsPath, querystring: Paged } }, async (req) => {
    const callSid = sidSegment(`${req.params.CallSid}.json`, 'call');
    // A call that ended before a restart is archived; its recordings are still listed, as at Twilio.
    engine.calls.requireKnown(callSid);
    const all = engine.recordings.ownedBy({ callSid });
    const page = paginate(all, req.query, req.url.split('?')[0]!);
    return { recordings: page.items.map(callRecordingJson), ...page.meta };
  });

  app.get(`${A}/Calls/:CallSid/Recordings/:file`, { schema: { params: CallRecordingPath } }, async (req) => {
    const { CallSid, file } = req.params;
    const callSid = sidSegment(`${CallSid}.json`, 'call');
    return callRecordingJson(recordingOf(engine, sidSegment(file, null), { callSid }));
  });

  app.post(`${A}/Calls/:CallSid/Recordings/:file`, { schema: { params: CallRecordingPath, body: UpdateRecording } }, async (req) => {
    const { CallSid, file } = req.params;
    const callSid = sidSegment(`${CallSid}.json`, 'call');
    const r = recordingToUpdate(engine, sidSegment(file, null), { callSid });
    const updated = engine.updateRecording(r, req.body.Status, req.body.PauseBehavior);
    // A pause is answered once what was captured before it is on disk (the audio thread flushed it).
    if (updated.status === 'paused') await engine.audioSettled(updated);
    return callRecordingJson(updated);
  });

  app.delete(`${A}/Calls/:CallSid/Recordings/:file`, { schema: { params: CallRecordingPath } }, async (req, reply) => {
    const { CallSid, file } = req.params;
    const callSid = sidSegment(`${CallSid}.json`, 'call');
    engine.deleteRecording(recordingOf(engine, sidSegment(file, null), { callSid }));
    return reply.code(204).send();
  });

  // --- conference recordings
  app.get(`${A}/Conferences/:ConferenceSid/Recordings.json`, { schema: { params: ConferenceRecordingsPath, querystring: Paged } }, async (req) => {
    const confSid = sidSegment(`${req.params.ConferenceSid}.json`, 'conference');
    engine.conferences.requireKnown(confSid);
    const all = engine.recordings.ownedBy({ conferenceSid: confSid });
    const page = paginate(all, req.query, req.url.split('?')[0]!);
    return { recordings: page.items.map(conferenceRecordingJson), ...page.meta };
  });

  app.get(`${A}/Conferences/:ConferenceSid/Recordings/:file`, { schema: { params: ConferenceRecordingPath } }, async (req) => {
    const { ConferenceSid, file } = req.params;
    const conferenceSid = sidSegment(`${ConferenceSid}.json`, 'conference');
    return conferenceRecordingJson(recordingOf(engine, sidSegment(file, null), { conferenceSid }));
  });

  app.post(`${A}/Conferences/:ConferenceSid/Recordings/:file`, { schema: { params: ConferenceRecordingPath, body: UpdateRecording } }, async (req) => {
    const { ConferenceSid, file } = req.params;
    const conferenceSid = sidSegment(`${ConferenceSid}.json`, 'conference');
    const r = recordingToUpdate(engine, sidSegment(file, null), { conferenceSid });
    const updated = engine.updateRecording(r, req.body.Status, req.body.PauseBehavior);
    // A pause is answered once what was captured before it is on disk (the audio thread flushed it).
    if (updated.status === 'paused') await engine.audioSettled(updated);
    return conferenceRecordingJson(updated);
  });

  app.delete(`${A}/Conferences/:ConferenceSid/Recordings/:file`, { schema: { params: ConferenceRecordingPath } }, async (req, reply) => {
    const { ConferenceSid, file } = req.params;
    const conferenceSid = sidSegment(`${ConferenceSid}.json`, 'conference');
    engine.deleteRecording(recordingOf(engine, sidSegment(file, null), { conferenceSid }));
    return reply.code(204).send();
  });

  // --- account recordings and media
  app.get(`${A}/Recordings.json`, { schema: { params: Type.Object(AccountPath), querystring: ListRecordings } }, async (req) => {
    const all = engine.recordings.list({ callSid: req.query.CallSid, conferenceSid: req.query.ConferenceSid });
    const page = paginate(all, req.query, req.url.split('?')[0]!);
    return { recordings: page.items.map((r) => accountRecordingJson(r, engine.origin)), ...page.meta };
  });

  app.get(`${A}/Recordings/:file`, { schema: { params: RecordingPath } }, async (req, reply) => {
    const file = req.params.file;
    if (file.endsWith('.json')) {
      return accountRecordingJson(engine.recordings.find(sidSegment(file, 'recording')), engine.origin);
    }
    if (file.endsWith('.mp3')) throw TwilioHttpError.notFoundBecause('This engine serves recording media as .wav only');
    // Twilio serves the media at the bare URL too (RecordingUrl has no extension).
    const sid = file.endsWith('.wav') ? sidSegment(file, 'recording', 'wav') : sidSegment(`${file}.wav`, 'recording', 'wav');
    const r = engine.recordings.find(sid);
    if (r.status !== 'completed') {
      throw TwilioHttpError.notFoundBecause(`Recording ${sid} is ${r.status}; its media is available once it is completed`);
    }
    const size = statSync(r.wavPath).size;
    return reply.type('audio/x-wav').header('content-length', size).send(createReadStream(r.wavPath));
  });

  app.delete(`${A}/Recordings/:file`, { schema: { params: RecordingPath } }, async (req, reply) => {
    engine.deleteRecording(engine.recordings.find(sidSegment(req.params.file, 'recording')));
    return reply.code(204).send();
  });
}
