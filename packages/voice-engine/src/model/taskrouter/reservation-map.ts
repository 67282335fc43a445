import type { Reservation } from './types.ts';

const NONE: readonly Reservation[] = [];

/**
 * Reservations by SID, indexed by their task and by their worker (neither changes once the
 * reservation exists): listing a task's reservations — a read on every pause — reads its own few
 * instead of walking every reservation the workspace ever had.
 */
export class ReservationMap extends Map<string, Reservation> {
  private readonly byTask = new Map<string, Reservation[]>();
  private readonly byWorker = new Map<string, Reservation[]>();

  override set(sid: string, r: Reservation): this {
    const before = this.get(sid);
    if (before !== r) {
      if (before) {
        unindex(this.byTask, before.taskSid, before);
        unindex(this.byWorker, before.workerSid, before);
      }
      index(this.byTask, r.taskSid, r);
      index(this.byWorker, r.workerSid, r);
    }
    return super.set(sid, r);
  }

  override delete(sid: string): boolean {
    const r = this.get(sid);
    if (r) {
      unindex(this.byTask, r.taskSid, r);
      unindex(this.byWorker, r.workerSid, r);
    }
    return super.delete(sid);
  }

  override clear(): void {
    this.byTask.clear();
    this.byWorker.clear();
    super.clear();
  }

  /** The reservations of a task, oldest first. */
  ofTask(taskSid: string): readonly Reservation[] {
    return this.byTask.get(taskSid) ?? NONE;
  }

  /** The reservations of a worker, oldest first. */
  ofWorker(workerSid: string): readonly Reservation[] {
    return this.byWorker.get(workerSid) ?? NONE;
  }
}

function index(m: Map<string, Reservation[]>, key: string, r: Reservation): void {
  const list = m.get(key);
  if (list) list.push(r);
  else m.set(key, [r]);
}

function unindex(m: Map<string, Reservation[]>, key: string, r: Reservation): void {
  const list = m.get(key);
  if (!list) return;
  const i = list.indexOf(r);
  if (i >= 0) list.splice(i, 1);
  if (list.length === 0) m.delete(key);
}
