import { AppError, sidProblem, type SidKind } from '@pause-recording/core';
import { Type } from 'typebox';
import type { Api } from '../http/validation.ts';
import { Signed, TwilioForm, verifiedTwilio } from './routes.ts';

export const TASKROUTER_EVENTS_PATH = '/webhooks/taskrouter-events';

interface Deps {
  readonly publicUrl: () => string;
  readonly authToken: string;
  /** Drops cached grants naming these SIDs (grant-cache.ts); returns how many went. */
  readonly invalidate: (sids: readonly string[]) => number;
  /** A signed event arrived (metrics): its resource (task, reservation, worker, other). */
  readonly received: (resource: string) => void;
  /** Requests per minute per client address whose signature fails before further ones get 429 (0: no limit). */
  readonly failuresPerMinute: number;
}

const EVENT_TYPE = /^[a-z][a-z-]{0,40}(\.[a-z][a-z_-]{0,40}){1,3}$/;
const SID_FIELDS: readonly [string, SidKind][] = [
  ['TaskSid', 'task'],
  ['ReservationSid', 'reservation'],
  ['WorkerSid', 'worker'],
];

/** A per-address count of refused signatures over a fixed minute (bounded: forgotten wholesale past 10,000 addresses). */
class FailureWindow {
  private readonly counts = new Map<string, { start: number; n: number }>();
  constructor(private readonly perMinute: number) {}

  /** Seconds to wait when `key` used up its failures this minute, else null. */
  blocked(key: string, now = Date.now()): number | null {
    if (this.perMinute <= 0) return null;
    const c = this.counts.get(key);
    if (c === undefined || now - c.start >= 60_000 || c.n < this.perMinute) return null;
    return Math.max(1, Math.ceil((c.start + 60_000 - now) / 1000));
  }

  fail(key: string, now = Date.now()): void {
    if (this.perMinute <= 0) return;
    if (this.counts.size > 10_000) this.counts.clear();
    const c = this.counts.get(key);
    if (c === undefined || now - c.start >= 60_000) this.counts.set(key, { start: now, n: 1 });
    else c.n++;
  }
}

/**
 * TaskRouter's workspace event callbacks (`EventCallbackUrl`, form-encoded POST): every `task.*`,
 * `reservation.*` and `worker.*` event drops the cached authorizations naming its task, reservation
 * or worker. Signed with the account's auth token like every Twilio webhook (403 otherwise, nothing
 * dropped); a signed event with a malformed field is 400 naming it. Signed events are never rate
 * limited (a dropped event would leave a grant in place until its TTL); requests whose signature
 * fails are, per client address: past the limit they get 429 with Retry-After instead of 403.
 */
export function taskRouterEventRoutes(app: Api, deps: Deps): void {
  const failures = new FailureWindow(deps.failuresPerMinute);
  app.post(
    TASKROUTER_EVENTS_PATH,
    {
      schema: {
        summary: "TaskRouter's workspace event callback: drops cached authorizations of the task, reservation or worker it names",
        tags: ['webhooks'],
        consumes: ['application/x-www-form-urlencoded'],
        body: TwilioForm,
        headers: Signed,
        response: { 204: Type.Null({ description: 'Taken' }) },
      },
    },
    async (request, reply) => {
      let p: Record<string, string>;
      try {
        p = verifiedTwilio(deps.publicUrl(), deps.authToken, request);
      } catch (e) {
        // Checked after the signature (one HMAC): a signed event must never be refused by the limit.
        const wait = failures.blocked(request.ip);
        failures.fail(request.ip);
        if (wait !== null) {
          reply.header('retry-after', String(wait));
          throw new AppError('RATE_LIMITED', `too many requests with a bad x-twilio-signature from ${request.ip}; retry in ${wait} s`, {
            field: 'x-twilio-signature',
          });
        }
        throw e;
      }
      const type = p['EventType'];
      if (type === undefined || type === '')
        throw new AppError('INVALID_PARAMETER', 'EventType: required (task.completed, reservation.accepted, ...)', { field: 'EventType' });
      if (!EVENT_TYPE.test(type))
        throw new AppError('INVALID_PARAMETER', `EventType: ${JSON.stringify(type.slice(0, 60))} is not a TaskRouter event type`, { field: 'EventType' });
      const sids: string[] = [];
      for (const [field, kind] of SID_FIELDS) {
        const v = p[field];
        if (v === undefined || v === '') continue;
        const problem = sidProblem(kind, v);
        if (problem !== null) throw new AppError('INVALID_PARAMETER', `${field}: ${problem}`, { field });
        sids.push(v);
      }
      const resource = type.split('.')[0]!;
      deps.received(['task', 'reservation', 'worker'].includes(resource) ? resource : 'other');
      deps.invalidate(sids);
      return reply.status(204).send(null);
    },
  );
}
