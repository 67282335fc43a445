import { useSyncExternalStore } from 'react';

/** The smallest external store: a value, a version that changes with it, and subscribers. */
export class Observable<T> {
  private readonly subscribers = new Set<() => void>();
  constructor(private value: T) {}

  get(): T {
    return this.value;
  }

  set(next: T): void {
    if (Object.is(next, this.value)) return;
    this.value = next;
    for (const s of [...this.subscribers]) s();
  }

  subscribe = (fn: () => void): (() => void) => {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  };
}

export function useObservable<T>(o: Observable<T>): T {
  return useSyncExternalStore(o.subscribe, () => o.get());
}
