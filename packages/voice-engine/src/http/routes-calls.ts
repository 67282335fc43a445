import Type from 'typebox';
import { TwilioHttpError } from './twilio-error.ts';
import { AccountPath, Form, Paging, type EngineApp } from './form.ts';
import { paginate, sidSegment } from './util.ts';
import { callJson } from '../serialize.ts';
import type { Engine } from '../model/engine.ts';
import { CALL_EVENTS, CALL_STATUSES, type Callback } from '../model/types.ts';

const A = '/2010-04-01/Accounts/:AccountSid';

/** A webhook and its method, as the pair of parameters Twilio takes (`StatusCallback`, `StatusCallbackMethod`). */
export function callbackParam(u: string | undefined, method: 'POST' | 'GET' | undefined): Callback | null {
  return u ? { url: u, method: method ?? 'POST' } : null;
}

const CallPath = Type.Object({ ...AccountPath, file: Type.String() });

const CreateCall = Type.Object({
  To: Form.text(),
  From: Form.text(),
  Twiml: Type.Optional(Type.String()),
  Url: Type.Optional(Form.url()),
  Method: Type.Optional(Form.method()),
  StatusCallback: Type.Optional(Form.url()),
  StatusCallbackMethod: Type.Optional(Form.method()),
  StatusCallbackEvent: Type.Optional(Form.events(CALL_EVENTS)),
  /** Engine extension: which stamp slot the simulated party's audio carries. */
  StampSlot: Type.Optional(Form.int(0, 3)),
  TimeLimit: Type.Optional(Form.int(1, 14400)),
  /** Engine extension: what the simulated party says. */
  Audio: Type.Optional(Form.oneOf(['stamped', 'demo'])),
});

const ListCalls = Type.Object({
  ...Paging,
  Status: Type.Optional(Form.oneOf(CALL_STATUSES)),
  To: Type.Optional(Type.String()),
  From: Type.Optional(Type.String()),
});

const UpdateCall = Type.Object({
  Status: Type.Optional(Form.oneOf(['completed', 'canceled'])),
  Twiml: Type.Optional(Type.String()),
  Url: Type.Optional(Form.url()),
  Method: Type.Optional(Form.method()),
});

export function registerCallRoutes(app: EngineApp, engine: Engine): void {
  app.post(`${A}/Calls.json`, { schema: { params: Type.Object(AccountPath), body: CreateCall } }, async (req, reply) => {
    const p = req.body;
    // "One of Url or Twiml" is not a per-field rule, so it is checked here.
    if (p.Twiml === undefined && !p.Url) throw TwilioHttpError.missing('Url or Twiml');
    if (p.Twiml !== undefined && p.Url) throw TwilioHttpError.invalid('Twiml', 'send either Url or Twiml, not both');
    const c = engine.createCall({
      to: p.To,
      from: p.From,
      ...(p.Twiml !== undefined ? { twiml: p.Twiml } : {}),
      ...(p.Url ? { url: { url: p.Url, method: p.Method ?? 'POST' } } : {}),
      statusCallback: callbackParam(p.StatusCallback, p.StatusCallbackMethod),
      statusCallbackEvents: p.StatusCallbackEvent ?? ['completed'],
      slot: p.StampSlot ?? null,
      hangupAfterSeconds: p.TimeLimit ?? null,
      ...(p.Audio ? { audio: p.Audio } : {}),
    });
    return reply.code(201).send(callJson(c));
  });

  app.get(`${A}/Calls.json`, { schema: { params: Type.Object(AccountPath), querystring: ListCalls } }, async (req) => {
    const { Status: status, To: to, From: from } = req.query;
    const all = engine.calls.allJson().filter((c) => (!status || c['status'] === status) && (!to || c['to'] === to) && (!from || c['from'] === from));
    const page = paginate(all, req.query, req.url.split('?')[0]!);
    return { calls: page.items, ...page.meta };
  });

  app.get(`${A}/Calls/:file`, { schema: { params: CallPath } }, async (req) => {
    return engine.calls.json(sidSegment(req.params.file, 'call'));
  });

  app.post(`${A}/Calls/:file`, { schema: { params: CallPath, body: UpdateCall } }, async (req) => {
    const c = engine.calls.find(sidSegment(req.params.file, 'call'));
    const p = req.body;
    if (!p.Status && p.Twiml === undefined && !p.Url) throw TwilioHttpError.missing('Status, Twiml or Url');
    engine.updateCall(c, {
      ...(p.Status ? { status: p.Status } : {}),
      ...(p.Twiml !== undefined ? { twiml: p.Twiml } : {}),
      ...(p.Url ? { url: { url: p.Url, method: p.Method ?? 'POST' } } : {}),
    });
    // An ended call answers with its stored JSON (it is not kept in memory).
    return engine.calls.json(c.sid);
  });

  app.delete(`${A}/Calls/:file`, { schema: { params: CallPath } }, async (req, reply) => {
    engine.deleteCall(engine.calls.find(sidSegment(req.params.file, 'call')));
    return reply.code(204).send();
  });
}
