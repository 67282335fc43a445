import { AppError, ErrorBody, RecordingDetail, RecordingParams, RecordingsResponse, isRecordingStatus, type RecordingListItem } from '@pause-recording/core';
import { Type } from 'typebox';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { User } from '../auth/user-directory.ts';
import { requireSid } from '../http/errors.ts';
import type { Api } from '../http/validation.ts';
import type { TwilioProvider } from '../provider/twilio-provider.ts';
import { currentUser } from '../tasks/routes.ts';
import type { TaskStore } from '../tasks/task-store.ts';
import { pauseAnnotations } from './annotations.ts';
import { parseRangeHeader, resolveRange, sliceBytes } from './byte-range.ts';
import type { KnownRecording, PauseLedger } from '../ledger/ledger.ts';

interface Deps {
  /** Read only: recordings seen and their paused spans. */
  readonly ledger: PauseLedger;
  readonly tasks: TaskStore;
  readonly provider: TwilioProvider;
}

function item(r: KnownRecording, tasks: TaskStore): RecordingListItem {
  return {
    sid: r.sid,
    status: r.status,
    source: r.source,
    channels: r.channels,
    callSid: r.callSid,
    conferenceSid: r.conferenceSid,
    taskSid: r.taskSid,
    agent: r.taskSid === null ? null : (tasks.get(r.taskSid)?.worker ?? null),
    startTime: r.startTime,
    duration: r.duration,
    mediaUrl: `/api/recordings/${r.sid}/media`,
  };
}

/** The recording `sid` if the caller may see it (their task's, or any for a supervisor). */
async function recordingForCaller(request: { readonly user: User | null }, recordingSid: string, deps: Deps): Promise<KnownRecording> {
  const user = currentUser(request);
  const sid = requireSid('recording', recordingSid, 'sid');
  const r = await deps.ledger.recording(sid);
  if (r === null) throw new AppError('NOT_FOUND', `no recording ${sid} known to this server`, { field: 'sid' });
  if (user.role !== 'supervisor') {
    const task = r.taskSid === null ? null : deps.tasks.get(r.taskSid);
    if (task === null || task.worker !== user.identity) {
      throw new AppError('FORBIDDEN', `recording ${sid} belongs to another agent's task`, { field: 'sid' });
    }
  }
  return r;
}

const errors = { '4xx': ErrorBody, '5xx': ErrorBody };
const media = Type.Unsafe<Readable | Buffer>({
  type: 'string',
  format: 'binary',
  description: 'audio/wav; `Range: bytes=` answers 206 with that part (416 when outside the file)',
});

export function recordingsRoutes(app: Api, deps: Deps): void {
  app.get(
    '/api/recordings',
    { schema: { summary: "Recordings of the caller's tasks; a supervisor gets all", tags: ['recordings'], response: { 200: RecordingsResponse, ...errors } } },
    async (request) => {
      const user = currentUser(request);
      const list =
        user.role === 'supervisor'
          ? await deps.ledger.recordings()
          : await deps.ledger.recordings({ taskSids: deps.tasks.list({ worker: user.identity }).map((t) => t.sid) });
      return { recordings: list.map((r) => item(r, deps.tasks)) };
    },
  );

  app.get(
    '/api/recordings/:sid',
    {
      schema: {
        summary: 'One recording, refreshed from the provider, with its paused spans',
        tags: ['recordings'],
        params: RecordingParams,
        response: { 200: RecordingDetail, ...errors },
      },
    },
    async (request) => {
      let r = await recordingForCaller(request, request.params.sid, deps);
      try {
        // Fresh from the provider, answered without writing: a read works with a full or locked disk.
        const fresh = await deps.provider.fetchRecording(r.sid);
        if (isRecordingStatus(fresh.status))
          r = { ...r, status: fresh.status, duration: fresh.duration ?? r.duration, startTime: fresh.startTime ?? r.startTime };
      } catch (e) {
        request.log.warn({ err: e, recordingSid: r.sid }, 'could not refresh the recording; answering what is known');
      }
      const capture = await deps.provider.fetchCaptureLog(r.sid);
      return { ...item(r, deps.tasks), pauses: pauseAnnotations(await deps.ledger.spans(r.sid), r.firstSeenAt, capture) };
    },
  );

  // Streamed, with byte ranges (an <audio> element seeks with them): the Range header goes to the
  // provider; when the provider answers the whole file anyway (voice-engine does), it is cut here.
  app.get(
    '/api/recordings/:sid/media',
    {
      schema: {
        summary: "The recording's audio, streamed, with byte ranges",
        tags: ['recordings'],
        params: RecordingParams,
        headers: Type.Object({ range: Type.Optional(Type.String({ description: 'bytes=START-END' })) }),
        response: { 200: media, 206: media, ...errors },
      },
    },
    async (request, reply) => {
      const r = await recordingForCaller(request, request.params.sid, deps);
      const rangeHeader = request.headers.range;
      const spec = parseRangeHeader(rangeHeader);
      let res: Response;
      try {
        res = await deps.provider.fetchRecordingMedia(r.sid, spec === null ? undefined : rangeHeader);
      } catch (e) {
        if (e instanceof AppError && e.code === 'NOT_FOUND') {
          const now = await deps.provider.fetchRecording(r.sid).catch(() => null);
          if (now !== null && now.status !== 'completed') {
            throw new AppError('CONFLICT', `recording ${r.sid} is ${now.status}; its media exists once it is completed`, { field: 'sid' });
          }
        }
        throw e;
      }
      reply.header('accept-ranges', 'bytes');
      reply.header('content-type', res.headers.get('content-type') ?? 'audio/wav');
      const len = res.headers.get('content-length');
      const body = res.body === null ? null : Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
      if (res.status === 416 || res.status === 206) {
        const contentRange = res.headers.get('content-range');
        if (contentRange !== null) reply.header('content-range', contentRange);
        if (res.status === 416) {
          body?.destroy();
          throw new AppError('RANGE_NOT_SATISFIABLE', `range: ${rangeHeader ?? ''} is outside recording ${r.sid}`, { field: 'range' });
        }
        if (len !== null) reply.header('content-length', len);
        return reply.code(206).send(body ?? Buffer.alloc(0));
      }
      // A whole answer without a length cannot be cut to a range: the RFC allows answering it whole.
      const size = len === null ? null : Number(len);
      const part = size === null ? ({ kind: 'whole' } as const) : resolveRange(spec, size);
      if (part.kind === 'unsatisfiable') {
        body?.destroy();
        reply.header('content-range', `bytes */${size}`);
        throw new AppError('RANGE_NOT_SATISFIABLE', `range: ${rangeHeader ?? ''} is outside the ${size} bytes of recording ${r.sid}`, { field: 'range' });
      }
      if (part.kind === 'part') {
        reply.header('content-range', `bytes ${part.start}-${part.end}/${size}`);
        reply.header('content-length', String(part.end - part.start + 1));
        return reply.code(206).send(body === null ? Buffer.alloc(0) : Readable.from(sliceBytes(body, part.start, part.end)));
      }
      if (len !== null) reply.header('content-length', len);
      return reply.send(body ?? Buffer.alloc(0));
    },
  );
}
