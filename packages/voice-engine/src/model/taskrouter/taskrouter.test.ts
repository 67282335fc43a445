import { afterEach, describe, expect, it } from 'vitest';
import { restarted, taskCenter, unitEngine } from '../../../test/support/model.ts';

describe('TaskRouterRoom', () => {
  const open: { close(): unknown }[] = [];
  afterEach(async () => {
    for (const o of open.splice(0)) await o.close();
  });

  const center = taskCenter;

  it('a worker holds one task at a time; the next task waits until the first is completed', () => {
    const u = unitEngine();
    open.push({ close: () => u.close() });
    const { tr, ws, available, workflow } = center(u);
    const alice = tr.createWorker(ws, { friendlyName: 'alice', attributes: '{"skills":["support"]}', activitySid: available.sid });
    const t1 = tr.createTask(ws, { workflowSid: workflow.sid, attributes: '{}', priority: 0, timeout: 60 });
    const t2 = tr.createTask(ws, { workflowSid: workflow.sid, attributes: '{}', priority: 0, timeout: 60 });
    expect([t1.assignmentStatus, t2.assignmentStatus]).toEqual(['reserved', 'pending']);
    const r1 = tr.list(tr.reservations, ws, (r) => r.taskSid === t1.sid)[0]!;
    tr.updateReservation(ws, r1, { status: 'accepted' });
    tr.updateTask(ws, t1, { assignmentStatus: 'completed' });
    expect(t2.assignmentStatus).toBe('reserved');
    expect(tr.list(tr.reservations, ws, (r) => r.taskSid === t2.sid)[0]!.workerSid).toBe(alice.sid);
  });

  it('a higher-priority task is offered before an older one', () => {
    const u = unitEngine();
    open.push({ close: () => u.close() });
    const { tr, ws, available, workflow } = center(u);
    const older = tr.createTask(ws, { workflowSid: workflow.sid, attributes: '{}', priority: 0, timeout: 60 });
    const urgent = tr.createTask(ws, { workflowSid: workflow.sid, attributes: '{}', priority: 10, timeout: 60 });
    tr.createWorker(ws, { friendlyName: 'alice', attributes: '{"skills":["support"]}', activitySid: available.sid });
    expect([older.assignmentStatus, urgent.assignmentStatus]).toEqual(['pending', 'reserved']);
  });

  it('a restart finds workspaces, workers, tasks and reservations as they were saved', () => {
    const u = unitEngine();
    open.push({ close: () => u.close() });
    const { tr, ws, available, workflow } = center(u);
    const alice = tr.createWorker(ws, { friendlyName: 'alice', attributes: '{"skills":["support"],"contact_uri":"client:alice"}', activitySid: available.sid });
    const task = tr.createTask(ws, { workflowSid: workflow.sid, attributes: '{"call_sid":"CA1"}', priority: 0, timeout: 60 });
    const r = tr.list(tr.reservations, ws)[0]!;
    tr.updateReservation(ws, r, { status: 'accepted' });

    const restart = restarted(u);
    open.push(restart);
    const again = restart.engine;
    const tr2 = again.taskrouter;
    const ws2 = tr2.workspace(ws.sid);
    expect(tr2.worker(ws2, alice.sid).attributes).toBe(alice.attributes);
    expect(tr2.task(ws2, task.sid).assignmentStatus).toBe('assigned');
    expect(tr2.reservation(ws2, r.sid).status).toBe('accepted');
    expect(
      tr2
        .list(tr2.activities, ws2)
        .map((a) => a.friendlyName)
        .sort(),
    ).toEqual(['Available', 'Offline', 'Unavailable']);
  });
});
