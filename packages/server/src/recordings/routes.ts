import { AppError, isRecordingStatus, type RecordingDetail, type RecordingListItem, type RecordingsResponse } from '@pause-recording/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { requireSid } from '../http/errors.ts';
import type { TwilioProvider } from '../provider/twilio-provider.ts';
import type { PauseStore } from '../recording/pause-store.ts';
import { currentUser } from '../tasks/routes.ts';
import type { TaskStore } from '../tasks/task-store.ts';
import { pauseAnnotations } from './annotations.ts';
import type { KnownRecording, RecordingStore } from './recording-store.ts';

interface Deps {
  readonly recordings: RecordingStore;
  readonly pauses: PauseStore;
  readonly tasks: TaskStore;
  readonly provider: TwilioProvider;
}

function item(r: KnownRecording): RecordingListItem {
  return {
    sid: r.sid,
    status: r.status,
    source: r.source,
    channels: r.channels,
    callSid: r.callSid,
    conferenceSid: r.conferenceSid,
    taskSid: r.taskSid,
    startTime: r.startTime,
    duration: r.duration,
    mediaUrl: `/api/recordings/${r.sid}/media`,
  };
}

/** The recording named by `:sid` if the caller may see it (their task's, or any for a supervisor). */
function recordingForCaller(request: FastifyRequest, deps: Deps): KnownRecording {
  const user = currentUser(request);
  const sid = requireSid('recording', (request.params as Record<string, unknown>)['sid'], 'sid');
  const r = deps.recordings.get(sid);
  if (r === null) throw new AppError('NOT_FOUND', `no recording ${sid} known to this server`, { field: 'sid' });
  if (user.role !== 'supervisor') {
    const task = r.taskSid === null ? null : deps.tasks.get(r.taskSid);
    if (task === null || task.worker !== user.identity) {
      throw new AppError('FORBIDDEN', `recording ${sid} belongs to another agent's task`, { field: 'sid' });
    }
  }
  return r;
}

export function recordingsRoutes(app: FastifyInstance, deps: Deps): void {
  app.get('/api/recordings', async (request): Promise<RecordingsResponse> => {
    const user = currentUser(request);
    const list =
      user.role === 'supervisor'
        ? deps.recordings.list()
        : deps.recordings.list({ taskSids: deps.tasks.list({ worker: user.identity }).map((t) => t.sid) });
    return { recordings: list.map(item) };
  });

  app.get('/api/recordings/:sid', async (request): Promise<RecordingDetail> => {
    let r = recordingForCaller(request, deps);
    try {
      // Fresh from the provider, answered without writing: a read works with a full or locked disk.
      const fresh = await deps.provider.fetchRecording(r.sid);
      if (isRecordingStatus(fresh.status)) r = { ...r, status: fresh.status, duration: fresh.duration ?? r.duration, startTime: fresh.startTime ?? r.startTime };
    } catch (e) {
      request.log.warn({ err: e, recordingSid: r.sid }, 'could not refresh the recording; answering what is known');
    }
    return { ...item(r), pauses: pauseAnnotations(deps.pauses.spans(r.sid), r.firstSeenAt) };
  });

  app.get('/api/recordings/:sid/media', async (request, reply) => {
    const r = recordingForCaller(request, deps);
    let res: Response;
    try {
      res = await deps.provider.fetchRecordingMedia(r.sid);
    } catch (e) {
      if (e instanceof AppError && e.code === 'NOT_FOUND') {
        const now = await deps.provider.fetchRecording(r.sid).catch(() => null);
        if (now !== null && now.status !== 'completed') {
          throw new AppError('CONFLICT', `recording ${r.sid} is ${now.status}; its media exists once it is completed`, { field: 'sid' });
        }
      }
      throw e;
    }
    reply.header('content-type', res.headers.get('content-type') ?? 'audio/wav');
    const len = res.headers.get('content-length');
    if (len !== null) reply.header('content-length', len);
    if (res.body === null) return reply.send(Buffer.alloc(0));
    return reply.send(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>));
  });
}
