import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineStore } from '../../support/store.ts';
import { Engine } from '../engine.ts';
import { restarted, taskCenter, unitEngine, type UnitEngine } from '../../../test/support/model.ts';

/**
 * Finished tasks (completed, canceled) and their reservations leave memory (issue 13: engine heap
 * flat over a soak) and answer from the store exactly as their objects did.
 */
describe('TaskBook: finished tasks live in the store only', () => {
  const open: { close(): unknown }[] = [];
  afterEach(async () => {
    for (const o of open.splice(0)) await o.close();
  });

  function center() {
    const u = unitEngine();
    open.push({ close: () => u.close() });
    const { tr, ws, available, workflow } = taskCenter(u);
    const worker = (name: string) => tr.createWorker(ws, { friendlyName: name, attributes: '{"skills":["support"]}', activitySid: available.sid });
    const task = (attrs = '{"call_sid":"CA1"}') => tr.createTask(ws, { workflowSid: workflow.sid, attributes: attrs, priority: 0, timeout: 60 });
    return { u, tr, ws, worker, task };
  }

  /** A plain copy: what the object held at this moment. */
  const copy = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

  it('a completed task and its reservations (accepted and an earlier rejected one) leave memory and read back as they were', () => {
    const { tr, ws, worker, task } = center();
    const alice = worker('alice');
    const t = task();
    const first = tr.reservationsOfTask(t.sid)[0]!;
    expect(first.workerSid).toBe(alice.sid);
    tr.updateReservation(ws, first, { status: 'rejected' });
    const bob = worker('bob');
    const second = tr.reservationsOfTask(t.sid)[1]!;
    expect(second.workerSid).toBe(bob.sid);
    tr.updateReservation(ws, second, { status: 'accepted' });
    expect([tr.tasks.size, tr.reservations.size]).toEqual([1, 2]);

    tr.updateTask(ws, t, { assignmentStatus: 'completed', reason: 'done' });
    const was = { task: copy(t), reservations: [copy(first), copy(second)] };
    expect(was.task.assignmentStatus).toBe('completed');
    expect([tr.tasks.size, tr.reservations.size]).toEqual([0, 0]);

    expect(tr.task(ws, t.sid)).toEqual(was.task);
    expect(tr.reservation(ws, second.sid)).toEqual(was.reservations[1]);
    expect(tr.reservationsOfTask(t.sid)).toEqual(was.reservations);
    expect(tr.reservationsOfWorker(alice.sid)).toEqual([was.reservations[0]]);
    expect(tr.reservationsOfWorker(bob.sid, ['completed'])).toEqual([was.reservations[1]]);
    // A listing of live statuses only is answered from memory: the finished one is not in it.
    expect(tr.reservationsOfWorker(bob.sid, ['pending', 'accepted'])).toEqual([]);
    expect(tr.listTasks(ws, undefined, () => true)).toEqual([was.task]);
    expect(tr.listTasks(ws, ['completed'], () => true)).toEqual([was.task]);
    expect(tr.listTasks(ws, ['pending', 'assigned'], () => true)).toEqual([]);
  });

  it('a canceled task leaves memory with its canceled reservation; live tasks and their reservations stay', () => {
    const { tr, ws, worker, task } = center();
    worker('alice');
    const gone = task();
    const kept = task('{"call_sid":"CA2"}');
    expect([gone.assignmentStatus, kept.assignmentStatus]).toEqual(['reserved', 'pending']);
    const offered = tr.reservationsOfTask(gone.sid)[0]!;
    tr.updateTask(ws, gone, { assignmentStatus: 'canceled' });
    // Alice is free again: the next task is offered to her at once.
    expect(kept.assignmentStatus).toBe('reserved');
    expect([...tr.tasks.keys()]).toEqual([kept.sid]);
    expect([...tr.reservations.values()].map((r) => r.taskSid)).toEqual([kept.sid]);
    expect(tr.reservationsOfTask(gone.sid).map((r) => [r.sid, r.status])).toEqual([[offered.sid, 'canceled']]);
    expect(
      tr
        .listTasks(ws, undefined, () => true)
        .map((x) => x.sid)
        .sort(),
    ).toEqual([kept.sid, gone.sid].sort());
  });

  it('a finished task can still be read, its attributes updated, and refuses any move, as before', () => {
    const { tr, ws, worker, task } = center();
    worker('alice');
    const t = task();
    tr.updateReservation(ws, tr.reservationsOfTask(t.sid)[0]!, { status: 'accepted' });
    tr.updateTask(ws, t, { assignmentStatus: 'completed' });
    const stored = tr.task(ws, t.sid);
    tr.updateTask(ws, stored, { attributes: '{"call_sid":"CA1","note":"later"}' });
    expect(tr.task(ws, t.sid).attributes).toBe('{"call_sid":"CA1","note":"later"}');
    expect(tr.tasks.size).toBe(0);
    expect(() => tr.updateTask(ws, tr.task(ws, t.sid), { assignmentStatus: 'canceled' })).toThrow(/completed; it cannot move to canceled/);
    const r = tr.reservationsOfTask(t.sid)[0]!;
    expect(() => tr.updateReservation(ws, r, { status: 'accepted' })).toThrow(/is completed; it cannot become accepted/);
    expect(tr.updateReservation(ws, r, { status: 'completed' })).toEqual(r);
  });

  it('a restart brings back only live tasks; finished ones are read from the store', () => {
    const { u, tr, ws, worker, task } = center();
    worker('alice');
    const done = task();
    tr.updateReservation(ws, tr.reservationsOfTask(done.sid)[0]!, { status: 'accepted' });
    tr.updateTask(ws, done, { assignmentStatus: 'completed' });
    const live = task('{"call_sid":"CA2"}');
    expect(live.assignmentStatus).toBe('reserved');

    const { engine } = restart(u);
    const tr2 = engine.taskrouter;
    const ws2 = tr2.workspace(ws.sid);
    expect([...tr2.tasks.keys()]).toEqual([live.sid]);
    expect([...tr2.reservations.values()].map((r) => r.taskSid)).toEqual([live.sid]);
    expect(tr2.task(ws2, done.sid)).toEqual(copy(done));
    expect(tr2.reservationsOfTask(done.sid).map((r) => r.status)).toEqual(['completed']);
  });

  it('a store written before reservations had owner columns: reservations are found by task and by worker', () => {
    const { tr, worker, task } = center();
    const alice = worker('alice');
    const t = task();
    const r = tr.reservationsOfTask(t.sid)[0]!;
    const dir = mkdtempSync(join(tmpdir(), 'engine-old-store-'));
    open.push({ close: () => rmSync(dir, { recursive: true, force: true }) });
    const old = new Database(join(dir, 'engine.db'));
    old.exec(`CREATE TABLE resources (sid TEXT PRIMARY KEY, kind TEXT NOT NULL, created_ms INTEGER NOT NULL, data TEXT NOT NULL,
      call_sid TEXT, conference_sid TEXT)`);
    old.prepare('INSERT INTO resources (sid, kind, created_ms, data) VALUES (?, ?, ?, ?)').run(r.sid, 'tr-reservation', r.createdMs, JSON.stringify(r));
    old.close();
    const store = new EngineStore(join(dir, 'engine.db'));
    open.push(store);
    expect(store.owned('tr-reservation', 'taskSid', t.sid).map((x) => x.data)).toEqual([copy(r)]);
    expect(store.owned('tr-reservation', 'workerSid', alice.sid).map((x) => x.sid)).toEqual([r.sid]);
    expect(() => store.save('tr-reservation', r.sid, r.createdMs, r)).toThrow(/saveReservation/);
  });

  function restart(u: UnitEngine): { engine: Engine } {
    const again = restarted(u);
    open.push(again);
    return again;
  }
});
