import type { FastifyInstance } from 'fastify';
import { TwilioHttpError } from './twilio-error.ts';
import { bodyParams, paginate, queryParams, sidSegment } from './util.ts';
import { callJson } from '../serialize.ts';
import { eventList, int, oneOf, required, str, url } from '../support/params.ts';
import type { Engine } from '../model/engine.ts';
import { CALL_EVENTS, CALL_STATUSES, type Callback } from '../model/types.ts';

const A = '/2010-04-01/Accounts/:AccountSid';

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
    const all = engine.calls.allJson().filter(
      (c) => (!status || c['status'] === status) && (!to || c['to'] === to) && (!from || c['from'] === from),
    );
    const page = paginate(all, req, req.url.split('?')[0]!);
    return { calls: page.items, ...page.meta };
  });

  app.get(`${A}/Calls/:file`, async (req) => {
    return engine.calls.json(sidSegment((req.params as { file: string }).file, 'call'));
  });

  app.post(`${A}/Calls/:file`, async (req) => {
    const c = engine.calls.find(sidSegment((req.params as { file: string }).file, 'call'));
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
    engine.deleteCall(engine.calls.find(sidSegment((req.params as { file: string }).file, 'call')));
    return reply.code(204).send();
  });
}
