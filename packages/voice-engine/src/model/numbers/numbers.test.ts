import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidParameterError, NotFoundError } from '../errors.ts';
import { unitEngine, type UnitEngine } from '../../../test/support/model.ts';
import type { PhoneNumberFields } from './numbers.ts';

function fields(phoneNumber: string): PhoneNumberFields {
  return {
    phoneNumber,
    friendlyName: phoneNumber,
    voiceUrl: 'http://127.0.0.1:1/voice',
    voiceMethod: 'POST',
    statusCallback: null,
    statusCallbackMethod: 'POST',
  };
}

describe('NumberRoom', () => {
  let u: UnitEngine;
  beforeEach(() => {
    u = unitEngine();
  });
  afterEach(async () => {
    await u.close();
  });

  it('a number the account already has is InvalidParameterError on PhoneNumber, and nothing is added', () => {
    u.engine.createNumber(fields('+15550001111'));
    expect(() => u.engine.createNumber(fields('+15550001111'))).toThrow(InvalidParameterError);
    expect(u.engine.numbers.size).toBe(1);
  });

  it('list filters by phone number; update changes and saves; delete removes', () => {
    const a = u.engine.createNumber(fields('+15550001111'));
    const b = u.engine.createNumber(fields('+15550002222'));
    expect(new Set(u.engine.numbers.list().map((n) => n.sid))).toEqual(new Set([a.sid, b.sid]));
    expect(u.engine.numbers.list({ phoneNumber: '+15550002222' })).toEqual([b]);
    u.engine.updateNumber(a, { friendlyName: 'front desk' });
    expect(u.engine.numbers.find(a.sid).friendlyName).toBe('front desk');
    u.engine.deleteNumber(a);
    expect(() => u.engine.numbers.find(a.sid)).toThrow(NotFoundError);
    expect(u.engine.numbers.byPhoneNumber('+15550001111')).toBeUndefined();
  });
});
