import { describe, expect, it } from 'vitest';
import { GrantCache } from './grant-cache.ts';
import type { TrReservation } from './taskrouter-client.ts';

const sid = (prefix: string, n: number): string => prefix + n.toString(16).padStart(32, '0');
const WK = sid('WK', 1);
const WT = sid('WT', 2);
const WR = sid('WR', 3);
const held: TrReservation = { sid: WR, taskSid: WT, workerSid: WK, workerName: 'alice', status: 'accepted' };

function cache(ttlMs = 1000) {
  let now = 0;
  const seen: string[] = [];
  const c = new GrantCache(ttlMs, { lookup: (r) => seen.push(r), dropped: (s, n) => seen.push(`${s}:${n}`) }, () => now);
  return { c, seen, at: (ms: number) => (now = ms) };
}

describe('GrantCache', () => {
  it('keeps nothing until enabled, and nothing with a TTL of 0', () => {
    const { c } = cache();
    c.putGrant(c.begin(), held);
    expect(c.grant(WK, WT)).toBeNull();
    const off = new GrantCache(0);
    off.enable();
    off.putGrant(off.begin(), held);
    expect([off.enabled, off.grant(WK, WT)]).toEqual([false, null]);
  });

  it('reuses a grant until its TTL, and a supervisor entry the same way', () => {
    const { c, seen, at } = cache(1000);
    c.enable();
    c.putGrant(c.begin(), held);
    c.putTask(c.begin(), WT, 'assigned');
    at(999);
    expect([c.grant(WK, WT), c.taskStatus(WT)]).toEqual([held, 'assigned']);
    at(1000);
    expect([c.grant(WK, WT), c.taskStatus(WT)]).toEqual([null, null]);
    expect(seen).toEqual(['hit', 'hit', 'miss', 'miss']);
  });

  it('drops every entry naming the task, the reservation or the worker of an event', () => {
    for (const named of [WT, WR, WK]) {
      const { c, seen } = cache();
      c.enable();
      c.putGrant(c.begin(), held);
      c.putTask(c.begin(), sid('WT', 9), 'assigned');
      expect(c.invalidate([named], 'event')).toBe(1);
      expect([c.grant(WK, WT), c.taskStatus(sid('WT', 9))]).toEqual([null, 'assigned']);
      expect(seen[0]).toBe('event:1');
    }
  });

  it('does not store a read that began before an event naming it (it may predate the change)', () => {
    const { c } = cache();
    c.enable();
    const before = c.begin();
    c.invalidate([WR], 'event');
    c.putGrant(before, held);
    expect(c.grant(WK, WT)).toBeNull();
    // An event about something else does not stop it; a read begun after the event stores.
    const other = c.begin();
    c.invalidate([sid('WT', 7)], 'event');
    c.putGrant(other, held);
    expect(c.grant(WK, WT)).toEqual(held);
  });

  it('turned off, it drops everything and refuses reads in flight; on again, it starts empty', () => {
    const { c } = cache();
    c.enable();
    c.putGrant(c.begin(), held);
    const inFlight = c.begin();
    c.disable();
    c.enable();
    c.putGrant(inFlight, held);
    expect([c.size, c.grant(WK, WT)]).toEqual([0, null]);
  });
});
