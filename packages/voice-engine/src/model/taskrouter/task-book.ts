import type { Persistence } from '../persistence/persistence.ts';
import { ReservationMap } from './reservation-map.ts';
import type { Reservation, ReservationStatus, Task, TaskStatus } from './types.ts';

/** A task in one of these is over: it leaves memory and is read back from the store when asked for. */
export const FINISHED_TASK: ReadonlySet<TaskStatus> = new Set<TaskStatus>(['completed', 'canceled']);
/** Statuses only a live task's reservations have (a finished task's reservations are all past them). */
const LIVE_ONLY: ReadonlySet<ReservationStatus> = new Set<ReservationStatus>(['pending', 'accepted', 'wrapping']);

/**
 * Tasks and their reservations. Live tasks (pending to wrapping) and all their reservations are in
 * memory; a finished task (completed, canceled) and its reservations are only in the engine's store,
 * read back when asked for, as finished calls are. Memory follows the work in progress, not every
 * task ever routed. Every change is saved at once, so a stored row always equals its object.
 */
export class TaskBook {
  readonly live = new Map<string, Task>();
  /** The reservations of live tasks, indexed by task and by worker. */
  readonly reservations = new ReservationMap();
  private readonly store: Persistence;

  constructor(store: Persistence) {
    this.store = store;
  }

  /** What an earlier run saved: its live tasks and their reservations come back to memory. */
  adopt(tasks: readonly Task[], reservations: readonly Reservation[]): void {
    for (const t of tasks) if (!FINISHED_TASK.has(t.assignmentStatus)) this.live.set(t.sid, t);
    for (const r of reservations) if (this.live.has(r.taskSid)) this.reservations.set(r.sid, r);
  }

  add(t: Task): void {
    this.live.set(t.sid, t);
  }

  /** The task is over: it and its reservations leave memory (their rows are saved already). */
  retire(t: Task): void {
    for (const r of [...this.reservations.ofTask(t.sid)]) this.reservations.delete(r.sid);
    this.live.delete(t.sid);
  }

  task(sid: string): Task | undefined {
    return this.live.get(sid) ?? this.store.task(sid);
  }

  reservation(sid: string): Reservation | undefined {
    return this.reservations.get(sid) ?? this.store.reservation(sid);
  }

  /** A task's reservations, oldest first. */
  ofTask(taskSid: string): readonly Reservation[] {
    if (this.live.has(taskSid)) return this.reservations.ofTask(taskSid);
    return this.store.reservations({ field: 'taskSid', sid: taskSid }, this.reservations);
  }

  /** A worker's reservations, oldest first; only from memory when `statuses` names only statuses a finished task's reservations never have. */
  ofWorker(workerSid: string, statuses?: readonly ReservationStatus[]): readonly Reservation[] {
    if (statuses !== undefined && statuses.length > 0 && statuses.every((s) => LIVE_ONLY.has(s))) return this.reservations.ofWorker(workerSid);
    return this.store.reservations({ field: 'workerSid', sid: workerSid }, this.reservations);
  }

  /** Tasks, all of them, or only the live ones when `statuses` names no finished status. */
  tasks(statuses?: readonly TaskStatus[]): Iterable<Task> {
    if (statuses !== undefined && statuses.length > 0 && !statuses.some((s) => FINISHED_TASK.has(s))) return this.live.values();
    return this.store.tasks(this.live);
  }
}
