import type { FastifyInstance } from 'fastify';
import { TwilioHttpError } from './twilio-error.ts';
import { bodyParams, newestFirst, paginate, queryParams, sidSegment } from './util.ts';
import { oneOf, str, url } from '../support/params.ts';
import type { Engine } from '../model/engine.ts';
import type { PhoneNumber } from '../model/phone-number.ts';

const A = '/2010-04-01/Accounts/:AccountSid';
const E164 = /^\+[1-9]\d{6,14}$/;

function findNumber(engine: Engine, file: string): PhoneNumber {
  const sid = sidSegment(file, 'phoneNumber');
  const n = engine.numbers.get(sid);
  if (!n) throw TwilioHttpError.notFound(`IncomingPhoneNumber ${sid}`);
  return n;
}

export function registerNumberRoutes(app: FastifyInstance, engine: Engine): void {
  app.post(`${A}/IncomingPhoneNumbers.json`, async (req, reply) => {
    const p = bodyParams(req);
    const phoneNumber = str(p, 'PhoneNumber');
    if (!phoneNumber) {
      if (str(p, 'AreaCode')) throw TwilioHttpError.invalid('AreaCode', 'buying by area code is not emulated; send PhoneNumber');
      throw TwilioHttpError.missing('PhoneNumber');
    }
    if (!E164.test(phoneNumber)) throw TwilioHttpError.invalid('PhoneNumber', `must be E.164 like +15005550006; got '${phoneNumber}'`, 21421);
    const n = engine.createNumber({
      phoneNumber,
      friendlyName: str(p, 'FriendlyName') ?? phoneNumber,
      voiceUrl: url(p, 'VoiceUrl') ?? null,
      voiceMethod: oneOf(p, 'VoiceMethod', ['POST', 'GET'] as const, 'POST')!,
      statusCallback: url(p, 'StatusCallback') ?? null,
      statusCallbackMethod: oneOf(p, 'StatusCallbackMethod', ['POST', 'GET'] as const, 'POST')!,
    });
    return reply.code(201).send(engine.phoneNumberJson(n));
  });

  app.get(`${A}/IncomingPhoneNumbers.json`, async (req) => {
    const q = queryParams(req);
    const pn = str(q, 'PhoneNumber');
    const all = newestFirst(engine.numbers.values()).filter((n) => !pn || n.phoneNumber === pn);
    const page = paginate(all, req, req.url.split('?')[0]!);
    return { incoming_phone_numbers: page.items.map((n) => engine.phoneNumberJson(n)), ...page.meta };
  });

  app.get(`${A}/IncomingPhoneNumbers/:file`, async (req) => engine.phoneNumberJson(findNumber(engine, (req.params as { file: string }).file)));

  app.post(`${A}/IncomingPhoneNumbers/:file`, async (req) => {
    const n = findNumber(engine, (req.params as { file: string }).file);
    const p = bodyParams(req);
    // Read and check every parameter before changing anything: one bad value leaves the number as it was.
    const change: Partial<PhoneNumber> = {};
    if (p['VoiceUrl'] !== undefined) change.voiceUrl = url(p, 'VoiceUrl') ?? null;
    if (p['VoiceMethod'] !== undefined) change.voiceMethod = oneOf(p, 'VoiceMethod', ['POST', 'GET'] as const, 'POST')!;
    if (p['StatusCallback'] !== undefined) change.statusCallback = url(p, 'StatusCallback') ?? null;
    if (p['StatusCallbackMethod'] !== undefined) change.statusCallbackMethod = oneOf(p, 'StatusCallbackMethod', ['POST', 'GET'] as const, 'POST')!;
    if (p['FriendlyName'] !== undefined) change.friendlyName = str(p, 'FriendlyName') ?? n.phoneNumber;
    Object.assign(n, change);
    engine.saveNumber(n);
    return engine.phoneNumberJson(n);
  });

  app.delete(`${A}/IncomingPhoneNumbers/:file`, async (req, reply) => {
    engine.deleteNumber(findNumber(engine, (req.params as { file: string }).file));
    return reply.code(204).send();
  });
}
