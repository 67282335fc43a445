import type { TaskView } from '@pause-recording/core';
import { Observable, useObservable } from './observable.ts';

export interface TasksSnapshot {
  readonly tasks: readonly TaskView[];
  readonly selectedSid: string | null;
}

/**
 * The tasks on the caller's screen (from `GET /api/tasks` and live events) and which one is selected:
 * a cache of the server's answers, never the truth (that is the server's `TaskStore`).
 *
 * A full read and the event stream race: an event may arrive while a read is in flight, and the
 * read's answer may predate it. So no answer replaces a newer state of a task (by `updatedAt`),
 * and a read does not drop a task an event brought after the read began (`mark`).
 */
export class TaskBoard {
  private readonly snap = new Observable<TasksSnapshot>({ tasks: [], selectedSid: null });
  private changes = 0;
  /** When (in `changes`) each task was last upserted. */
  private readonly changedAt = new Map<string, number>();

  snapshot(): TasksSnapshot {
    return this.snap.get();
  }

  /** Taken when a full read begins; hand it to `replaceAll` with the read's answer. */
  mark(): number {
    return this.changes;
  }

  /** The caller's tasks as a full read answered them; `since` is the `mark()` taken before the read. */
  replaceAll(tasks: readonly TaskView[], since: number = this.changes): void {
    const shown = new Map(this.snap.get().tasks.map((t) => [t.sid, t]));
    const next = new Map<string, TaskView>();
    for (const t of tasks) {
      const s = shown.get(t.sid);
      next.set(t.sid, s !== undefined && isNewer(s, t) ? s : t);
    }
    // Missing from the answer but brought by an event after the read began: the answer predates it.
    for (const [sid, s] of shown) if (!next.has(sid) && (this.changedAt.get(sid) ?? -1) > since) next.set(sid, s);
    for (const sid of [...this.changedAt.keys()]) if (!next.has(sid)) this.changedAt.delete(sid);
    this.snap.set({ ...this.snap.get(), tasks: [...next.values()].sort(byCreated) });
  }

  /** One task's state (a live event, an action's answer); an older state than the one shown is ignored. */
  upsert(task: TaskView): void {
    const { tasks, selectedSid } = this.snap.get();
    const shown = tasks.find((t) => t.sid === task.sid);
    if (shown !== undefined && isNewer(shown, task)) return;
    this.changedAt.set(task.sid, ++this.changes);
    const others = tasks.filter((t) => t.sid !== task.sid);
    this.snap.set({ tasks: [...others, task].sort(byCreated), selectedSid });
  }

  select(sid: string | null): void {
    this.snap.set({ ...this.snap.get(), selectedSid: sid });
  }

  selected(): TaskView | null {
    const { tasks, selectedSid } = this.snap.get();
    return tasks.find((t) => t.sid === selectedSid) ?? null;
  }

  observable(): Observable<TasksSnapshot> {
    return this.snap;
  }
}

/** True when `a` is a later state of the task than `b` (the server stamps every change). */
function isNewer(a: TaskView, b: TaskView): boolean {
  return Date.parse(a.updatedAt) > Date.parse(b.updatedAt);
}

function byCreated(a: TaskView, b: TaskView): number {
  return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0;
}

export function useTasks(store: TaskBoard): TasksSnapshot {
  return useObservable(store.observable());
}
