import { useEffect, useState } from 'react';
import type { RecordingView } from '../types/RecordingTask.ts';

export interface RecordingEntry {
  readonly view: RecordingView | null;
  /** A change is in flight (the button waits, as the template's does). */
  readonly pending: boolean;
}

const EMPTY: RecordingEntry = { view: null, pending: false };

/** Per-task recording views kept in the plugin, with subscribers (the components). */
export class RecordingStore {
  private readonly entries = new Map<string, RecordingEntry>();
  private readonly listeners = new Set<() => void>();

  get(taskSid: string): RecordingEntry {
    return this.entries.get(taskSid) ?? EMPTY;
  }

  set(view: RecordingView): void {
    this.put(view.taskSid, { ...this.get(view.taskSid), view });
  }

  setPending(taskSid: string, pending: boolean): void {
    this.put(taskSid, { ...this.get(taskSid), pending });
  }

  forget(taskSid: string): void {
    if (this.entries.delete(taskSid)) this.changed();
  }

  private put(taskSid: string, entry: RecordingEntry): void {
    this.entries.set(taskSid, entry);
    this.changed();
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** The entry of one task, re-rendered on every change (React 17 has no useSyncExternalStore). */
export function useRecordingEntry(store: RecordingStore, taskSid: string | undefined): RecordingEntry {
  const [entry, setEntry] = useState<RecordingEntry>(() => (taskSid ? store.get(taskSid) : EMPTY));
  useEffect(() => {
    if (!taskSid) return undefined;
    setEntry(store.get(taskSid));
    return store.subscribe(() => setEntry(store.get(taskSid)));
  }, [store, taskSid]);
  return entry;
}
