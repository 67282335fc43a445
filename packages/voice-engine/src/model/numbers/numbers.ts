import { newSid } from '../../support/ids.ts';
import type { EngineContext } from '../context.ts';
import { InvalidParameterError } from '../errors.ts';
import { newestFirst, Registry } from '../registry.ts';
import type { PhoneNumber } from './phone-number.ts';

/** The fields a client sets on a number; the rest the engine assigns. */
export type PhoneNumberFields = Omit<PhoneNumber, 'sid' | 'accountSid' | 'createdMs' | 'updatedMs'>;

/** The account's IncomingPhoneNumbers: inbound calls to one of them follow its voice URL. */
export class NumberRoom extends Registry<PhoneNumber> {
  protected readonly noun = 'IncomingPhoneNumber';
  private readonly ctx: EngineContext;

  constructor(ctx: EngineContext) {
    super();
    this.ctx = ctx;
  }

  /** Numbers an earlier run left. */
  adopt(numbers: Iterable<PhoneNumber>): void {
    for (const n of numbers) this.items.set(n.sid, n);
  }

  /** Every number, newest first, optionally only the one with this `phoneNumber`. */
  list(filter: { phoneNumber?: string | undefined } = {}): PhoneNumber[] {
    return newestFirst(this.items.values()).filter((n) => !filter.phoneNumber || n.phoneNumber === filter.phoneNumber);
  }

  /** The number an inbound call to `phoneNumber` rings, if the account has it. */
  byPhoneNumber(phoneNumber: string): PhoneNumber | undefined {
    return [...this.items.values()].find((n) => n.phoneNumber === phoneNumber);
  }

  create(input: PhoneNumberFields): PhoneNumber {
    if (this.byPhoneNumber(input.phoneNumber)) {
      throw new InvalidParameterError('PhoneNumber', `${input.phoneNumber} is already an IncomingPhoneNumber of this account`);
    }
    const now = Date.now();
    const n: PhoneNumber = { ...input, sid: newSid('phoneNumber'), accountSid: this.ctx.accountSid, createdMs: now, updatedMs: now };
    this.items.set(n.sid, n);
    this.ctx.persistence.saveNumber(n);
    return n;
  }

  /** Applies an already checked change and saves it. */
  update(n: PhoneNumber, change: Partial<PhoneNumberFields>): PhoneNumber {
    Object.assign(n, change);
    this.ctx.persistence.saveNumber(n);
    return n;
  }

  delete(n: PhoneNumber): void {
    this.items.delete(n.sid);
    this.ctx.persistence.remove(n.sid);
  }
}
