import twilio from 'twilio';
import { AppError, isRecordingStatus } from '@pause-recording/core';
import type { IncomingHttpHeaders } from 'node:http';
import { Type, type Static, type TSchema } from 'typebox';
import type { Api } from '../http/validation.ts';
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

/** A Twilio callback: form fields (a repeated field arrives as a list); which ones depends on the callback. */
export const TwilioForm = Type.Record(Type.String(), Type.Union([Type.String(), Type.Array(Type.String())]), {
  description: 'Form-encoded like Twilio: CallSid, ConferenceSid, RecordingSid, RecordingStatus, StatusCallbackEvent, ... signed with X-Twilio-Signature',
});
export const Signed = Type.Object({
  'x-twilio-signature': Type.Optional(Type.String({ description: "HMAC-SHA1 of the URL and the form, keyed with the account's auth token" })),
});

function formParams(body: Static<typeof TwilioForm>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) {
    if (typeof v === 'string') out[k] = v;
    else if (typeof v[0] === 'string') out[k] = v[0];
  }
  return out;
}

const noContent = { 204: Type.Null({ description: 'Taken' }) };
const schema = <R extends Record<number, TSchema>>(summary: string, response: R) => ({
  summary,
  tags: ['webhooks'],
  consumes: ['application/x-www-form-urlencoded'],
  body: TwilioForm,
  headers: Signed,
  response,
});

/**
 * Callbacks from the voice engine (or Twilio): the voice webhook and the status callbacks.
 * Each must carry a valid X-Twilio-Signature for the account's auth token and the URL as
 * configured (PUBLIC_URL + path); anything else is refused with 403.
 */
export interface TwilioRequest {
  readonly body: Static<typeof TwilioForm>;
  readonly headers: IncomingHttpHeaders;
  readonly url: string;
}

/** The callback's form fields, if X-Twilio-Signature is valid for `publicUrl` + path and the form; 403 otherwise. */
export function verifiedTwilio(publicUrl: string, authToken: string, request: TwilioRequest): Record<string, string> {
  const params = formParams(request.body);
  const sig = request.headers['x-twilio-signature'];
  const url = publicUrl + request.url;
  if (typeof sig !== 'string' || !twilio.validateRequest(authToken, sig, url, params)) {
    throw new AppError('FORBIDDEN', 'x-twilio-signature: missing or not valid for this URL and body', { field: 'x-twilio-signature' });
  }
  return params;
}

export function webhookRoutes(app: Api, deps: Deps): void {
  const verified = (request: TwilioRequest): Record<string, string> => verifiedTwilio(deps.publicUrl(), deps.authToken, request);

  app.post(
    '/webhooks/voice',
    { schema: schema('The voice webhook: TwiML for an inbound call', { 200: Type.String({ description: 'TwiML (text/xml)' }) }) },
    async (request, reply) => {
      const p = verified(request);
      reply.header('content-type', 'text/xml');
      const cc = deps.contactCenter;
      if (cc === null || !p['CallSid'] || !p['From'] || !p['To']) {
        return hangupTwiml('This number is not served by a contact center.');
      }
      return cc.inboundCall({ callSid: p['CallSid'], from: p['From'], to: p['To'] });
    },
  );

  app.post('/webhooks/conference-status', { schema: schema('Conference status callback', noContent) }, async (request, reply) => {
    const p = verified(request);
    await deps.contactCenter?.conferenceEvent(p);
    return reply.status(204).send(null);
  });

  app.post('/webhooks/call-status', { schema: schema('Call status callback', noContent) }, async (request, reply) => {
    const p = verified(request);
    await deps.contactCenter?.callStatus(p);
    return reply.status(204).send(null);
  });

  app.post('/webhooks/recording-status', { schema: schema('Recording status callback', noContent) }, async (request, reply) => {
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
          ? known.taskSid === null
            ? null
            : deps.tasks.get(known.taskSid)
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
    return reply.status(204).send(null);
  });
}
