import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
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

  it('forgets expired entries without being asked for them (memory follows live grants, not grants ever made)', () => {
    const { c, at } = cache(1000);
    c.enable();
    for (let i = 0; i < 100; i++) c.putTask(c.begin(), sid('WT', i), 'assigned');
    expect(c.size).toBe(100);
    at(1000);
    c.putTask(c.begin(), sid('WT', 500), 'assigned');
    expect(c.size).toBe(1);
    // Put again, an entry moves to the back and lives a full TTL from then; the sweep passes it.
    at(1500);
    c.putTask(c.begin(), sid('WT', 501), 'assigned');
    at(1600);
    c.putTask(c.begin(), sid('WT', 500), 'assigned');
    at(2500);
    expect([c.taskStatus(sid('WT', 500)), c.size]).toEqual(['assigned', 1]);
  });

  it('remembers invalidations for a minute; a read begun before a forgotten one may not store', () => {
    const { c, at } = cache(1000);
    c.enable();
    const slow = c.begin();
    c.invalidate([WR], 'event');
    for (let i = 0; i < 50; i++) c.invalidate([sid('WK', 100 + i)], 'event');
    expect(c.remembered).toBe(51);
    at(60_001);
    const fresh = c.begin();
    c.invalidate([sid('WT', 7)], 'event');
    expect(c.remembered).toBe(1);
    // Its invalidation is forgotten, but the read that began before it still may not store what it read.
    c.putGrant(slow, held);
    expect(c.grant(WK, WT)).toBeNull();
    c.putGrant(fresh, held);
    expect(c.grant(WK, WT)).toEqual(held);
  });

  it('remembers at most 10,000 invalidations however fast they come', () => {
    const { c } = cache();
    c.enable();
    for (let i = 0; i < 12_000; i++) c.invalidate([sid('WT', i)], 'event');
    expect(c.remembered).toBe(10_000);
  });

  it('keeps no webhook body alive through a SID it remembers (a parsed SID is a slice of its body)', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const { c } = cache();
    c.enable();
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 40; i++) {
      const body = `EventType=task.completed&Padding=${String(i).repeat(1_000_000)}&TaskSid=${sid('WT', i)}`;
      c.invalidate([body.slice(-34)], 'event');
    }
    gc();
    // Forty bodies of 1-6 MB each would stay reachable through the map's keys.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(8 * 1024 * 1024);
    expect(c.remembered).toBe(40);
  });
});
