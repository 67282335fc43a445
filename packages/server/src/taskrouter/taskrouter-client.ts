import { AppError, type TaskStatus } from '@pause-recording/core';
import twilio from 'twilio';
import { isTransientProviderError, ProviderError, toProviderError } from '../provider/provider-errors.ts';
import { LeanRequestClient } from '../provider/request-client.ts';
import { withRetry, type RetryPolicy } from '../provider/retry.ts';

/**
 * The server's only way to TaskRouter: the official `twilio` SDK's `client.taskrouter`, pointed at
 * the voice engine in embedded mode and at Twilio (taskrouter.twilio.com) in production. Nothing
 * here is cached: every answer is TaskRouter's answer at the time of the call (the authorization's
 * grant cache lives in grant-cache.ts and hears of this server's writes through `changed`).
 */
export interface TrTask {
  readonly sid: string;
  readonly status: TaskStatus;
  readonly attributes: Record<string, unknown>;
  readonly queueName: string | null;
  readonly reason: string | null;
}

export type TrReservationStatus = 'pending' | 'accepted' | 'rejected' | 'timeout' | 'canceled' | 'rescinded' | 'wrapping' | 'completed';

export interface TrReservation {
  readonly sid: string;
  readonly taskSid: string;
  readonly workerSid: string;
  readonly workerName: string | null;
  readonly status: TrReservationStatus;
}

export interface TrWorker {
  readonly sid: string;
  readonly friendlyName: string;
  readonly attributes: Record<string, unknown>;
}

/** Statuses of a task someone is still working on (a supervisor may act on it). */
export const LIVE_TASK_STATUSES: readonly TaskStatus[] = ['pending', 'reserved', 'assigned', 'wrapping'];

export interface TaskRouterOptions {
  readonly accountSid: string;
  readonly authToken: string;
  /** The engine's URL, or null for taskrouter.twilio.com. */
  readonly apiBaseUrl: string | null;
  readonly requestTimeoutMs: number;
  /** TWILIO_WORKSPACE_SID in production; set by provisioning in embedded mode. */
  readonly workspaceSid: string | null;
  /** Transient failures (429, 5xx, resets, timeouts) are retried as the provider's are (TWILIO_RETRY_BUDGET_MS). */
  readonly retry?: RetryPolicy;
  readonly onRetry?: (what: string, attempt: number, delayMs: number, err: unknown) => void;
}

function parseAttributes(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** A quoted value for a TaskRouter expression; SIDs never hold a quote, anything else is refused. */
export function exprValue(v: string): string {
  if (!/^[\w:+.@-]*$/.test(v)) throw new AppError('BAD_REQUEST', `cannot match ${JSON.stringify(v)} in a TaskRouter expression`);
  return `'${v}'`;
}

export class TaskRouterClient {
  readonly client: twilio.Twilio;
  private workspace: string | null;
  /**
   * Told of every task or reservation this server changes (once the write is answered or failed):
   * the grant cache drops what it kept of them at once, before TaskRouter's event arrives.
   */
  changed: ((sids: readonly string[]) => void) | null = null;

  constructor(private readonly o: TaskRouterOptions) {
    // The provider's transport (node:http/https keep-alive, no axios), unobserved: /metrics counts provider requests, not these.
    const httpClient = new LeanRequestClient({ timeout: o.requestTimeoutMs });
    this.client = twilio(o.accountSid, o.authToken, { region: '', edge: '', timeout: o.requestTimeoutMs, accountSid: o.accountSid, httpClient });
    if (o.apiBaseUrl !== null) this.client.taskrouter.baseUrl = o.apiBaseUrl;
    this.workspace = o.workspaceSid;
  }

  get workspaceSid(): string | null {
    return this.workspace;
  }

  set workspaceSid(sid: string | null) {
    this.workspace = sid;
  }

  /** The workspace's SDK context; without one (production without TWILIO_WORKSPACE_SID) nothing can be decided: refused. */
  ws() {
    if (this.workspace === null) {
      throw new AppError('FORBIDDEN', 'TWILIO_WORKSPACE_SID is not configured: no caller can be tied to a call through TaskRouter', {
        field: 'TWILIO_WORKSPACE_SID',
      });
    }
    return this.client.taskrouter.v1.workspaces(this.workspace);
  }

  /** One SDK operation, retried while it fails transiently; `safeToRepeat` false retries only answered 429/5xx. */
  private async run<T>(what: string, op: () => Promise<T>, safeToRepeat = true): Promise<T> {
    const once = async (): Promise<T> => {
      try {
        return await op();
      } catch (e) {
        if (e instanceof AppError) throw e;
        throw toProviderError(e, `TaskRouter: ${what}`);
      }
    };
    if (this.o.retry === undefined) return once();
    return withRetry(once, (e) => isTransientProviderError(e) && (safeToRepeat || (e instanceof ProviderError && e.twilioStatus !== null)), this.o.retry, {
      onRetry: (attempt, delay, e) => this.o.onRetry?.(`TaskRouter: ${what}`, attempt, delay, e),
    });
  }

  private task(t: { sid: string; assignmentStatus: string; attributes: string; taskQueueFriendlyName: string | null; reason: string | null }): TrTask {
    return {
      sid: t.sid,
      status: t.assignmentStatus as TaskStatus,
      attributes: parseAttributes(t.attributes),
      queueName: t.taskQueueFriendlyName,
      reason: t.reason,
    };
  }

  private reservation(r: { sid: string; taskSid: string; workerSid: string; workerName: string; reservationStatus: string }): TrReservation {
    return { sid: r.sid, taskSid: r.taskSid, workerSid: r.workerSid, workerName: r.workerName ?? null, status: r.reservationStatus as TrReservationStatus };
  }

  async createTask(workflowSid: string, attributes: Record<string, unknown>): Promise<TrTask> {
    // Not repeated after an unanswered attempt: it may have made the task, and a second one would ring twice.
    return this.run('create task', async () => this.task(await this.ws().tasks.create({ workflowSid, attributes: JSON.stringify(attributes) })), false);
  }

  async fetchTask(taskSid: string): Promise<TrTask> {
    return this.run(`fetch task ${taskSid}`, async () => this.task(await this.ws().tasks(taskSid).fetch()));
  }

  async updateTask(
    taskSid: string,
    change: { attributes?: Record<string, unknown>; status?: 'canceled' | 'wrapping' | 'completed'; reason?: string },
  ): Promise<TrTask> {
    return this.wrote([taskSid], () => this.updateTaskOnce(taskSid, change));
  }

  private async updateTaskOnce(
    taskSid: string,
    change: { attributes?: Record<string, unknown>; status?: 'canceled' | 'wrapping' | 'completed'; reason?: string },
  ): Promise<TrTask> {
    return this.run(`update task ${taskSid}`, async () =>
      this.task(
        await this.ws()
          .tasks(taskSid)
          .update({
            ...(change.attributes === undefined ? {} : { attributes: JSON.stringify(change.attributes) }),
            ...(change.status === undefined ? {} : { assignmentStatus: change.status }),
            ...(change.reason === undefined ? {} : { reason: change.reason }),
          }),
      ),
    );
  }

  /** Tasks in `statuses` whose attributes match `expression` (TaskRouter's `EvaluateTaskAttributes`). */
  async findTasks(expression: string, statuses: readonly TaskStatus[]): Promise<TrTask[]> {
    return this.run('list tasks', async () =>
      (await this.ws().tasks.list({ evaluateTaskAttributes: expression, assignmentStatus: [...statuses], limit: 1000 })).map((t) => this.task(t)),
    );
  }

  /** The task's reservations (of `workerSid` when given) in `statuses`; TaskRouter filters one status per list, so the rest is filtered here. */
  async taskReservations(taskSid: string, statuses?: readonly TrReservationStatus[], workerSid?: string): Promise<TrReservation[]> {
    return this.run(`list reservations of ${taskSid}`, async () =>
      (
        await this.ws()
          .tasks(taskSid)
          .reservations.list({ ...(workerSid === undefined ? {} : { workerSid }), limit: 1000 })
      )
        .map((r) => this.reservation(r))
        .filter((r) => statuses === undefined || statuses.includes(r.status)),
    );
  }

  async acceptReservation(
    taskSid: string,
    reservationSid: string,
    conference: { from: string; to: string; statusCallback: string } | null,
  ): Promise<TrReservation> {
    return this.wrote([taskSid, reservationSid], () => this.acceptOnce(taskSid, reservationSid, conference));
  }

  private async acceptOnce(
    taskSid: string,
    reservationSid: string,
    conference: { from: string; to: string; statusCallback: string } | null,
  ): Promise<TrReservation> {
    const accept = this.run(
      `accept reservation ${reservationSid}`,
      async () =>
        this.reservation(
          await this.ws()
            .tasks(taskSid)
            .reservations(reservationSid)
            .update(
              conference === null
                ? { reservationStatus: 'accepted' }
                : {
                    reservationStatus: 'accepted',
                    instruction: 'conference',
                    from: conference.from,
                    to: conference.to,
                    endConferenceOnExit: false,
                    statusCallback: conference.statusCallback,
                    statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
                  },
            ),
        ),
      // Not repeated after an unanswered attempt: a second conference instruction would dial the worker twice.
      false,
    );
    try {
      return await accept;
    } catch (e) {
      if (!(e instanceof ProviderError) || e.twilioStatus !== null) throw e;
      // No answer: it may have been accepted all the same; TaskRouter says which.
      const r = await this.run(`fetch reservation ${reservationSid}`, async () =>
        this.reservation(await this.ws().tasks(taskSid).reservations(reservationSid).fetch()),
      );
      if (r.status === 'accepted') return r;
      throw e;
    }
  }

  async rejectReservation(taskSid: string, reservationSid: string): Promise<TrReservation> {
    return this.wrote([taskSid, reservationSid], () =>
      this.run(
        `reject reservation ${reservationSid}`,
        async () => this.reservation(await this.ws().tasks(taskSid).reservations(reservationSid).update({ reservationStatus: 'rejected' })),
        false,
      ),
    );
  }

  /** A write to TaskRouter; `changed` hears of it whether it was answered or not (it may have happened). */
  private async wrote<T>(sids: readonly string[], op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } finally {
      this.changed?.(sids);
    }
  }

  /** Where the workspace sends its events (`EventCallbackUrl`) and which (`EventsFilter`; null: all), each null when unset. */
  async workspaceEvents(): Promise<{ url: string | null; filter: string | null }> {
    return this.run('fetch workspace', async () => {
      const w = await this.ws().fetch();
      return { url: w.eventCallbackUrl || null, filter: w.eventsFilter || null };
    });
  }

  /** Points the workspace's events at `url` (embedded mode's provisioning). */
  async setWorkspaceEventCallbackUrl(url: string): Promise<void> {
    await this.run('update workspace', async () => {
      await this.ws().update({ eventCallbackUrl: url });
    });
  }

  /** The worker of `identity`: FriendlyName is the identity and `contact_uri` is `client:<identity>` (both must hold). */
  async workerOf(identity: string): Promise<TrWorker | null> {
    return this.run(`find the worker of ${identity}`, async () => {
      const found = (await this.ws().workers.list({ friendlyName: identity, limit: 20 }))
        .map((w) => ({ sid: w.sid, friendlyName: w.friendlyName, attributes: parseAttributes(w.attributes) }))
        .filter((w) => w.friendlyName === identity && w.attributes['contact_uri'] === `client:${identity}`);
      return found[0] ?? null;
    });
  }

  async fetchWorker(workerSid: string): Promise<TrWorker> {
    return this.run(`fetch worker ${workerSid}`, async () => {
      const w = await this.ws().workers(workerSid).fetch();
      return { sid: w.sid, friendlyName: w.friendlyName, attributes: parseAttributes(w.attributes) };
    });
  }
}
