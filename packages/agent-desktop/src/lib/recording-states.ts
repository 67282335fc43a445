import type { TaskRecordingState } from '@pause-recording/core';
import { Observable, useObservable } from './observable.ts';

export interface RecordingEntry {
  /** The server's last word on the task's recordings; undefined until it has been asked. */
  readonly state: TaskRecordingState | undefined;
  /** A pause/resume request is in flight (the button is disabled meanwhile). */
  readonly pending: boolean;
}

const EMPTY: RecordingEntry = { state: undefined, pending: false };

/**
 * The recording state of each task as the server reported it (answers and live events). The
 * desktop never derives "paused" itself: it shows what is stored here.
 */
export class RecordingStates {
  private readonly entries = new Observable<ReadonlyMap<string, RecordingEntry>>(new Map());
  private readonly revisions = new Map<string, number>();

  get(taskSid: string): RecordingEntry {
    return this.entries.get().get(taskSid) ?? EMPTY;
  }

  all(): ReadonlyMap<string, RecordingEntry> {
    return this.entries.get();
  }

  /**
   * Stores the server's latest word on a task. Events and answers race: a caller holding an answer
   * compares `revision` from before its request to see whether something was stored meanwhile.
   */
  set(state: TaskRecordingState): void {
    const prev = this.get(state.taskSid);
    this.revisions.set(state.taskSid, this.revision(state.taskSid) + 1);
    this.update(state.taskSid, { ...prev, state });
  }

  /** How many states have been stored for the task so far. */
  revision(taskSid: string): number {
    return this.revisions.get(taskSid) ?? 0;
  }

  setPending(taskSid: string, pending: boolean): void {
    this.update(taskSid, { ...this.get(taskSid), pending });
  }

  subscribe = (fn: () => void): (() => void) => this.entries.subscribe(fn);

  /** For hooks: the observable map itself. */
  observable(): Observable<ReadonlyMap<string, RecordingEntry>> {
    return this.entries;
  }

  private update(taskSid: string, entry: RecordingEntry): void {
    const next = new Map(this.entries.get());
    next.set(taskSid, entry);
    this.entries.set(next);
  }
}

export function useRecordingEntry(states: RecordingStates, taskSid: string): RecordingEntry {
  return useObservable(states.observable()).get(taskSid) ?? EMPTY;
}

export function useRecordingEntries(states: RecordingStates): ReadonlyMap<string, RecordingEntry> {
  return useObservable(states.observable());
}
