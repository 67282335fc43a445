import type { FastifyInstance } from 'fastify';
import { TwilioHttpError } from './twilio-error.ts';
import { bodyParams, newestFirst, paginate, queryParams, sidSegment } from './util.ts';
import { callJson, type Json } from '../serialize.ts';
import { eventList, int, oneOf, required, str, url } from '../support/params.ts';
import type { Engine } from '../model/engine.ts';
import type { Call } from '../model/call.ts';
import { CALL_EVENTS, CALL_STATUSES, type Callback } from '../model/types.ts';

const A = '/2010-04-01/Accounts/:AccountSid';

export function findCall(engine: Engine, sid: string): Call {
  const c = engine.calls.get(sid);
  if (!c) throw TwilioHttpError.notFound(`Call ${sid}`);
  return c;
}

export function callbackParam(p: Record<string, unknown>, name: string, methodName: string): Callback | null {
  const u = url(p, name);
  if (!u) return null;
  return { url: u, method: oneOf(p, methodName, ['POST', 'GET'] as const, 'POST')! };
}

export function registerCallRoutes(app: FastifyInstance, engine: Engine): void {
  app.post(`${A}/Calls.json`, async (req, reply) => {
    const p = bodyParams(req);
    const to = required(p, 'To');
    const from = required(p, 'From');
    const twiml = str(p, 'Twiml');
    const voiceUrl = url(p, 'Url');
    if (twiml === undefined && !voiceUrl) throw TwilioHttpError.missing('Url or Twiml');
    if (twiml !== undefined && voiceUrl) throw TwilioHttpError.invalid('Twiml', 'send either Url or Twiml, not both');
    const c = engine.createCall({
      to,
      from,
      ...(twiml !== undefined ? { twiml } : {}),
      ...(voiceUrl ? { url: { url: voiceUrl, method: oneOf(p, 'Method', ['POST', 'GET'] as const, 'POST')! } } : {}),
      statusCallback: callbackParam(p, 'StatusCallback', 'StatusCallbackMethod'),
      statusCallbackEvents: eventList(p, 'StatusCallbackEvent', CALL_EVENTS, ['completed']),
      slot: int(p, 'StampSlot', { min: 0, max: 3 }) ?? null,
      hangupAfterSeconds: int(p, 'TimeLimit', { min: 1, max: 14400 }) ?? null,
      ...(str(p, 'Audio') ? { audio: oneOf(p, 'Audio', ['stamped', 'demo'] as const)! } : {}),
    });
    return reply.code(201).send(callJson(c));
  });

  app.get(`${A}/Calls.json`, async (req) => {
    const q = queryParams(req);
    const status = oneOf(q, 'Status', CALL_STATUSES);
    const to = str(q, 'To');
    const from = str(q, 'From');
    const live: Json[] = newestFirst(engine.calls.values()).map(callJson);
    const archived = [...engine.archivedCalls.values()].reverse();
    const all = [...live, ...archived].filter(
      (c) => (!status || c['status'] === status) && (!to || c['to'] === to) && (!from || c['from'] === from),
    );
    const page = paginate(all, req, req.url.split('?')[0]!);
    return { calls: page.items, ...page.meta };
  });

  app.get(`${A}/Calls/:file`, async (req) => {
    const sid = sidSegment((req.params as { file: string }).file, 'call');
    const c = engine.calls.get(sid);
    if (c) return callJson(c);
    const archived = engine.archivedCalls.get(sid);
    if (archived) return archived;
    throw TwilioHttpError.notFound(`Call ${sid}`);
  });

  app.post(`${A}/Calls/:file`, async (req) => {
    const sid = sidSegment((req.params as { file: string }).file, 'call');
    const c = findCall(engine, sid);
    const p = bodyParams(req);
    const status = oneOf(p, 'Status', ['completed', 'canceled'] as const);
    const twiml = str(p, 'Twiml');
    const voiceUrl = url(p, 'Url');
    if (!status && twiml === undefined && !voiceUrl) throw TwilioHttpError.missing('Status, Twiml or Url');
    engine.updateCall(c, {
      ...(status ? { status } : {}),
      ...(twiml !== undefined ? { twiml } : {}),
      ...(voiceUrl ? { url: { url: voiceUrl, method: oneOf(p, 'Method', ['POST', 'GET'] as const, 'POST')! } } : {}),
    });
    return callJson(c);
  });

  app.delete(`${A}/Calls/:file`, async (req, reply) => {
    const sid = sidSegment((req.params as { file: string }).file, 'call');
    const c = findCall(engine, sid);
    if (c.live) throw new TwilioHttpError(400, 20009, `Call ${sid} is ${c.status}; a call can be deleted once it has ended`);
    engine.deleteCall(c);
    return reply.code(204).send();
  });
}
