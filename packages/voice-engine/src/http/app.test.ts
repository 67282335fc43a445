import { describe, expect, it } from 'vitest';
import { basicAuthChecker, nonCanonical } from './app.ts';

const SID = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = '0123456789abcdef0123456789abcdef';
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

describe('basicAuthChecker', () => {
  const ok = basicAuthChecker(SID, TOKEN);
  const canonical = `Basic ${b64(`${SID}:${TOKEN}`)}`;

  it('accepts the standard header and other spellings of the same credentials', () => {
    expect(ok(canonical)).toBe(true);
    // The scheme is case-insensitive: not the byte-equal fast path, the decoded comparison.
    expect(ok(`basic ${b64(`${SID}:${TOKEN}`)}`)).toBe(true);
    expect(ok(`BASIC ${b64(`${SID}:${TOKEN}`)}`)).toBe(true);
  });

  it('refuses a header of the same length that differs in one character, and every wrong credential', () => {
    // A character inside the base64 (its padding may be spelled otherwise and decode the same).
    const i = 'Basic '.length + 20;
    const oneOff = canonical.slice(0, i) + (canonical[i] === 'A' ? 'B' : 'A') + canonical.slice(i + 1);
    expect(oneOff.length).toBe(canonical.length);
    expect(ok(oneOff)).toBe(false);
    const flipped = TOKEN.slice(0, -1) + (TOKEN.endsWith('f') ? 'e' : 'f');
    expect(ok(`Basic ${b64(`${SID}:${flipped}`)}`)).toBe(false);
    expect(ok(`Basic ${b64(`${TOKEN}:${SID}`)}`)).toBe(false);
    expect(ok(`Basic ${b64(`${SID}${TOKEN}`)}`)).toBe(false);
    expect(ok(`Bearer ${TOKEN}`)).toBe(false);
    expect(ok('')).toBe(false);
    expect(ok(undefined)).toBe(false);
  });
});

describe('nonCanonical', () => {
  it('passes the usual spellings, with or without a query', () => {
    expect(nonCanonical('/2010-04-01/Accounts/AC1/Calls/CA1/Recordings.json')).toBeNull();
    expect(nonCanonical('/2010-04-01/Accounts/AC1/Calls/CA1/Recordings.json?PageSize=50&To=%2B1555')).toBeNull();
    expect(nonCanonical('/v1/Workspaces/WS1/Tasks/WT1/Reservations/')).toBeNull();
    // A reserved character may stay encoded (a conference name with a space).
    expect(nonCanonical('/2010-04-01/Accounts/AC1/Conferences/a%20b.json')).toBeNull();
  });

  it('names what is odd about every other spelling', () => {
    expect(nonCanonical('/%32010-04-01/Accounts')).toMatch(/'%32' encodes/);
    expect(nonCanonical('/2010-04-01//Accounts')).toBe('empty path segment (//)');
    expect(nonCanonical('//2010-04-01/Accounts')).toBe('empty path segment (//)');
    expect(nonCanonical('/x/../2010-04-01')).toBe('dot segment (. or ..)');
    expect(nonCanonical('/./2010-04-01')).toBe('dot segment (. or ..)');
    // Not even starting with a slash.
    expect(nonCanonical('..')).toBe('dot segment (. or ..)');
    expect(nonCanonical('./2010-04-01')).not.toBeNull();
  });
});
