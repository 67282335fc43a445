import type { FastifyInstance } from 'fastify';
import { TWILIO_ERROR } from '@pause-recording/core';
import { TwilioHttpError } from './twilio-error.ts';
import { bodyParams, paginate, queryParams, sidSegment } from './util.ts';
import { phoneNumberJson } from '../serialize.ts';
import { oneOf, str, url } from '../support/params.ts';
import type { Engine } from '../model/engine.ts';
import type { PhoneNumber } from '../model/numbers/phone-number.ts';
import type { PhoneNumberFields } from '../model/numbers/numbers.ts';

const A = '/2010-04-01/Accounts/:AccountSid';
const E164 = /^\+[1-9]\d{6,14}$/;

function findNumber(engine: Engine, file: string): PhoneNumber {
  return engine.numbers.find(sidSegment(file, 'phoneNumber'));
}

export function registerNumberRoutes(app: FastifyInstance, engine: Engine): void {
  app.post(`${A}/IncomingPhoneNumbers.json`, async (req, reply) => {
    const p = bodyParams(req);
    const phoneNumber = str(p, 'PhoneNumber');
    if (!phoneNumber) {
      if (str(p, 'AreaCode')) throw TwilioHttpError.invalid('AreaCode', 'buying by area code is not emulated; send PhoneNumber');
      throw TwilioHttpError.missing('PhoneNumber');
    }
    if (!E164.test(phoneNumber)) throw TwilioHttpError.invalid('PhoneNumber', `must be E.164 like +15005550006; got '${phoneNumber}'`, TWILIO_ERROR.INVALID_PHONE_NUMBER);
    const n = engine.createNumber({
      phoneNumber,
      friendlyName: str(p, 'FriendlyName') ?? phoneNumber,
      voiceUrl: url(p, 'VoiceUrl') ?? null,
      voiceMethod: oneOf(p, 'VoiceMethod', ['POST', 'GET'] as const, 'POST')!,
      statusCallback: url(p, 'StatusCallback') ?? null,
      statusCallbackMethod: oneOf(p, 'StatusCallbackMethod', ['POST', 'GET'] as const, 'POST')!,
    });
    return reply.code(201).send(phoneNumberJson(n));
  });

  app.get(`${A}/IncomingPhoneNumbers.json`, async (req) => {
    const q = queryParams(req);
    const pn = str(q, 'PhoneNumber');
    const all = engine.numbers.list({ phoneNumber: pn });
    const page = paginate(all, req, req.url.split('?')[0]!);
    return { incoming_phone_numbers: page.items.map((n) => phoneNumberJson(n)), ...page.meta };
  });

  app.get(`${A}/IncomingPhoneNumbers/:file`, async (req) => phoneNumberJson(findNumber(engine, (req.params as { file: string }).file)));

  app.post(`${A}/IncomingPhoneNumbers/:file`, async (req) => {
    const n = findNumber(engine, (req.params as { file: string }).file);
    const p = bodyParams(req);
    // Read and check every parameter before changing anything: one bad value leaves the number as it was.
    const change: Partial<PhoneNumberFields> = {};
    if (p['VoiceUrl'] !== undefined) change.voiceUrl = url(p, 'VoiceUrl') ?? null;
    if (p['VoiceMethod'] !== undefined) change.voiceMethod = oneOf(p, 'VoiceMethod', ['POST', 'GET'] as const, 'POST')!;
    if (p['StatusCallback'] !== undefined) change.statusCallback = url(p, 'StatusCallback') ?? null;
    if (p['StatusCallbackMethod'] !== undefined) change.statusCallbackMethod = oneOf(p, 'StatusCallbackMethod', ['POST', 'GET'] as const, 'POST')!;
    if (p['FriendlyName'] !== undefined) change.friendlyName = str(p, 'FriendlyName') ?? n.phoneNumber;
    return phoneNumberJson(engine.updateNumber(n, change));
  });

  app.delete(`${A}/IncomingPhoneNumbers/:file`, async (req, reply) => {
    engine.deleteNumber(findNumber(engine, (req.params as { file: string }).file));
    return reply.code(204).send();
  });
}
