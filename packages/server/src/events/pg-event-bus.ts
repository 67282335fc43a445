import { randomBytes } from 'node:crypto';
import type { LiveEvent } from '@pause-recording/core';
import pg from 'pg';
import type { Logger } from 'pino';
import { EventBus, type EventAudience } from './event-bus.ts';

/** The one channel every instance listens on. */
export const EVENT_CHANNEL = 'pause_recording_events';
/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more; larger events travel by reference. */
export const MAX_NOTIFY_BYTES = 7900;

interface Envelope {
  /** The publishing instance: it delivered to its own clients already. */
  readonly o: string;
  readonly e?: LiveEvent;
  readonly a?: EventAudience;
  /** Id of an event too large for a notification, stored in `live_event_overflow`. */
  readonly r?: number;
  /** A signal between instances (not for SSE clients): its kind and data. */
  readonly s?: string;
  readonly d?: unknown;
}

export interface PgEventBusOptions {
  readonly url: string;
  readonly pool: pg.Pool;
  readonly logger: Logger;
  /** First wait before reconnecting the listener (doubles up to 5 s). */
  readonly reconnectMs?: number;
}

/**
 * Live events across every instance sharing one PostgreSQL. `publish` delivers to this
 * instance's SSE clients at once and sends the event with `NOTIFY` (in publish order, one after
 * another); each instance `LISTEN`s on one dedicated connection and delivers what other instances
 * published to its own clients, so every client gets each event exactly once. The listener
 * reconnects after a lost connection; events published meanwhile are missed, so `onListening`
 * hooks reload shared state and the server ends its streams, whose clients reconnect and reload.
 */
export class PgEventBus extends EventBus {
  readonly origin = randomBytes(8).toString('hex');
  private listener: pg.Client | null = null;
  private closed = false;
  private tail: Promise<void> = Promise.resolve();
  private retryTimer: NodeJS.Timeout | undefined;
  private retryMs: number;
  /** Resolves once the listener is connected (again). */
  private readyWaiters: (() => void)[] = [];
  private readonly handlers = new Map<string, (data: unknown) => Promise<void> | void>();
  private readonly reconnected: (() => Promise<void>)[] = [];

  constructor(private readonly o: PgEventBusOptions) {
    super();
    this.retryMs = o.reconnectMs ?? 100;
  }

  /** Connects the listener; resolves once it listens. */
  async start(): Promise<void> {
    await this.connect();
  }

  get listening(): boolean {
    return this.listener !== null;
  }

  /** Resolves once the listener is connected (at once when it is). */
  whenListening(): Promise<void> {
    if (this.listener !== null) return Promise.resolve();
    return new Promise((r) => this.readyWaiters.push(r));
  }

  override publish(event: LiveEvent, audience: EventAudience): void {
    this.deliver(event, audience);
    const payload = JSON.stringify({ o: this.origin, e: event, a: audience } satisfies Envelope);
    this.tail = this.tail.then(() =>
      this.send(payload).catch((e: unknown) => this.o.logger.error({ err: e, type: event.type }, 'could not send a live event to the other instances')),
    );
  }

  /**
   * Tells the other instances something (a task changed, a session was revoked): `on(kind)`
   * handlers of every other instance get `data`. Sent in order with the events.
   */
  signal(kind: string, data: unknown): Promise<void> {
    const payload = JSON.stringify({ o: this.origin, s: kind, d: data } satisfies Envelope);
    const sent = this.tail.then(() => this.send(payload));
    this.tail = sent.catch((e: unknown) => this.o.logger.error({ err: e, kind }, 'could not signal the other instances'));
    return sent;
  }

  /** Handles signals of `kind` from other instances. */
  on(kind: string, fn: (data: unknown) => Promise<void> | void): void {
    this.handlers.set(kind, fn);
  }

  /** Runs after every (re)connect of the listener: what was signalled while it was away is reloaded here. */
  onListening(fn: () => Promise<void>): void {
    this.reconnected.push(fn);
  }

  /** Resolves once every event published so far was handed to PostgreSQL. */
  flush(): Promise<void> {
    return this.tail;
  }

  private async send(payload: string): Promise<void> {
    if (Buffer.byteLength(payload) <= MAX_NOTIFY_BYTES) {
      await this.o.pool.query('SELECT pg_notify($1, $2)', [EVENT_CHANNEL, payload]);
      return;
    }
    // Too large for a notification: stored, and the notification carries its id. One statement, so
    // the row is committed before anyone is told. Rows older than a minute are nobody's any more.
    await this.o.pool.query(
      `WITH gone AS (DELETE FROM live_event_overflow WHERE created_at < now() - interval '1 minute'),
            ins AS (INSERT INTO live_event_overflow (payload) VALUES ($2) RETURNING id)
       SELECT pg_notify($1, json_build_object('o', $3::text, 'r', id)::text) FROM ins`,
      [EVENT_CHANNEL, payload, this.origin],
    );
  }

  private async receive(text: string): Promise<void> {
    let env: Envelope;
    try {
      env = JSON.parse(text) as Envelope;
    } catch {
      this.o.logger.warn({ channel: EVENT_CHANNEL }, 'ignored a live event notification that is not JSON');
      return;
    }
    if (env.o === this.origin) return;
    if (env.r !== undefined) {
      const row = await this.o.pool.query<{ payload: string }>('SELECT payload FROM live_event_overflow WHERE id = $1', [env.r]);
      const stored = row.rows[0];
      if (stored === undefined) return;
      env = JSON.parse(stored.payload) as Envelope;
    }
    if (env.s !== undefined) await this.handlers.get(env.s)?.(env.d);
    else if (env.e !== undefined && env.a !== undefined) this.deliver(env.e, env.a);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.o.url });
    client.on('error', (e) => {
      this.o.logger.warn({ err: e }, 'live event listener lost its connection');
      this.lost(client);
    });
    client.on('end', () => this.lost(client));
    // Notifications of one connection arrive in commit order; overflow lookups must not reorder them.
    let order: Promise<void> = Promise.resolve();
    client.on('notification', (n) => {
      if (n.channel !== EVENT_CHANNEL || n.payload === undefined) return;
      const text = n.payload;
      order = order.then(() => this.receive(text).catch((e: unknown) => this.o.logger.error({ err: e }, 'could not deliver a live event')));
    });
    await client.connect();
    await client.query(`LISTEN ${EVENT_CHANNEL}`);
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.listener = client;
    this.retryMs = this.o.reconnectMs ?? 100;
    for (const fn of this.reconnected) await fn().catch((e: unknown) => this.o.logger.error({ err: e }, 'reloading shared state after a reconnect failed'));
    for (const r of this.readyWaiters.splice(0)) r();
  }

  private lost(client: pg.Client): void {
    if (this.listener !== client) return;
    this.listener = null;
    void client.end().catch(() => undefined);
    this.reconnect();
  }

  private reconnect(): void {
    if (this.closed || this.retryTimer !== undefined) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.connect().catch((e: unknown) => {
        this.o.logger.warn({ err: String(e), retryMs: this.retryMs }, 'live event listener could not reconnect yet');
        this.retryMs = Math.min(this.retryMs * 2, 5000);
        this.reconnect();
      });
    }, this.retryMs);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    await this.tail;
    const l = this.listener;
    this.listener = null;
    await l?.end().catch(() => undefined);
  }
}
