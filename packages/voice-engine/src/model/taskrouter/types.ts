/** TaskRouter resources as the engine keeps them (and stores them): plain, JSON-safe records. */

export const TASK_STATUSES = ['pending', 'reserved', 'assigned', 'wrapping', 'completed', 'canceled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const RESERVATION_STATUSES = ['pending', 'accepted', 'rejected', 'timeout', 'canceled', 'rescinded', 'wrapping', 'completed'] as const;
export type ReservationStatus = (typeof RESERVATION_STATUSES)[number];

export interface Workspace {
  sid: string;
  friendlyName: string;
  eventCallbackUrl: string | null;
  defaultActivitySid: string;
  timeoutActivitySid: string;
  createdMs: number;
  updatedMs: number;
}

export interface Activity {
  sid: string;
  workspaceSid: string;
  friendlyName: string;
  available: boolean;
  createdMs: number;
  updatedMs: number;
}

export interface Worker {
  sid: string;
  workspaceSid: string;
  friendlyName: string;
  /** A JSON object, as text (Twilio's wire form); `contact_uri` is where the conference instruction dials. */
  attributes: string;
  activitySid: string;
  createdMs: number;
  updatedMs: number;
  statusChangedMs: number;
  /** Since when the worker has been free for work: the longest idle is reserved first. */
  idleSinceMs: number;
}

export interface TaskQueue {
  sid: string;
  workspaceSid: string;
  friendlyName: string;
  targetWorkers: string;
  maxReservedWorkers: number;
  createdMs: number;
  updatedMs: number;
}

export interface Workflow {
  sid: string;
  workspaceSid: string;
  friendlyName: string;
  /** JSON text: `{"task_routing": {"filters": [...], "default_filter": {"queue": "WQ…"}}}`. */
  configuration: string;
  taskReservationTimeout: number;
  assignmentCallbackUrl: string | null;
  createdMs: number;
  updatedMs: number;
}

export interface Task {
  sid: string;
  workspaceSid: string;
  workflowSid: string;
  taskQueueSid: string | null;
  attributes: string;
  assignmentStatus: TaskStatus;
  reason: string | null;
  priority: number;
  timeout: number;
  createdMs: number;
  updatedMs: number;
  queueEnteredMs: number | null;
  /** Workers that rejected this task: it is not offered to them again. */
  rejectedBy: string[];
}

export interface Reservation {
  sid: string;
  workspaceSid: string;
  taskSid: string;
  workerSid: string;
  status: ReservationStatus;
  createdMs: number;
  updatedMs: number;
  /** The worker's leg placed by the `conference` instruction. */
  workerCallSid: string | null;
  conferenceSid: string | null;
}

/** A reservation that holds its worker (single-tasking: no other task is offered meanwhile). */
export function holdsWorker(r: Reservation): boolean {
  return r.status === 'pending' || r.status === 'accepted' || r.status === 'wrapping';
}
