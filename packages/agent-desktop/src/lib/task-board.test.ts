/** The desktop's task cache against the race between a full read (`GET /api/tasks`) and live events. */
import type { TaskView } from '@pause-recording/core';
import { describe, expect, it } from 'vitest';
import { TaskBoard } from './task-board.ts';

const task = (n: number, status: TaskView['status'], updatedAt: string, worker: string | null = 'alice'): TaskView => ({
  sid: 'WT' + String(n).padStart(32, '0'),
  status,
  worker,
  queue: 'everyone',
  attributes: {
    call_sid: 'CA' + String(n).padStart(32, '0'),
    from: '+15550001111',
    to: '+15550100000',
    direction: 'inbound',
    client_call: false,
    conference: { sid: null, friendly_name: 'f', participants: { customer: 'CA' + String(n).padStart(32, '0'), worker: null } },
  },
  createdAt: '2026-12-01T10:00:00.000Z',
  updatedAt,
  acceptedAt: null,
});
const statuses = (b: TaskBoard) => b.snapshot().tasks.map((t) => `${t.sid.slice(-1)}:${t.status}`);

describe('TaskBoard', () => {
  it('keeps an offer that arrived while a read was in flight over the read’s older answer (the task still waiting)', () => {
    const b = new TaskBoard();
    const since = b.mark();
    b.upsert(task(1, 'reserved', '2026-12-01T10:00:00.050Z'));
    b.replaceAll([task(1, 'pending', '2026-12-01T10:00:00.000Z', null)], since);
    expect(statuses(b)).toEqual(['1:reserved']);
  });

  it('keeps a task an event brought after the read began, though the read does not list it', () => {
    const b = new TaskBoard();
    b.replaceAll([task(1, 'assigned', '2026-12-01T10:00:01.000Z')]);
    const since = b.mark();
    b.upsert(task(2, 'reserved', '2026-12-01T10:00:02.000Z'));
    b.replaceAll([task(1, 'assigned', '2026-12-01T10:00:01.000Z')], since);
    expect(statuses(b)).toEqual(['1:assigned', '2:reserved']);
  });

  it('drops a task the read does not list when no event touched it since the read began, and takes the read’s newer states', () => {
    const b = new TaskBoard();
    b.upsert(task(1, 'reserved', '2026-12-01T10:00:01.000Z'));
    b.upsert(task(2, 'assigned', '2026-12-01T10:00:01.000Z'));
    const since = b.mark();
    b.replaceAll([task(2, 'wrapping', '2026-12-01T10:00:03.000Z')], since);
    expect(statuses(b)).toEqual(['2:wrapping']);
    // And without a mark, the read is the whole truth.
    b.upsert(task(3, 'reserved', '2026-12-01T10:00:04.000Z'));
    b.replaceAll([]);
    expect(statuses(b)).toEqual([]);
  });

  it('ignores a state older than the one shown, and takes a later or equally stamped one', () => {
    const b = new TaskBoard();
    b.upsert(task(1, 'assigned', '2026-12-01T10:00:02.000Z'));
    b.upsert(task(1, 'reserved', '2026-12-01T10:00:01.000Z'));
    expect(statuses(b)).toEqual(['1:assigned']);
    b.upsert(task(1, 'wrapping', '2026-12-01T10:00:02.000Z'));
    expect(statuses(b)).toEqual(['1:wrapping']);
    b.upsert(task(1, 'completed', '2026-12-01T10:00:03.000Z'));
    expect(statuses(b)).toEqual(['1:completed']);
  });
});
