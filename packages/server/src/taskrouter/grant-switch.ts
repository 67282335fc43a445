import type { Logger } from 'pino';
import type { GrantCache } from './grant-cache.ts';
import type { TaskRouterClient } from './taskrouter-client.ts';

export interface GrantSwitchOptions {
  readonly grants: GrantCache;
  readonly router: TaskRouterClient;
  readonly logger: Logger;
  /** This server's event route as TaskRouter must call it (PUBLIC_URL + /webhooks/taskrouter-events). */
  readonly eventsUrl: () => string;
  /** DATABASE_URL is set: an event reaches one instance only, so no instance caches. */
  readonly clustered: boolean;
}

/**
 * Why the workspace's events may not all reach `want`, or null when they do: its EventCallbackUrl
 * must be exactly `want` and no EventsFilter may hold back any event (a filtered-out
 * `reservation.completed` would leave a grant in place until its TTL).
 */
export function eventRouteProblem(ws: { url: string | null; filter: string | null }, want: string): string | null {
  if (ws.url !== want) return `the workspace's EventCallbackUrl is ${ws.url === null ? 'not set' : JSON.stringify(ws.url)}, not ${want}`;
  if (ws.filter !== null && ws.filter.trim() !== '')
    return `the workspace's EventsFilter (${JSON.stringify(ws.filter)}) holds back events; clear it to send all`;
  return null;
}

/**
 * Turns the grant cache on only while the server knows TaskRouter's events reach it: the
 * workspace's `EventCallbackUrl`, as read from TaskRouter, is this server's event route, with no
 * `EventsFilter`. Checked
 * at start (after embedded provisioning set it) and every minute after; anything else (another
 * URL, none, a failed read) turns it off and drops what it kept (fail closed).
 */
export class GrantSwitch {
  /** Why the cache is never used in this configuration, or null. */
  readonly never: string | null;
  private why: string | null;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: GrantSwitchOptions) {
    this.never =
      o.grants.ttlMs === 0
        ? 'TASKROUTER_GRANT_CACHE_MS is 0'
        : o.clustered
          ? 'DATABASE_URL is set: with several instances an event reaches only one of them, so no instance caches'
          : null;
    this.why = this.never ?? 'not checked yet';
  }

  /** What embedded provisioning sets as the workspace's EventCallbackUrl (null: leave it). */
  provisionUrl(): string | null {
    return this.never === null ? this.o.eventsUrl() : null;
  }

  /** Reads the workspace's EventCallbackUrl and turns the cache on or off. */
  async check(): Promise<void> {
    if (this.never !== null) return;
    const want = this.o.eventsUrl();
    let why: string | null;
    try {
      why = eventRouteProblem(await this.o.router.workspaceEvents(), want);
    } catch (e) {
      why = `the workspace could not be read (${String(e)})`;
    }
    const { grants, logger } = this.o;
    if (why === null && !grants.enabled) logger.info({ ttlMs: grants.ttlMs }, 'TaskRouter grant cache on: the workspace sends its events here');
    if (why !== null && grants.enabled) logger.warn({ reason: why }, 'TaskRouter grant cache off: every authorization reads TaskRouter');
    if (why === null) grants.enable();
    else grants.disable();
    this.why = why;
  }

  /** Logs the state after start and checks again every `intervalMs` (an operator may point the events elsewhere later). */
  start(intervalMs = 60_000): void {
    if (!this.o.grants.enabled) this.o.logger.info({ reason: this.why }, 'TaskRouter grant cache off: every authorization reads TaskRouter');
    if (this.never !== null) return;
    this.timer = setInterval(() => void this.check(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
