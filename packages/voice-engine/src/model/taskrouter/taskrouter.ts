import { newSid } from '../../support/ids.ts';
import type { EngineContext } from '../context.ts';
import { InvalidParameterError, InvalidStateError, MissingParameterError, NotFoundError } from '../errors.ts';
import { eventParams, type EventSubject } from './events.ts';
import { matches, parseAttributes, parseExpression } from './expressions.ts';
import type { ReservationMap } from './reservation-map.ts';
import { FINISHED_TASK, TaskBook } from './task-book.ts';
import {
  holdsWorker,
  type Activity,
  type Reservation,
  type ReservationStatus,
  type Task,
  type TaskQueue,
  type TaskStatus,
  type Worker,
  type Workflow,
  type Workspace,
} from './types.ts';
import { routeTask, parseWorkflowConfiguration } from './workflow-config.ts';

/** What the `conference` instruction needs of the voice side (the engine provides it). */
export interface TaskConferencing {
  /** The worker's leg (`to`, its contact URI) joins the conference of the task's call; its call and conference SIDs. */
  joinWorker(
    task: Task,
    attrs: Record<string, unknown>,
    leg: { from: string; to: string; endConferenceOnExit: boolean; statusCallback: string | null },
  ): { callSid: string; conferenceSid: string };
}

/** Where events go: queued on the engine's callback dispatcher, in order per workspace. */
export type EventSink = (key: string, url: string, params: Record<string, string>) => void;

export interface TaskRouterState {
  workspaces: Workspace[];
  activities: Activity[];
  workers: Worker[];
  queues: TaskQueue[];
  workflows: Workflow[];
  tasks: Task[];
  reservations: Reservation[];
}

export interface ReservationChange {
  status: 'accepted' | 'rejected' | 'wrapping' | 'completed';
  instruction?: 'conference' | undefined;
  from?: string | undefined;
  to?: string | undefined;
  endConferenceOnExit?: boolean | undefined;
  /** Status callbacks of the worker's leg (`StatusCallback`), as for any call. */
  statusCallback?: string | undefined;
  workerActivitySid?: string | undefined;
}

const newestFirst = <T extends { createdMs: number }>(xs: Iterable<T>): T[] => [...xs].sort((a, b) => b.createdMs - a.createdMs);

/**
 * TaskRouter's workspaces, workers, queues, workflows, tasks and reservations, and the
 * assignment: a pending task is reserved for the longest-idle available worker its queue
 * targets (one task at a time per worker), FIFO by task age (higher priority first).
 * Every change is stored at once, as in the other rooms; finished tasks live in the store only (task-book.ts).
 */
export class TaskRouterRoom {
  private readonly ctx: EngineContext;
  private readonly conferencing: () => TaskConferencing;
  private readonly emit: EventSink;
  readonly workspaces = new Map<string, Workspace>();
  readonly activities = new Map<string, Activity>();
  readonly workers = new Map<string, Worker>();
  readonly queues = new Map<string, TaskQueue>();
  readonly workflows = new Map<string, Workflow>();
  private readonly book: TaskBook;

  constructor(ctx: EngineContext, conferencing: () => TaskConferencing, emit: EventSink) {
    this.ctx = ctx;
    this.conferencing = conferencing;
    this.emit = emit;
    this.book = new TaskBook(ctx.persistence);
  }

  /** Live tasks (finished ones are in the store: `task`, `listTasks`). */
  get tasks(): ReadonlyMap<string, Task> {
    return this.book.live;
  }

  /** The reservations of live tasks (a finished task's are in the store: `reservation`, `reservationsOf*`). */
  get reservations(): ReservationMap {
    return this.book.reservations;
  }

  adopt(s: TaskRouterState): void {
    for (const x of s.workspaces) this.workspaces.set(x.sid, x);
    for (const x of s.activities) this.activities.set(x.sid, x);
    for (const x of s.workers) this.workers.set(x.sid, x);
    for (const x of s.queues) this.queues.set(x.sid, x);
    for (const x of s.workflows) this.workflows.set(x.sid, x);
    this.book.adopt(s.tasks, s.reservations);
  }

  // ---------------------------------------------------------------- queries

  workspace(sid: string): Workspace {
    const w = this.workspaces.get(sid);
    if (!w) throw new NotFoundError(`Workspace ${sid}`);
    return w;
  }

  private inWorkspace<T extends { workspaceSid: string }>(map: { get(sid: string): T | undefined }, noun: string, ws: Workspace, sid: string): T {
    const x = map.get(sid);
    if (!x || x.workspaceSid !== ws.sid) throw new NotFoundError(`${noun} ${sid}`);
    return x;
  }

  activity(ws: Workspace, sid: string): Activity {
    return this.inWorkspace(this.activities, 'Activity', ws, sid);
  }
  worker(ws: Workspace, sid: string): Worker {
    return this.inWorkspace(this.workers, 'Worker', ws, sid);
  }
  queue(ws: Workspace, sid: string): TaskQueue {
    return this.inWorkspace(this.queues, 'TaskQueue', ws, sid);
  }
  workflow(ws: Workspace, sid: string): Workflow {
    return this.inWorkspace(this.workflows, 'Workflow', ws, sid);
  }
  task(ws: Workspace, sid: string): Task {
    return this.inWorkspace({ get: (x) => this.book.task(x) }, 'Task', ws, sid);
  }
  reservation(ws: Workspace, sid: string): Reservation {
    return this.inWorkspace({ get: (x) => this.book.reservation(x) }, 'Reservation', ws, sid);
  }

  /** A workspace's tasks, newest first, with the statuses asked for (reads the store only when they include finished ones). */
  listTasks(ws: Workspace, statuses: readonly TaskStatus[] | undefined, keep: (t: Task) => boolean): Task[] {
    return newestFirst(
      [...this.book.tasks(statuses)].filter((t) => t.workspaceSid === ws.sid && (!statuses || statuses.includes(t.assignmentStatus)) && keep(t)),
    );
  }

  /** A task's reservations, oldest first. */
  reservationsOfTask(taskSid: string): readonly Reservation[] {
    return this.book.ofTask(taskSid);
  }

  /** A worker's reservations, oldest first (`statuses`: the listing's filter, which may spare reading the store). */
  reservationsOfWorker(workerSid: string, statuses?: readonly ReservationStatus[]): readonly Reservation[] {
    return this.book.ofWorker(workerSid, statuses);
  }

  /** Every resource of a workspace in `map`, newest first, or only those `keep` accepts. */
  list<T extends { workspaceSid: string; createdMs: number }>(map: Map<string, T>, ws: Workspace, keep: (x: T) => boolean = () => true): T[] {
    return newestFirst([...map.values()].filter((x) => x.workspaceSid === ws.sid && keep(x)));
  }

  listWorkspaces(): Workspace[] {
    return newestFirst(this.workspaces.values());
  }

  // ---------------------------------------------------------------- commands

  createWorkspace(input: { friendlyName: string; eventCallbackUrl: string | null }): Workspace {
    const now = Date.now();
    const sid = newSid('workspace');
    const make = (friendlyName: string, available: boolean): Activity => ({
      sid: newSid('activity'),
      workspaceSid: sid,
      friendlyName,
      available,
      createdMs: now,
      updatedMs: now,
    });
    // Twilio's defaults: a new worker is Offline, and a reservation that times out sends it Offline.
    const defaults = [make('Offline', false), make('Available', true), make('Unavailable', false)];
    const ws: Workspace = {
      sid,
      friendlyName: input.friendlyName,
      eventCallbackUrl: input.eventCallbackUrl,
      defaultActivitySid: defaults[0]!.sid,
      timeoutActivitySid: defaults[0]!.sid,
      createdMs: now,
      updatedMs: now,
    };
    this.workspaces.set(sid, ws);
    this.save('tr-workspace', ws);
    for (const a of defaults) {
      this.activities.set(a.sid, a);
      this.save('tr-activity', a);
    }
    return ws;
  }

  updateWorkspace(ws: Workspace, change: { friendlyName?: string; eventCallbackUrl?: string | null }): Workspace {
    if (change.friendlyName !== undefined) ws.friendlyName = change.friendlyName;
    if (change.eventCallbackUrl !== undefined) ws.eventCallbackUrl = change.eventCallbackUrl;
    ws.updatedMs = Date.now();
    this.save('tr-workspace', ws);
    return ws;
  }

  createActivity(ws: Workspace, input: { friendlyName: string; available: boolean }): Activity {
    if (this.list(this.activities, ws, (a) => a.friendlyName === input.friendlyName).length > 0) {
      throw new InvalidParameterError('FriendlyName', `an activity named '${input.friendlyName}' already exists in this workspace`);
    }
    const now = Date.now();
    const a: Activity = {
      sid: newSid('activity'),
      workspaceSid: ws.sid,
      friendlyName: input.friendlyName,
      available: input.available,
      createdMs: now,
      updatedMs: now,
    };
    this.activities.set(a.sid, a);
    this.save('tr-activity', a);
    return a;
  }

  createWorker(ws: Workspace, input: { friendlyName: string; attributes: string; activitySid: string | undefined }): Worker {
    parseAttributes(input.attributes, 'Attributes');
    if (this.list(this.workers, ws, (w) => w.friendlyName === input.friendlyName).length > 0) {
      throw new InvalidParameterError('FriendlyName', `a worker named '${input.friendlyName}' already exists in this workspace`);
    }
    const activity = input.activitySid === undefined ? this.activity(ws, ws.defaultActivitySid) : this.activityParam(ws, input.activitySid);
    const now = Date.now();
    const w: Worker = {
      sid: newSid('worker'),
      workspaceSid: ws.sid,
      friendlyName: input.friendlyName,
      attributes: input.attributes,
      activitySid: activity.sid,
      createdMs: now,
      updatedMs: now,
      statusChangedMs: now,
      idleSinceMs: now,
    };
    this.workers.set(w.sid, w);
    this.save('tr-worker', w);
    this.event(ws, 'worker.created', { worker: w, activity });
    this.assign(ws);
    return w;
  }

  /** Every value is checked before anything changes. */
  updateWorker(
    ws: Workspace,
    w: Worker,
    change: { friendlyName?: string | undefined; attributes?: string | undefined; activitySid?: string | undefined },
  ): Worker {
    if (change.attributes !== undefined) parseAttributes(change.attributes, 'Attributes');
    const activity = change.activitySid === undefined ? null : this.activityParam(ws, change.activitySid);
    const now = Date.now();
    if (change.friendlyName !== undefined) w.friendlyName = change.friendlyName;
    if (change.attributes !== undefined) w.attributes = change.attributes;
    if (activity && activity.sid !== w.activitySid) this.setActivity(ws, w, activity, now);
    w.updatedMs = now;
    this.save('tr-worker', w);
    this.assign(ws);
    return w;
  }

  createQueue(ws: Workspace, input: { friendlyName: string; targetWorkers: string; maxReservedWorkers: number }): TaskQueue {
    parseExpression(input.targetWorkers, 'TargetWorkers');
    const now = Date.now();
    const q: TaskQueue = { sid: newSid('taskQueue'), workspaceSid: ws.sid, ...input, createdMs: now, updatedMs: now };
    this.queues.set(q.sid, q);
    this.save('tr-queue', q);
    return q;
  }

  createWorkflow(
    ws: Workspace,
    input: { friendlyName: string; configuration: string; taskReservationTimeout: number; assignmentCallbackUrl: string | null },
  ): Workflow {
    const config = parseWorkflowConfiguration(input.configuration);
    for (const sid of config.queues)
      if (!this.queues.has(sid) || this.queues.get(sid)!.workspaceSid !== ws.sid)
        throw new InvalidParameterError('Configuration', `queue ${sid} is not a TaskQueue of this workspace`);
    const now = Date.now();
    const wf: Workflow = { sid: newSid('workflow'), workspaceSid: ws.sid, ...input, createdMs: now, updatedMs: now };
    this.workflows.set(wf.sid, wf);
    this.save('tr-workflow', wf);
    return wf;
  }

  createTask(ws: Workspace, input: { workflowSid: string | undefined; attributes: string; priority: number; timeout: number }): Task {
    const attrs = parseAttributes(input.attributes, 'Attributes');
    if (input.workflowSid === undefined) {
      const all = this.list(this.workflows, ws);
      // Twilio picks the workspace's only workflow when none is named.
      if (all.length !== 1) throw new MissingParameterError('WorkflowSid');
    }
    const wf = input.workflowSid === undefined ? this.list(this.workflows, ws)[0]! : this.refParam(this.workflows, 'WorkflowSid', ws, input.workflowSid);
    const queueSid = routeTask(parseWorkflowConfiguration(wf.configuration), attrs);
    const now = Date.now();
    const t: Task = {
      sid: newSid('task'),
      workspaceSid: ws.sid,
      workflowSid: wf.sid,
      taskQueueSid: queueSid,
      attributes: input.attributes,
      assignmentStatus: 'pending',
      reason: null,
      priority: input.priority,
      timeout: input.timeout,
      createdMs: now,
      updatedMs: now,
      queueEnteredMs: queueSid === null ? null : now,
      rejectedBy: [],
    };
    this.book.add(t);
    this.save('tr-task', t);
    this.event(ws, 'task.created', this.taskSubject(t));
    this.assign(ws);
    return t;
  }

  updateTask(
    ws: Workspace,
    t: Task,
    change: {
      attributes?: string | undefined;
      priority?: number | undefined;
      assignmentStatus?: 'canceled' | 'wrapping' | 'completed' | undefined;
      reason?: string | undefined;
    },
  ): Task {
    if (change.attributes !== undefined) parseAttributes(change.attributes, 'Attributes');
    const to = change.assignmentStatus;
    if (to !== undefined && to !== t.assignmentStatus) {
      const allowed: Record<typeof to, TaskStatus[]> = { canceled: ['pending', 'reserved'], wrapping: ['assigned'], completed: ['assigned', 'wrapping'] };
      if (!allowed[to].includes(t.assignmentStatus)) {
        throw new InvalidStateError(`Task ${t.sid} is ${t.assignmentStatus}; it cannot move to ${to} (allowed from ${allowed[to].join(', ')})`);
      }
    }
    if (change.attributes !== undefined) {
      t.attributes = change.attributes;
      // As at Twilio, new attributes send a waiting task through its workflow again (it may enter another queue).
      if (t.assignmentStatus === 'pending') {
        const wf = this.workflows.get(t.workflowSid);
        const queueSid = wf ? routeTask(parseWorkflowConfiguration(wf.configuration), parseAttributes(t.attributes, 'Attributes')) : t.taskQueueSid;
        if (queueSid !== t.taskQueueSid) {
          t.taskQueueSid = queueSid;
          t.queueEnteredMs = queueSid === null ? null : Date.now();
        }
      }
    }
    if (change.priority !== undefined) t.priority = change.priority;
    if (change.reason !== undefined) t.reason = change.reason;
    if (to !== undefined && to !== t.assignmentStatus) this.moveTask(ws, t, to);
    else this.touchTask(t);
    this.assign(ws);
    return t;
  }

  updateReservation(ws: Workspace, r: Reservation, change: ReservationChange): Reservation {
    const t = this.book.task(r.taskSid)!;
    const w = this.workers.get(r.workerSid)!;
    const from: Record<ReservationChange['status'], Reservation['status'][]> = {
      accepted: ['pending'],
      rejected: ['pending'],
      wrapping: ['accepted'],
      completed: ['accepted', 'wrapping'],
    };
    if (r.status === change.status) return r;
    if (!from[change.status].includes(r.status)) {
      throw new InvalidStateError(`Reservation ${r.sid} is ${r.status}; it cannot become ${change.status} (only from ${from[change.status].join(', ')})`);
    }
    const activity = change.workerActivitySid === undefined ? null : this.activityParam(ws, change.workerActivitySid, 'WorkerActivitySid');
    const now = Date.now();
    if (change.status === 'accepted') {
      if (change.instruction === 'conference') {
        const contact = change.to ?? parseAttributes(w.attributes, 'Attributes')['contact_uri'];
        if (typeof contact !== 'string' || contact === '') throw new InvalidParameterError('To', `worker ${w.sid} has no contact_uri attribute; send To`);
        const attrs = parseAttributes(t.attributes, 'Attributes');
        const from = change.from ?? (typeof attrs['to'] === 'string' ? attrs['to'] : typeof attrs['from'] === 'string' ? attrs['from'] : null);
        if (from === null) throw new MissingParameterError('From');
        const leg = this.conferencing().joinWorker(t, attrs, {
          from,
          to: contact,
          endConferenceOnExit: change.endConferenceOnExit ?? false,
          statusCallback: change.statusCallback ?? null,
        });
        r.workerCallSid = leg.callSid;
        r.conferenceSid = leg.conferenceSid;
      }
      this.moveReservation(ws, r, t, 'accepted', now);
      this.moveTask(ws, t, 'assigned');
    } else if (change.status === 'rejected') {
      this.moveReservation(ws, r, t, 'rejected', now);
      t.rejectedBy.push(w.sid);
      this.moveTask(ws, t, 'pending');
    } else {
      // Wrapping and completing the reservation wrap up and complete its task.
      this.moveTask(ws, t, change.status);
    }
    if (activity && activity.sid !== w.activitySid) {
      this.setActivity(ws, w, activity, now);
      this.save('tr-worker', w);
    }
    this.assign(ws);
    return r;
  }

  // ---------------------------------------------------------------- assignment

  /** Offers every pending task it can, oldest (and highest priority) first, each to its queue's longest-idle free worker. */
  assign(ws: Workspace): void {
    const pending = [...this.book.live.values()]
      .filter((t) => t.workspaceSid === ws.sid && t.assignmentStatus === 'pending' && t.taskQueueSid !== null)
      .sort((a, b) => b.priority - a.priority || a.createdMs - b.createdMs);
    for (const t of pending) {
      const q = this.queues.get(t.taskQueueSid!);
      if (!q) continue;
      const target = parseExpression(q.targetWorkers, 'TargetWorkers');
      const busy = new Set([...this.reservations.values()].filter(holdsWorker).map((r) => r.workerSid));
      const candidates = [...this.workers.values()]
        .filter((w) => w.workspaceSid === ws.sid && !busy.has(w.sid) && !t.rejectedBy.includes(w.sid) && this.activities.get(w.activitySid)?.available === true)
        .filter((w) => matches(target, JSON.parse(w.attributes)))
        .sort((a, b) => a.idleSinceMs - b.idleSinceMs || a.createdMs - b.createdMs);
      const w = candidates[0];
      if (!w) continue;
      const now = Date.now();
      const r: Reservation = {
        sid: newSid('reservation'),
        workspaceSid: ws.sid,
        taskSid: t.sid,
        workerSid: w.sid,
        status: 'pending',
        createdMs: now,
        updatedMs: now,
        workerCallSid: null,
        conferenceSid: null,
      };
      this.reservations.set(r.sid, r);
      this.save('tr-reservation', r);
      t.assignmentStatus = 'reserved';
      this.touchTask(t);
      this.event(ws, 'reservation.created', { ...this.taskSubject(t), worker: w, reservation: r });
    }
  }

  // ---------------------------------------------------------------- helpers

  private moveTask(ws: Workspace, t: Task, to: TaskStatus): void {
    t.assignmentStatus = to;
    this.touchTask(t);
    const now = Date.now();
    const held = this.reservations.ofTask(t.sid).filter(holdsWorker);
    if (to === 'canceled') {
      for (const r of held) this.moveReservation(ws, r, t, 'canceled', now);
      this.event(ws, 'task.canceled', this.taskSubject(t));
    } else if (to === 'wrapping') {
      for (const r of held) this.moveReservation(ws, r, t, 'wrapping', now);
      this.event(ws, 'task.wrapup', this.taskSubject(t));
    } else if (to === 'completed') {
      for (const r of held) this.moveReservation(ws, r, t, 'completed', now);
      this.event(ws, 'task.completed', this.taskSubject(t));
    }
    // Saved and announced: a finished task and its reservations are read back from the store from now on.
    if (FINISHED_TASK.has(to)) this.book.retire(t);
  }

  private moveReservation(ws: Workspace, r: Reservation, t: Task, to: Reservation['status'], now: number): void {
    r.status = to;
    r.updatedMs = now;
    this.save('tr-reservation', r);
    const w = this.workers.get(r.workerSid)!;
    // A worker whose work is over is idle from now: it goes to the back of the longest-idle line.
    if (!holdsWorker(r)) {
      w.idleSinceMs = now;
      this.save('tr-worker', w);
    }
    const name = to === 'wrapping' ? 'wrapup' : to;
    this.event(ws, `reservation.${name}`, { ...this.taskSubject(t), worker: w, reservation: r });
  }

  private setActivity(ws: Workspace, w: Worker, a: Activity, now: number): void {
    const wasAvailable = this.activities.get(w.activitySid)?.available === true;
    w.activitySid = a.sid;
    w.statusChangedMs = now;
    if (a.available && !wasAvailable) w.idleSinceMs = now;
    this.event(ws, 'worker.activity.update', { worker: w, activity: a });
  }

  private activityParam(ws: Workspace, sid: string, param = 'ActivitySid'): Activity {
    const a = this.activities.get(sid);
    if (!a || a.workspaceSid !== ws.sid) throw new InvalidParameterError(param, `${sid} is not an Activity of workspace ${ws.sid}`);
    return a;
  }

  private refParam<T extends { workspaceSid: string }>(map: Map<string, T>, param: string, ws: Workspace, sid: string): T {
    const x = map.get(sid);
    if (!x || x.workspaceSid !== ws.sid) throw new InvalidParameterError(param, `${sid} is not a resource of workspace ${ws.sid}`);
    return x;
  }

  private taskSubject(t: Task): EventSubject {
    return { task: t, queue: t.taskQueueSid === null ? null : (this.queues.get(t.taskQueueSid) ?? null), workflow: this.workflows.get(t.workflowSid) ?? null };
  }

  private touchTask(t: Task): void {
    t.updatedMs = Date.now();
    this.save('tr-task', t);
  }

  private save(kind: Parameters<EngineContext['persistence']['saveTaskRouter']>[0], x: { sid: string; createdMs: number }): void {
    this.ctx.persistence.saveTaskRouter(kind, x);
  }

  private event(ws: Workspace, type: string, subject: EventSubject): void {
    if (!ws.eventCallbackUrl) return;
    this.emit(
      ws.sid,
      ws.eventCallbackUrl,
      eventParams(
        this.ctx.accountSid,
        ws,
        type,
        { ...subject, activity: subject.activity ?? (subject.worker ? (this.activities.get(subject.worker.activitySid) ?? null) : null) },
        Date.now(),
      ),
    );
  }
}
