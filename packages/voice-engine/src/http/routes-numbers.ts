import Type from 'typebox';
import { TWILIO_ERROR } from '@pause-recording/core';
import { TwilioHttpError } from './twilio-error.ts';
import { AccountPath, Form, Paging, type EngineApp } from './form.ts';
import { paginate, sidSegment } from './util.ts';
import { phoneNumberJson } from '../serialize.ts';
import type { Engine } from '../model/engine.ts';
import type { PhoneNumber } from '../model/numbers/phone-number.ts';
import type { PhoneNumberFields } from '../model/numbers/numbers.ts';

const A = '/2010-04-01/Accounts/:AccountSid';

function findNumber(engine: Engine, file: string): PhoneNumber {
  return engine.numbers.find(sidSegment(file, 'phoneNumber'));
}

const NumberPath = Type.Object({ ...AccountPath, file: Type.String() });
const E164 = Type.String({ pattern: '^\\+[1-9]\\d{6,14}$', problem: 'must be E.164 like +15005550006', code: TWILIO_ERROR.INVALID_PHONE_NUMBER });
/** An empty URL clears the number's webhook. */
const ClearableUrl = Type.Union([Type.Literal(''), Form.url()], { problem: 'must be an absolute http(s) URL', code: TWILIO_ERROR.INVALID_URL });

const BuyNumber = Type.Object({
  PhoneNumber: Type.Optional(E164),
  AreaCode: Type.Optional(Type.String()),
  FriendlyName: Type.Optional(Type.String()),
  VoiceUrl: Type.Optional(Form.url()),
  VoiceMethod: Type.Optional(Form.method()),
  StatusCallback: Type.Optional(Form.url()),
  StatusCallbackMethod: Type.Optional(Form.method()),
});

const UpdateNumber = Type.Object({
  FriendlyName: Type.Optional(Type.String()),
  VoiceUrl: Type.Optional(ClearableUrl),
  VoiceMethod: Type.Optional(Form.method()),
  StatusCallback: Type.Optional(ClearableUrl),
  StatusCallbackMethod: Type.Optional(Form.method()),
});

const ListNumbers = Type.Object({ ...Paging, PhoneNumber: Type.Optional(Type.String()) });

export function registerNumberRoutes(app: EngineApp, engine: Engine): void {
  app.post(`${A}/IncomingPhoneNumbers.json`, { schema: { params: Type.Object(AccountPath), body: BuyNumber } }, async (req, reply) => {
    const p = req.body;
    const phoneNumber = p.PhoneNumber;
    if (!phoneNumber) {
      if (p.AreaCode) throw TwilioHttpError.invalid('AreaCode', 'buying by area code is not emulated; send PhoneNumber');
      throw TwilioHttpError.missing('PhoneNumber');
    }
    const n = engine.createNumber({
      phoneNumber,
      friendlyName: p.FriendlyName ?? phoneNumber,
      voiceUrl: p.VoiceUrl ?? null,
      voiceMethod: p.VoiceMethod ?? 'POST',
      statusCallback: p.StatusCallback ?? null,
      statusCallbackMethod: p.StatusCallbackMethod ?? 'POST',
    });
    return reply.code(201).send(phoneNumberJson(n));
  });

  app.get(`${A}/IncomingPhoneNumbers.json`, { schema: { params: Type.Object(AccountPath), querystring: ListNumbers } }, async (req) => {
    const all = engine.numbers.list({ phoneNumber: req.query.PhoneNumber });
    const page = paginate(all, req.query, req.url.split('?')[0]!);
    return { incoming_phone_numbers: page.items.map((n) => phoneNumberJson(n)), ...page.meta };
  });

  app.get(`${A}/IncomingPhoneNumbers/:file`, { schema: { params: NumberPath } }, async (req) => phoneNumberJson(findNumber(engine, req.params.file)));

  app.post(`${A}/IncomingPhoneNumbers/:file`, { schema: { params: NumberPath, body: UpdateNumber } }, async (req) => {
    const n = findNumber(engine, req.params.file);
    const p = req.body;
    // The schema has checked every parameter before anything changes: one bad value leaves the number as it was.
    const change: Partial<PhoneNumberFields> = {};
    if (p.VoiceUrl !== undefined) change.voiceUrl = p.VoiceUrl || null;
    if (p.VoiceMethod !== undefined) change.voiceMethod = p.VoiceMethod;
    if (p.StatusCallback !== undefined) change.statusCallback = p.StatusCallback || null;
    if (p.StatusCallbackMethod !== undefined) change.statusCallbackMethod = p.StatusCallbackMethod;
    if (p.FriendlyName !== undefined) change.friendlyName = p.FriendlyName;
    return phoneNumberJson(engine.updateNumber(n, change));
  });

  app.delete(`${A}/IncomingPhoneNumbers/:file`, { schema: { params: NumberPath } }, async (req, reply) => {
    engine.deleteNumber(findNumber(engine, req.params.file));
    return reply.code(204).send();
  });
}
