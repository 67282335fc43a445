import type { TaskView } from '@pause-recording/core';
import { Observable, useObservable } from './observable.ts';

export interface TasksSnapshot {
  readonly tasks: readonly TaskView[];
  readonly selectedSid: string | null;
}

/**
 * The tasks on the caller's screen (from `GET /api/tasks` and live events) and which one is selected:
 * a cache of the server's answers, never the truth (that is the server's `TaskStore`).
 */
export class TaskBoard {
  private readonly snap = new Observable<TasksSnapshot>({ tasks: [], selectedSid: null });

  snapshot(): TasksSnapshot {
    return this.snap.get();
  }

  replaceAll(tasks: readonly TaskView[]): void {
    this.snap.set({ ...this.snap.get(), tasks: [...tasks].sort(byCreated) });
  }

  upsert(task: TaskView): void {
    const { tasks, selectedSid } = this.snap.get();
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

function byCreated(a: TaskView, b: TaskView): number {
  return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0;
}

export function useTasks(store: TaskBoard): TasksSnapshot {
  return useObservable(store.observable());
}
