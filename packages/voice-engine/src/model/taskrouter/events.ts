import { newSid } from '../../support/ids.ts';
import type { Activity, Reservation, Task, TaskQueue, Worker, Workflow, Workspace } from './types.ts';

/** What an event is about; each present resource adds its fields, as Twilio's TaskRouter events do. */
export interface EventSubject {
  task?: Task;
  queue?: TaskQueue | null;
  workflow?: Workflow | null;
  worker?: Worker;
  activity?: Activity | null;
  reservation?: Reservation;
}

const DESCRIPTIONS: Record<string, string> = {
  'task.created': 'Task created',
  'task.canceled': 'Task canceled',
  'task.wrapup': 'Task wrapping up',
  'task.completed': 'Task completed',
  'task.updated': 'Task updated',
  'reservation.created': 'Reservation created',
  'reservation.accepted': 'Reservation accepted',
  'reservation.rejected': 'Reservation rejected',
  'reservation.canceled': 'Reservation canceled',
  'reservation.wrapup': 'Reservation wrapping up',
  'reservation.completed': 'Reservation completed',
  'worker.created': 'Worker created',
  'worker.activity.update': 'Worker activity updated',
};

/**
 * The form parameters of one TaskRouter event callback (`EventCallbackUrl`), named as Twilio
 * names them: `EventType`, `ResourceType`, `ResourceSid`, then `Task*`, `Worker*`, `Reservation*`.
 */
export function eventParams(accountSid: string, ws: Workspace, type: string, s: EventSubject, nowMs: number): Record<string, string> {
  const resourceType = type.split('.')[0]!;
  const resource = resourceType === 'task' ? s.task : resourceType === 'reservation' ? s.reservation : s.worker;
  const p: Record<string, string> = {
    Sid: newSid('event'),
    AccountSid: accountSid,
    WorkspaceSid: ws.sid,
    WorkspaceName: ws.friendlyName,
    EventType: type,
    EventDescription: DESCRIPTIONS[type] ?? type,
    ResourceType: resourceType.charAt(0).toUpperCase() + resourceType.slice(1),
    ResourceSid: resource?.sid ?? '',
    Timestamp: String(Math.floor(nowMs / 1000)),
    TimestampMs: String(nowMs),
  };
  if (s.task) {
    const t = s.task;
    Object.assign(p, {
      TaskSid: t.sid,
      TaskAttributes: t.attributes,
      TaskAssignmentStatus: t.assignmentStatus,
      TaskPriority: String(t.priority),
      TaskAge: String(Math.max(0, Math.floor((nowMs - t.createdMs) / 1000))),
      TaskTimeout: String(t.timeout),
      TaskDateCreated: String(Math.floor(t.createdMs / 1000)),
    });
    if (t.assignmentStatus === 'canceled' && t.reason !== null) p['TaskCanceledReason'] = t.reason;
    if (t.assignmentStatus === 'completed' && t.reason !== null) p['TaskCompletedReason'] = t.reason;
  }
  if (s.queue) Object.assign(p, { TaskQueueSid: s.queue.sid, TaskQueueName: s.queue.friendlyName, TaskQueueTargetExpression: s.queue.targetWorkers });
  if (s.workflow) Object.assign(p, { WorkflowSid: s.workflow.sid, WorkflowName: s.workflow.friendlyName });
  if (s.worker) Object.assign(p, { WorkerSid: s.worker.sid, WorkerName: s.worker.friendlyName, WorkerAttributes: s.worker.attributes });
  if (s.activity) Object.assign(p, { WorkerActivitySid: s.activity.sid, WorkerActivityName: s.activity.friendlyName });
  if (s.reservation) p['ReservationSid'] = s.reservation.sid;
  return p;
}
