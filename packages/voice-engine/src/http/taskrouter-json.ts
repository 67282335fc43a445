import type { TaskRouterRoom } from '../model/taskrouter/taskrouter.ts';
import type { Activity, Reservation, Task, TaskQueue, Worker, Workflow, Workspace } from '../model/taskrouter/types.ts';

/** TaskRouter's wire form: snake_case fields, ISO 8601 dates, absolute `url` and `links`, as Twilio answers. */
type Json = Record<string, unknown>;

/** ISO 8601 in UTC without milliseconds (`2026-12-01T01:42:07Z`), as TaskRouter writes dates. */
export function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export class TaskRouterJson {
  constructor(
    private readonly accountSid: string,
    private readonly origin: () => string,
    private readonly room: TaskRouterRoom,
  ) {}

  private url(path: string): string {
    return `${this.origin()}/v1/${path}`;
  }

  workspace(w: Workspace): Json {
    const u = this.url(`Workspaces/${w.sid}`);
    const def = this.room.activities.get(w.defaultActivitySid);
    const timeout = this.room.activities.get(w.timeoutActivitySid);
    return {
      account_sid: this.accountSid,
      date_created: iso(w.createdMs),
      date_updated: iso(w.updatedMs),
      default_activity_name: def?.friendlyName ?? null,
      default_activity_sid: w.defaultActivitySid,
      event_callback_url: w.eventCallbackUrl,
      events_filter: null,
      friendly_name: w.friendlyName,
      multi_task_enabled: false,
      sid: w.sid,
      timeout_activity_name: timeout?.friendlyName ?? null,
      timeout_activity_sid: w.timeoutActivitySid,
      prioritize_queue_order: 'FIFO',
      url: u,
      links: {
        activities: `${u}/Activities`,
        task_queues: `${u}/TaskQueues`,
        tasks: `${u}/Tasks`,
        workers: `${u}/Workers`,
        workflows: `${u}/Workflows`,
        events: `${u}/Events`,
        statistics: `${u}/Statistics`,
      },
    };
  }

  activity(a: Activity): Json {
    const u = this.url(`Workspaces/${a.workspaceSid}/Activities/${a.sid}`);
    return {
      account_sid: this.accountSid,
      available: a.available,
      date_created: iso(a.createdMs),
      date_updated: iso(a.updatedMs),
      friendly_name: a.friendlyName,
      sid: a.sid,
      workspace_sid: a.workspaceSid,
      url: u,
      links: { workspace: this.url(`Workspaces/${a.workspaceSid}`) },
    };
  }

  worker(w: Worker): Json {
    const u = this.url(`Workspaces/${w.workspaceSid}/Workers/${w.sid}`);
    const a = this.room.activities.get(w.activitySid);
    return {
      account_sid: this.accountSid,
      activity_name: a?.friendlyName ?? null,
      activity_sid: w.activitySid,
      attributes: w.attributes,
      available: a?.available ?? false,
      date_created: iso(w.createdMs),
      date_status_changed: iso(w.statusChangedMs),
      date_updated: iso(w.updatedMs),
      friendly_name: w.friendlyName,
      sid: w.sid,
      workspace_sid: w.workspaceSid,
      url: u,
      links: {
        channels: `${u}/Channels`,
        reservations: `${u}/Reservations`,
        statistics: `${u}/Statistics`,
        workspace: this.url(`Workspaces/${w.workspaceSid}`),
      },
    };
  }

  queue(q: TaskQueue): Json {
    const u = this.url(`Workspaces/${q.workspaceSid}/TaskQueues/${q.sid}`);
    return {
      account_sid: this.accountSid,
      assignment_activity_sid: null,
      assignment_activity_name: null,
      date_created: iso(q.createdMs),
      date_updated: iso(q.updatedMs),
      friendly_name: q.friendlyName,
      max_reserved_workers: q.maxReservedWorkers,
      reservation_activity_sid: null,
      reservation_activity_name: null,
      sid: q.sid,
      target_workers: q.targetWorkers,
      task_order: 'FIFO',
      url: u,
      workspace_sid: q.workspaceSid,
      links: { statistics: `${u}/Statistics`, workspace: this.url(`Workspaces/${q.workspaceSid}`) },
    };
  }

  workflow(wf: Workflow): Json {
    const u = this.url(`Workspaces/${wf.workspaceSid}/Workflows/${wf.sid}`);
    return {
      account_sid: this.accountSid,
      assignment_callback_url: wf.assignmentCallbackUrl,
      configuration: wf.configuration,
      date_created: iso(wf.createdMs),
      date_updated: iso(wf.updatedMs),
      document_content_type: 'application/json',
      fallback_assignment_callback_url: null,
      friendly_name: wf.friendlyName,
      sid: wf.sid,
      task_reservation_timeout: wf.taskReservationTimeout,
      workspace_sid: wf.workspaceSid,
      url: u,
      links: { statistics: `${u}/Statistics`, workspace: this.url(`Workspaces/${wf.workspaceSid}`) },
    };
  }

  task(t: Task): Json {
    const u = this.url(`Workspaces/${t.workspaceSid}/Tasks/${t.sid}`);
    const q = t.taskQueueSid === null ? undefined : this.room.queues.get(t.taskQueueSid);
    const wf = this.room.workflows.get(t.workflowSid);
    return {
      account_sid: this.accountSid,
      age: Math.max(0, Math.floor((Date.now() - t.createdMs) / 1000)),
      assignment_status: t.assignmentStatus,
      attributes: t.attributes,
      addons: '{}',
      date_created: iso(t.createdMs),
      date_updated: iso(t.updatedMs),
      task_queue_entered_date: t.queueEnteredMs === null ? null : iso(t.queueEnteredMs),
      priority: t.priority,
      reason: t.reason,
      sid: t.sid,
      task_queue_sid: t.taskQueueSid,
      task_queue_friendly_name: q?.friendlyName ?? null,
      task_channel_sid: null,
      task_channel_unique_name: 'default',
      timeout: t.timeout,
      workflow_sid: t.workflowSid,
      workflow_friendly_name: wf?.friendlyName ?? null,
      workspace_sid: t.workspaceSid,
      url: u,
      links: {
        task_queue: q ? this.url(`Workspaces/${t.workspaceSid}/TaskQueues/${q.sid}`) : null,
        workflow: this.url(`Workspaces/${t.workspaceSid}/Workflows/${t.workflowSid}`),
        workspace: this.url(`Workspaces/${t.workspaceSid}`),
        reservations: `${u}/Reservations`,
      },
      virtual_start_time: iso(t.createdMs),
      ignore_capacity: false,
      routing_target: null,
    };
  }

  /** Under the task's path or the worker's: the same fields, a different `url`. */
  reservation(r: Reservation, under: 'task' | 'worker'): Json {
    const ws = `Workspaces/${r.workspaceSid}`;
    const u = this.url(under === 'task' ? `${ws}/Tasks/${r.taskSid}/Reservations/${r.sid}` : `${ws}/Workers/${r.workerSid}/Reservations/${r.sid}`);
    return {
      account_sid: this.accountSid,
      date_created: iso(r.createdMs),
      date_updated: iso(r.updatedMs),
      reservation_status: r.status,
      sid: r.sid,
      task_sid: r.taskSid,
      worker_name: this.room.workers.get(r.workerSid)?.friendlyName ?? null,
      worker_sid: r.workerSid,
      workspace_sid: r.workspaceSid,
      url: u,
      links: { task: this.url(`${ws}/Tasks/${r.taskSid}`), worker: this.url(`${ws}/Workers/${r.workerSid}`), workspace: this.url(ws) },
    };
  }
}
