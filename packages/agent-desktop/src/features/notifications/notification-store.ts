import type { NotificationRequest, Notifier } from '../../lib/notifier.ts';
import { Observable } from '../../lib/observable.ts';

/** The seed's banners close themselves after 3 s; alarms are sticky. */
export const NOTIFICATION_TIMEOUT_MS = 3000;

export interface ShownNotification extends NotificationRequest {
  /** Bumped on every show, so a repeated id re-renders and restarts its timeout. */
  readonly seq: number;
}

interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** Holds the notifications on screen; what features call through the `Notifier` interface. */
export class NotificationStore implements Notifier {
  private readonly list = new Observable<readonly ShownNotification[]>([]);
  private readonly timeouts = new Map<string, unknown>();
  private seq = 0;

  constructor(
    private readonly timeoutMs = NOTIFICATION_TIMEOUT_MS,
    private readonly timers: Timers = realTimers,
  ) {}

  notify(n: NotificationRequest): void {
    this.clearTimer(n.id);
    const shown: ShownNotification = { ...n, seq: ++this.seq };
    this.list.set([...this.list.get().filter((x) => x.id !== n.id), shown]);
    if (n.sticky !== true)
      this.timeouts.set(
        n.id,
        this.timers.setTimeout(() => this.dismiss(n.id), this.timeoutMs),
      );
  }

  dismiss(id: string): void {
    this.clearTimer(id);
    const next = this.list.get().filter((x) => x.id !== id);
    if (next.length !== this.list.get().length) this.list.set(next);
  }

  current(): readonly ShownNotification[] {
    return this.list.get();
  }

  observable(): Observable<readonly ShownNotification[]> {
    return this.list;
  }

  private clearTimer(id: string): void {
    const h = this.timeouts.get(id);
    if (h !== undefined) this.timers.clearTimeout(h);
    this.timeouts.delete(id);
  }
}
