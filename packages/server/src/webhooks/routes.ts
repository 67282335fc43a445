import twilio from 'twilio';
import { AppError, isRecordingStatus } from '@pause-recording/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { PauseLedger } from '../ledger/ledger.ts';
import type { ContactCenter } from '../tasks/contact-center.ts';
import { hangupTwiml } from '../tasks/twiml.ts';
import type { TaskStore } from '../tasks/task-store.ts';

interface Deps {
  readonly publicUrl: () => string;
  readonly authToken: string;
  readonly contactCenter: ContactCenter | null;
  readonly tasks: TaskStore;
  /** The only writer of recordings seen and spans. */
  readonly ledger: PauseLedger;
  /** Compares the task's recordings with the provider (a change nobody here asked for is audited as external). */
  readonly reconcileTask: (taskSid: string) => void;
}

function formParams(request: FastifyRequest): Record<string, string> {
  const body = request.body;
  const out: Record<string, string> = {};
  if (typeof body !== 'object' || body === null) return out;
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v) && typeof v[0] === 'string') out[k] = v[0];
  }
  return out;
}

/**
 * Callbacks from the voice engine (or Twilio): the voice webhook and the status callbacks.
 * Each must carry a valid X-Twilio-Signature for the account's auth token and the URL as
 * configured (PUBLIC_URL + path); anything else is refused with 403.
 */
export function webhookRoutes(app: FastifyInstance, deps: Deps): void {
  const verified = (request: FastifyRequest): Record<string, string> => {
    const params = formParams(request);
    const sig = request.headers['x-twilio-signature'];
    const url = deps.publicUrl() + request.url;
    if (typeof sig !== 'string' || !twilio.validateRequest(deps.authToken, sig, url, params)) {
      throw new AppError('FORBIDDEN', 'x-twilio-signature: missing or not valid for this URL and body', { field: 'x-twilio-signature' });
    }
    return params;
  };

  app.post('/webhooks/voice', async (request, reply) => {
    const p = verified(request);
    reply.header('content-type', 'text/xml');
    const cc = deps.contactCenter;
    if (cc === null || !p['CallSid'] || !p['From'] || !p['To']) {
      return hangupTwiml('This number is not served by a contact center.');
    }
    return cc.inboundCall({ callSid: p['CallSid'], from: p['From'], to: p['To'] });
  });

  app.post('/webhooks/conference-status', async (request, reply) => {
    const p = verified(request);
    await deps.contactCenter?.conferenceEvent(p);
    return reply.status(204).send();
  });

  app.post('/webhooks/call-status', async (request, reply) => {
    const p = verified(request);
    await deps.contactCenter?.callStatus(p);
    return reply.status(204).send();
  });

  app.post('/webhooks/recording-status', async (request, reply) => {
    const p = verified(request);
    const sid = p['RecordingSid'];
    const status = p['RecordingStatus'];
    if (sid !== undefined && isRecordingStatus(status)) {
      const callSid = p['CallSid'] || null;
      const conferenceSid = p['ConferenceSid'] || null;
      // A recording already known keeps its task: a callback never re-owns it (the store enforces it too).
      const known = await deps.ledger.recording(sid);
      const task =
        known !== null
          ? known.taskSid === null ? null : deps.tasks.get(known.taskSid)
          : ((conferenceSid === null ? null : deps.tasks.byConference(conferenceSid)) ?? (callSid === null ? null : deps.tasks.byCallSid(callSid)));
      // An ended recording closes its open span quietly; a pause or resume is the reconcile's to judge.
      const ended = status !== 'in-progress' && status !== 'paused' && (await deps.ledger.spans(sid)).some((s) => s.resumedAt === null);
      await deps.ledger.settle({
        taskSid: task?.sid ?? null,
        remember: [
          {
            sid,
            callSid,
            conferenceSid,
            source: p['RecordingSource'] || (conferenceSid === null ? 'StartCallRecordingAPI' : 'Conference'),
            channels: Number(p['RecordingChannels'] || 1),
            status,
            startTime: null,
            duration: p['RecordingDuration'] || null,
          },
        ],
        spans: { open: [], close: ended ? [{ recordingSid: sid, resumedAt: Date.now(), resumedBy: 'recording-ended' }] : [] },
      });
      if (task !== null && (status === 'in-progress' || status === 'paused')) deps.reconcileTask(task.sid);
    }
    return reply.status(204).send();
  });
}
