import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SID_PREFIXES, isSid, makeSid, sidKind, sidProblem, type SidKind } from './sids.ts';

const KINDS = Object.keys(SID_PREFIXES) as SidKind[];
const HEX = '0123456789abcdef'.repeat(2);
const sidOf = (kind: SidKind, hex = HEX): string => SID_PREFIXES[kind] + hex;

describe('SID_PREFIXES', () => {
  it('has the Twilio prefix of every kind we handle', () => {
    expect(SID_PREFIXES).toEqual({
      account: 'AC',
      call: 'CA',
      conference: 'CF',
      recording: 'RE',
      task: 'WT',
      reservation: 'WR',
      worker: 'WK',
      phoneNumber: 'PN',
      workspace: 'WS',
      activity: 'WA',
      taskQueue: 'WQ',
      workflow: 'WW',
      event: 'EV',
    });
    expect(new Set(Object.values(SID_PREFIXES)).size).toBe(KINDS.length);
  });
});

describe('isSid', () => {
  it.each(KINDS)('accepts a %s SID: its prefix + 32 lowercase hex', (kind) => {
    expect(isSid(kind, sidOf(kind))).toBe(true);
    expect(isSid(kind, sidOf(kind, 'f'.repeat(32)))).toBe(true);
    expect(isSid(kind, sidOf(kind, '0'.repeat(32)))).toBe(true);
  });

  it.each(KINDS)("rejects a %s SID with any other kind's prefix", (kind) => {
    for (const other of KINDS) {
      if (other !== kind) expect(isSid(kind, sidOf(other)), `${other} as ${kind}`).toBe(false);
    }
  });

  it.each(KINDS)('rejects a %s SID with uppercase hex, a lowercase prefix or non-hex digits', (kind) => {
    expect(isSid(kind, sidOf(kind, HEX.toUpperCase()))).toBe(false);
    expect(isSid(kind, sidOf(kind, 'A' + HEX.slice(1)))).toBe(false);
    expect(isSid(kind, SID_PREFIXES[kind].toLowerCase() + HEX)).toBe(false);
    expect(isSid(kind, sidOf(kind, 'g' + HEX.slice(1)))).toBe(false);
    expect(isSid(kind, sidOf(kind, '-' + HEX.slice(1)))).toBe(false);
  });

  it.each(KINDS)('rejects a %s SID of the wrong length', (kind) => {
    expect(isSid(kind, sidOf(kind, HEX.slice(1)))).toBe(false); // 33
    expect(isSid(kind, sidOf(kind, HEX + '0'))).toBe(false); // 35
    expect(isSid(kind, SID_PREFIXES[kind])).toBe(false);
    expect(isSid(kind, '')).toBe(false);
    expect(isSid(kind, sidOf(kind) + '\n')).toBe(false);
    expect(isSid(kind, ' ' + sidOf(kind).slice(1))).toBe(false);
  });

  it.each(KINDS)('rejects non-strings as a %s SID', (kind) => {
    for (const v of [undefined, null, 0, 34, true, {}, [sidOf(kind)], { toString: () => sidOf(kind) }, Symbol('x')]) {
      expect(isSid(kind, v)).toBe(false);
    }
  });

  it('agrees with sidProblem on arbitrary input', () => {
    const near = fc.tuple(fc.constantFrom(...KINDS), fc.stringMatching(/^[0-9a-fA-Fg]{30,34}$/)).map(([k, hex]) => SID_PREFIXES[k] + hex);
    fc.assert(
      fc.property(fc.constantFrom(...KINDS), fc.oneof(near, fc.string(), fc.anything()), (kind, value) => {
        expect(isSid(kind, value)).toBe(sidProblem(kind, value) === null);
      }),
    );
  });
});

describe('sidProblem', () => {
  it.each(KINDS)('is null for a valid %s SID', (kind) => {
    expect(sidProblem(kind, sidOf(kind))).toBeNull();
  });

  it('says what is wrong, naming the expected prefix', () => {
    expect(sidProblem('call', 42)).toBe('must be a string CA SID');
    expect(sidProblem('call', undefined)).toBe('must be a string CA SID');
    expect(sidProblem('call', null)).toBe('must be a string CA SID');
    expect(sidProblem('recording', '')).toBe('is empty; expected RE followed by 32 hex digits');
    expect(sidProblem('recording', sidOf('call'))).toBe('must start with RE');
    expect(sidProblem('recording', 're' + HEX)).toBe('must start with RE');
    expect(sidProblem('conference', 'CF123')).toBe('must be 34 characters (CF + 32 hex digits), got 5');
    expect(sidProblem('conference', sidOf('conference', HEX + 'ab'))).toBe('must be 34 characters (CF + 32 hex digits), got 36');
    expect(sidProblem('account', sidOf('account', HEX.toUpperCase()))).toBe('must be AC followed by 32 lowercase hex digits');
    expect(sidProblem('task', sidOf('task', 'z'.repeat(32)))).toBe('must be WT followed by 32 lowercase hex digits');
  });

  it('does not call Twilio.CURRENT a recording SID (the engine resolves that name separately)', () => {
    expect(sidProblem('recording', 'Twilio.CURRENT')).toBe('must start with RE');
  });
});

describe('makeSid', () => {
  const counting =
    (start: number) =>
    (n: number): Uint8Array =>
      Uint8Array.from({ length: n }, (_, i) => (start + i) & 0xff);

  it('asks for 16 bytes and spells them as 32 lowercase hex digits after the prefix', () => {
    const asked: number[] = [];
    const sid = makeSid('recording', (n) => {
      asked.push(n);
      return counting(0)(n);
    });
    expect(asked).toEqual([16]);
    expect(sid).toBe('RE000102030405060708090a0b0c0d0e0f');
  });

  it('pads single-digit bytes and handles 0xff', () => {
    expect(makeSid('call', () => new Uint8Array(16))).toBe('CA' + '0'.repeat(32));
    expect(makeSid('call', () => new Uint8Array(16).fill(0xff))).toBe('CA' + 'f'.repeat(32));
    expect(makeSid('worker', counting(0xf8))).toBe('WKf8f9fafbfcfdfeff0001020304050607');
  });

  it('is deterministic for a deterministic source', () => {
    expect(makeSid('task', counting(7))).toBe(makeSid('task', counting(7)));
    expect(makeSid('task', counting(7))).not.toBe(makeSid('task', counting(8)));
  });

  it.each(KINDS)('makes a valid %s SID from any 16 bytes', (kind) => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
        const sid = makeSid(kind, () => bytes);
        expect(isSid(kind, sid)).toBe(true);
        expect(sidKind(sid)).toBe(kind);
      }),
      { numRuns: 50 },
    );
  });

  it('accepts a Node Buffer as the byte source', () => {
    expect(makeSid('phoneNumber', (n) => Buffer.alloc(n, 0xab))).toBe('PN' + 'ab'.repeat(16));
  });
});

describe('sidKind', () => {
  it.each(KINDS)('recognises a %s SID', (kind) => {
    expect(sidKind(sidOf(kind))).toBe(kind);
  });

  it('is null for anything that is not a known SID', () => {
    for (const v of ['', 'Twilio.CURRENT', 'XX' + HEX, 'ca' + HEX, 'CA' + HEX.toUpperCase(), 'CA' + HEX.slice(2), 42, null, undefined, {}]) {
      expect(sidKind(v)).toBeNull();
    }
  });
});
