import { describe, expect, it } from 'vitest';
import { ReservationMap } from './reservation-map.ts';
import type { Reservation } from './types.ts';

const res = (sid: string, taskSid: string, workerSid: string): Reservation => ({
  sid,
  workspaceSid: 'WS1',
  taskSid,
  workerSid,
  status: 'pending',
  createdMs: 1,
  updatedMs: 1,
  workerCallSid: null,
  conferenceSid: null,
});

describe('ReservationMap', () => {
  it("answers a task's and a worker's reservations in the order they were added, and follows deletes and replacements", () => {
    const m = new ReservationMap();
    const [a, b, c] = [res('WR1', 'WT1', 'WK1'), res('WR2', 'WT2', 'WK1'), res('WR3', 'WT1', 'WK2')];
    for (const r of [a, b, c]) m.set(r.sid, r);
    expect(m.ofTask('WT1')).toEqual([a, c]);
    expect(m.ofWorker('WK1')).toEqual([a, b]);
    expect(m.ofTask('WT9')).toEqual([]);
    // Setting the same object again changes nothing; a changed status is seen through the index.
    m.set(a.sid, a);
    a.status = 'accepted';
    expect(m.ofTask('WT1').map((r) => [r.sid, r.status])).toEqual([
      ['WR1', 'accepted'],
      ['WR3', 'pending'],
    ]);
    const a2 = res('WR1', 'WT2', 'WK2');
    m.set(a2.sid, a2);
    expect(m.ofTask('WT1')).toEqual([c]);
    expect(m.ofTask('WT2')).toEqual([b, a2]);
    expect(m.delete('WR3')).toBe(true);
    expect(m.ofTask('WT1')).toEqual([]);
    expect(m.ofWorker('WK2')).toEqual([a2]);
    m.clear();
    expect([m.size, m.ofWorker('WK1').length]).toEqual([0, 0]);
  });
});
