import type { LiveEvent } from '@pause-recording/core';

/** Who may see an event: supervisors see all; an agent sees events about tasks they hold. */
export interface EventAudience {
  /** The agent the event's task belongs to (null: supervisors only). */
  readonly worker: string | null;
}

export interface Subscriber {
  readonly identity: string;
  readonly supervisor: boolean;
  send(event: LiveEvent): void;
}

/**
 * In-process fan-out of live events to SSE subscribers. With several server instances sharing
 * PostgreSQL, `PgEventBus` (pg-event-bus.ts) extends it with LISTEN/NOTIFY.
 */
export class EventBus {
  private readonly subscribers = new Set<Subscriber>();
  private readonly taps = new Set<(event: LiveEvent, audience: EventAudience) => void>();

  subscribe(s: Subscriber): () => void {
    this.subscribers.add(s);
    return () => this.subscribers.delete(s);
  }

  /** Sees every event (tests, logging). */
  tap(fn: (event: LiveEvent, audience: EventAudience) => void): () => void {
    this.taps.add(fn);
    return () => this.taps.delete(fn);
  }

  publish(event: LiveEvent, audience: EventAudience): void {
    this.deliver(event, audience);
  }

  /** Hands an event to this process's taps and subscribers. */
  protected deliver(event: LiveEvent, audience: EventAudience): void {
    for (const t of this.taps) t(event, audience);
    for (const s of this.subscribers) {
      if (s.supervisor || (audience.worker !== null && audience.worker === s.identity)) s.send(event);
    }
  }

  get size(): number {
    return this.subscribers.size;
  }
}
