import { createReadStream, statSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { isPauseBehavior, REQUESTABLE_STATUSES, type PauseBehavior } from '@pause-recording/core';
import { TwilioHttpError } from './twilio-error.ts';
import { bodyParams, paginate, queryParams, sidSegment } from './util.ts';
import { callbackParam } from './routes-calls.ts';
import { accountRecordingJson, callRecordingJson, conferenceRecordingJson } from '../serialize.ts';
import { eventList, oneOf, str } from '../support/params.ts';
import type { Engine } from '../model/engine.ts';
import type { Recording } from '../model/recordings/recording.ts';
import type { RecordingOwner } from '../model/recordings/recordings.ts';
import { RECORDING_EVENTS } from '../model/types.ts';

const A = '/2010-04-01/Accounts/:AccountSid';
const CURRENT = 'Twilio.CURRENT';

function statusUpdate(p: Record<string, unknown>): { status: (typeof REQUESTABLE_STATUSES)[number]; behavior: PauseBehavior | undefined } {
  const status = oneOf(p, 'Status', REQUESTABLE_STATUSES);
  if (!status) throw TwilioHttpError.missing('Status');
  const raw = str(p, 'PauseBehavior');
  if (raw !== undefined && raw !== '' && !isPauseBehavior(raw)) {
    throw TwilioHttpError.invalid('PauseBehavior', `must be skip or silence; got '${raw}'`);
  }
  return { status, behavior: raw === undefined || raw === '' ? undefined : (raw as PauseBehavior) };
}

/** A recording of a call or conference path: `Twilio.CURRENT` or an RE SID of that owner. */
function recordingOf(engine: Engine, sid: string, owner: RecordingOwner): Recording {
  if (sid === CURRENT) return engine.recordings.current(owner);
  if (!/^RE[0-9a-f]{32}$/.test(sid)) {
    throw TwilioHttpError.notFoundBecause(`The requested resource was not found: '${sid}' is not a valid RE SID or Twilio.CURRENT`);
  }
  return engine.recordings.findOf(sid, owner);
}

export function registerRecordingRoutes(app: FastifyInstance, engine: Engine): void {
  // --- call recordings
  app.post(`${A}/Calls/:CallSid/Recordings.json`, async (req, reply) => {
    const callSid = (req.params as { CallSid: string }).CallSid;
    const c = engine.calls.find(sidSegment(`${callSid}.json`, 'call'));
    const p = bodyParams(req);
    const channels = oneOf(p, 'RecordingChannels', ['mono', 'dual'] as const, 'mono');
    // Validated (and ignored: trimming is not emulated) before anything starts, so a bad value changes nothing.
    oneOf(p, 'Trim', ['trim-silence', 'do-not-trim'] as const);
    const rec = engine.startCallRecording(c, {
      channels: channels === 'dual' ? 2 : 1,
      track: oneOf(p, 'RecordingTrack', ['inbound', 'outbound', 'both'] as const, 'both')!,
      callback: callbackParam(p, 'RecordingStatusCallback', 'RecordingStatusCallbackMethod'),
      events: eventList(p, 'RecordingStatusCallbackEvent', RECORDING_EVENTS, ['completed']),
    });
    return reply.code(201).send(callRecordingJson(rec));
  });

  app.get(`${A}/Calls/:CallSid/Recordings.json`, async (req) => {
    const callSid = sidSegment(`${(req.params as { CallSid: string }).CallSid}.json`, 'call');
    // A call that ended before a restart is archived; its recordings are still listed, as at Twilio.
    engine.calls.requireKnown(callSid);
    const all = engine.recordings.ownedBy({ callSid });
    const page = paginate(all, req, req.url.split('?')[0]!);
    return { recordings: page.items.map(callRecordingJson), ...page.meta };
  });

  app.get(`${A}/Calls/:CallSid/Recordings/:file`, async (req) => {
    const { CallSid, file } = req.params as { CallSid: string; file: string };
    const callSid = sidSegment(`${CallSid}.json`, 'call');
    return callRecordingJson(recordingOf(engine, sidSegment(file, null), { callSid }));
  });

  app.post(`${A}/Calls/:CallSid/Recordings/:file`, async (req) => {
    const { CallSid, file } = req.params as { CallSid: string; file: string };
    const callSid = sidSegment(`${CallSid}.json`, 'call');
    const { status, behavior } = statusUpdate(bodyParams(req));
    const r = recordingOf(engine, sidSegment(file, null), { callSid });
    return callRecordingJson(engine.updateRecording(r, status, behavior));
  });

  app.delete(`${A}/Calls/:CallSid/Recordings/:file`, async (req, reply) => {
    const { CallSid, file } = req.params as { CallSid: string; file: string };
    const callSid = sidSegment(`${CallSid}.json`, 'call');
    engine.deleteRecording(recordingOf(engine, sidSegment(file, null), { callSid }));
    return reply.code(204).send();
  });

  // --- conference recordings
  app.get(`${A}/Conferences/:ConferenceSid/Recordings.json`, async (req) => {
    const confSid = sidSegment(`${(req.params as { ConferenceSid: string }).ConferenceSid}.json`, 'conference');
    engine.conferences.requireKnown(confSid);
    const all = engine.recordings.ownedBy({ conferenceSid: confSid });
    const page = paginate(all, req, req.url.split('?')[0]!);
    return { recordings: page.items.map(conferenceRecordingJson), ...page.meta };
  });

  app.get(`${A}/Conferences/:ConferenceSid/Recordings/:file`, async (req) => {
    const { ConferenceSid, file } = req.params as { ConferenceSid: string; file: string };
    const conferenceSid = sidSegment(`${ConferenceSid}.json`, 'conference');
    return conferenceRecordingJson(recordingOf(engine, sidSegment(file, null), { conferenceSid }));
  });

  app.post(`${A}/Conferences/:ConferenceSid/Recordings/:file`, async (req) => {
    const { ConferenceSid, file } = req.params as { ConferenceSid: string; file: string };
    const conferenceSid = sidSegment(`${ConferenceSid}.json`, 'conference');
    const { status, behavior } = statusUpdate(bodyParams(req));
    const r = recordingOf(engine, sidSegment(file, null), { conferenceSid });
    return conferenceRecordingJson(engine.updateRecording(r, status, behavior));
  });

  app.delete(`${A}/Conferences/:ConferenceSid/Recordings/:file`, async (req, reply) => {
    const { ConferenceSid, file } = req.params as { ConferenceSid: string; file: string };
    const conferenceSid = sidSegment(`${ConferenceSid}.json`, 'conference');
    engine.deleteRecording(recordingOf(engine, sidSegment(file, null), { conferenceSid }));
    return reply.code(204).send();
  });

  // --- account recordings and media
  app.get(`${A}/Recordings.json`, async (req) => {
    const q = queryParams(req);
    const callSid = str(q, 'CallSid');
    const conferenceSid = str(q, 'ConferenceSid');
    const all = engine.recordings.list({ callSid, conferenceSid });
    const page = paginate(all, req, req.url.split('?')[0]!);
    return { recordings: page.items.map((r) => accountRecordingJson(r, engine.origin)), ...page.meta };
  });

  app.get(`${A}/Recordings/:file`, async (req, reply) => {
    const file = (req.params as { file: string }).file;
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

  app.delete(`${A}/Recordings/:file`, async (req, reply) => {
    engine.deleteRecording(engine.recordings.find(sidSegment((req.params as { file: string }).file, 'recording')));
    return reply.code(204).send();
  });

}
