import { AppError, dualChannelApplies, type AppConfig, type TaskAttributes, type TaskStatus } from '@pause-recording/core';
import type { Logger } from 'pino';
import type { PauseLedger } from '../ledger/ledger.ts';
import type { User, UserDirectory } from '../auth/user-directory.ts';
import type { EventBus } from '../events/event-bus.ts';
import { isTransientProviderError, ProviderError } from '../provider/provider-errors.ts';
import type { TwilioProvider } from '../provider/twilio-provider.ts';
import { defaultSleep } from '../provider/retry.ts';
import type { RecordingService } from '../pause/recording-service.ts';
import { KeyedLock } from '../pause/keyed-lock.ts';
import { taskView, type TaskRecord, type TaskStore } from './task-store.ts';
import { requireHolder, requireOfferedTo, requireStatus } from './task-guards.ts';
import { conferenceTwiml } from './twiml.ts';
import { recordingStarted, startRecordings } from './start-recordings.ts';
import type { TaskRouterClient, TrTask } from '../taskrouter/taskrouter-client.ts';
import { EVERYONE_QUEUE, PREFERRED_WORKER } from '../taskrouter/provision.ts';

export const DEFAULT_QUEUE = EVERYONE_QUEUE;
const ENDED_CALL_STATUSES = new Set(['completed', 'busy', 'failed', 'no-answer', 'canceled']);

export interface ContactCenterDeps {
  readonly tasks: TaskStore;
  readonly provider: TwilioProvider;
  readonly recordingService: RecordingService;
  /** The only writer of audit rows (and, through the recording service, of recordings seen). */
  readonly ledger: PauseLedger;
  readonly bus: EventBus;
  readonly users: UserDirectory;
  readonly app: AppConfig;
  /** Base URL of this server as the engine reaches it (known once listening). */
  readonly publicUrl: () => string;
  readonly logger: Logger;
  /** How long accept waits for the conference, the agent's leg and the recordings. */
  readonly acceptWaitMs: number;
  /** TaskRouter (the engine's): tasks, reservations and workers live there; `tasks` is this server's view of them. */
  readonly router: TaskRouterClient;
  /** The workflow inbound calls enter (provisioned at start). */
  readonly workflowSid: () => string;
}

/**
 * The local contact center of embedded mode, a TaskRouter client as Flex is: each inbound call
 * becomes a TaskRouter task (attributes name `call_sid`, and the conference once known), the
 * workflow reserves an agent, accept accepts the reservation with the `conference` instruction
 * and starts the recordings config asks for; hang up wraps the task up; complete completes it.
 * `tasks` is this server's view of those tasks (what the desktop lists), keyed by TaskRouter's
 * task SID; who may act on a call is decided from TaskRouter itself (taskrouter/call-authority.ts).
 */
export class ContactCenter {
  private readonly lock = new KeyedLock();
  private readonly preferred = new Map<string, string[]>();
  private readonly waiters = new Map<string, ((t: TaskRecord) => void)[]>();

  constructor(private readonly d: ContactCenterDeps) {}

  private url(path: string): string {
    return `${this.d.publicUrl()}${path}`;
  }

  /** The next call from `from` goes to `agent` (the simulator's `agent` option). */
  preferAgent(from: string, agent: string): void {
    const q = this.preferred.get(from) ?? [];
    q.push(agent);
    this.preferred.set(from, q);
  }

  forgetPreference(from: string, agent: string): void {
    const q = this.preferred.get(from);
    const i = q?.lastIndexOf(agent) ?? -1;
    if (q !== undefined && i >= 0) q.splice(i, 1);
    if (q !== undefined && q.length === 0) this.preferred.delete(from);
  }

  /** Resolves with the task of `callSid` once the voice webhook has made it, or null after `ms`. */
  waitForTask(callSid: string, ms: number): Promise<TaskRecord | null> {
    const existing = this.d.tasks.byCallSid(callSid);
    if (existing !== null) return Promise.resolve(existing);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.set(
          callSid,
          (this.waiters.get(callSid) ?? []).filter((w) => w !== done),
        );
        resolve(null);
      }, ms);
      const done = (t: TaskRecord): void => {
        clearTimeout(timer);
        resolve(t);
      };
      this.waiters.set(callSid, [...(this.waiters.get(callSid) ?? []), done]);
    });
  }

  /** The voice webhook: make (or find) the TaskRouter task for this call and answer the TwiML that parks the caller. */
  inboundCall(p: { callSid: string; from: string; to: string }): Promise<string> {
    // One task per call, even when the webhook is retried while the first create is under way.
    return this.lock.run(`call:${p.callSid}`, async () => {
      let task = this.d.tasks.byCallSid(p.callSid);
      if (task === null) {
        const q = this.preferred.get(p.from);
        const agent = q?.shift();
        if (q !== undefined && q.length === 0) this.preferred.delete(p.from);
        const attributes = {
          call_sid: p.callSid,
          from: p.from,
          to: p.to,
          direction: 'inbound' as const,
          client_call: p.from.startsWith('client:'),
          ...(agent === undefined ? {} : { [PREFERRED_WORKER]: agent }),
        };
        const created = await this.d.router.createTask(this.d.workflowSid(), attributes);
        // The caller waits in a conference named after the task, as Flex names it.
        const local: TaskAttributes = {
          ...attributes,
          conference: { sid: null, friendly_name: created.sid, participants: { customer: p.callSid, worker: null } },
        };
        // A call routed to one agent waits in that agent's queue, the simulator's device: its queue of record stays Everyone.
        const queue = agent === undefined ? (created.queueName ?? DEFAULT_QUEUE) : DEFAULT_QUEUE;
        task = this.d.tasks.create({ sid: created.sid, queue, attributes: local });
        task = await this.syncOffer(task);
        for (const w of this.waiters.get(p.callSid) ?? []) w(task);
        this.waiters.delete(p.callSid);
      }
      return conferenceTwiml({
        name: task.attributes.conference.friendly_name,
        statusCallback: this.url('/webhooks/conference-status'),
        record: this.d.app.callRecordingEnabled,
        recordingStatusCallback: this.url('/webhooks/recording-status'),
      });
    });
  }

  /** The agent TaskRouter's workflow reserved a pending task for (its pending reservation), told to that agent. */
  private async syncOffer(task: TaskRecord): Promise<TaskRecord> {
    if (task.status !== 'pending') return task;
    const pending = (await this.d.router.taskReservations(task.routerTaskSid, ['pending']))[0];
    // Another path (an agent completing, say) may have offered the task while TaskRouter answered
    // this read: decide on the task as it is now, never publish the state read before.
    const current = this.mustGet(task.sid);
    if (current.status !== 'pending') return current;
    if (pending === undefined || pending.workerName === null) {
      this.publishTask(current);
      return current;
    }
    const offered = this.d.tasks.update(task.sid, { status: 'reserved', worker: pending.workerName });
    this.d.bus.publish({ type: 'task.offered', task: taskView(offered) }, { worker: pending.workerName });
    return offered;
  }

  /** Offers waiting tasks TaskRouter reserved once an agent became free. */
  private async dispatchPending(): Promise<void> {
    for (const t of this.d.tasks.list({ statuses: ['pending'] })) {
      await this.syncOffer(t).catch((e: unknown) => this.d.logger.warn({ err: e, taskSid: t.sid }, 'could not read the reservations of a waiting task'));
    }
  }

  /** Moves the TaskRouter task; a refusal is logged (the call is over either way). */
  private async routerMove(task: TaskRecord, status: 'canceled' | 'wrapping' | 'completed', reason: string): Promise<void> {
    try {
      await this.d.router.updateTask(task.routerTaskSid, { status, reason });
    } catch (e) {
      this.d.logger.warn({ err: e, taskSid: task.sid, status }, 'TaskRouter refused the task update');
    }
  }

  private publishTask(task: TaskRecord, alsoTo?: string | null): void {
    this.d.bus.publish({ type: 'task.updated', task: taskView(task) }, { worker: task.worker });
    if (alsoTo && alsoTo !== task.worker) this.d.bus.publish({ type: 'task.updated', task: taskView(task) }, { worker: alsoTo });
  }

  /** Conference status callback: learn the conference SID (and name it in the TaskRouter task); a conference that ends ends the task's call. */
  async conferenceEvent(p: Record<string, string>): Promise<void> {
    const name = p['FriendlyName'];
    const conferenceSid = p['ConferenceSid'];
    const event = p['StatusCallbackEvent'];
    const task = (name && this.d.tasks.byConference(name)) || (conferenceSid && this.d.tasks.byConference(conferenceSid)) || null;
    if (task === null || conferenceSid === undefined) return;
    let t = task;
    if (t.conferenceSid === null) {
      t = this.d.tasks.update(t.sid, {
        conferenceSid,
        attributes: { ...t.attributes, conference: { ...t.attributes.conference, sid: conferenceSid } },
      });
      await this.nameInRouter(t);
    }
    if (event === 'conference-end') await this.callEnded(t);
  }

  /** The TaskRouter task's attributes name the call, its legs and the conference (what authorization matches). */
  private async nameInRouter(t: TaskRecord): Promise<TrTask> {
    return this.d.router.updateTask(t.routerTaskSid, { attributes: { ...t.attributes } });
  }

  /** Call status callback (the number's and the agent leg's). */
  async callStatus(p: Record<string, string>): Promise<void> {
    const callSid = p['CallSid'];
    const status = p['CallStatus'];
    if (callSid === undefined || status === undefined || !ENDED_CALL_STATUSES.has(status)) return;
    const task = this.d.tasks.byCallSid(callSid);
    if (task === null) return;
    if (callSid === task.workerCallSid && task.status === 'assigned' && task.conferenceSid !== null) {
      // The agent's leg dropped: do not leave the caller alone in the conference.
      this.d.provider
        .endConference(task.conferenceSid)
        .catch((e: unknown) => this.d.logger.warn({ err: e, taskSid: task.sid }, 'could not end the conference'));
    }
    await this.callEnded(task);
  }

  private async callEnded(task: TaskRecord): Promise<void> {
    // Under the task's recording lock: a pause under way settles first and is then closed here.
    await this.d.recordingService.exclusive(task.sid, () => this.d.recordingService.taskEnded(task));
    // Decided from the task as it is once the ledger has answered (a remote ledger takes a while):
    // meanwhile the agent may have hung up and completed it, which a stale status would undo.
    const status = this.d.tasks.get(task.sid)?.status ?? task.status;
    let next: TaskStatus | null = null;
    if (status === 'pending' || status === 'reserved') next = 'canceled';
    if (status === 'assigned') next = 'wrapping';
    if (next === null) return;
    await this.routerMove(task, next === 'canceled' ? 'canceled' : 'wrapping', 'the call ended');
    const t = this.d.tasks.update(task.sid, { status: next });
    this.publishTask(t);
    if (next === 'canceled') await this.dispatchPending();
  }

  private async auditTask(
    action: 'task-accept' | 'task-reject' | 'task-hold' | 'task-transfer' | 'task-hangup' | 'task-complete',
    task: TaskRecord,
    user: User,
    outcome: 'ok' | 'failed',
    details: Record<string, unknown> = {},
  ): Promise<void> {
    await this.d.ledger.append({
      action,
      outcome,
      actor: user.identity,
      role: user.role,
      taskSid: task.sid,
      callSid: task.attributes.call_sid,
      conferenceSid: task.conferenceSid,
      recordingSids: [],
      details,
    });
  }

  accept(taskSid: string, user: User): Promise<TaskRecord> {
    return this.lock.run(taskSid, async () => {
      const task = this.mustGet(taskSid);
      requireOfferedTo(task, user);
      requireStatus(task, ['reserved'], 'accept');
      try {
        const accepted = await this.connectAgent(task, user);
        await this.auditTask('task-accept', accepted, user, 'ok');
        return accepted;
      } catch (e) {
        await this.auditTask('task-accept', this.mustGet(taskSid), user, 'failed', { error: e instanceof Error ? e.message : String(e) });
        throw e;
      }
    });
  }

  private async conferenceSidOf(task: TaskRecord): Promise<string> {
    const deadline = Date.now() + this.d.acceptWaitMs;
    for (;;) {
      const cur = this.mustGet(task.sid);
      if (cur.conferenceSid !== null) return cur.conferenceSid;
      const found = await this.d.provider.findConference(task.attributes.conference.friendly_name).catch((e: unknown) => {
        // A slow or failed look-up is not an answer: keep asking until the deadline.
        if (isTransientProviderError(e) && Date.now() < deadline) return null;
        throw e;
      });
      if (found !== null) {
        await this.conferenceEvent({ FriendlyName: task.attributes.conference.friendly_name, ConferenceSid: found, StatusCallbackEvent: 'found' });
        return found;
      }
      if (Date.now() >= deadline) {
        throw new AppError('UPSTREAM_TIMEOUT', `the caller of task ${task.sid} never reached its conference`, { field: 'taskSid' });
      }
      await defaultSleep(50);
    }
  }

  /** The pending reservation TaskRouter offered `identity` on this task; 409 when there is none (anymore). */
  private async pendingReservationOf(task: TaskRecord, identity: string): Promise<string> {
    const worker = await this.d.router.workerOf(identity);
    const r = worker === null ? undefined : (await this.d.router.taskReservations(task.routerTaskSid, ['pending'], worker.sid))[0];
    if (r === undefined) {
      throw new AppError('CONFLICT', `task ${task.sid} has no pending TaskRouter reservation for ${identity}`, { field: 'taskSid' });
    }
    return r.sid;
  }

  private async connectAgent(task: TaskRecord, user: User): Promise<TaskRecord> {
    const reservationSid = await this.pendingReservationOf(task, user.identity);
    const conferenceSid = await this.conferenceSidOf(task);
    // Accepting with the `conference` instruction: TaskRouter dials the worker's contact_uri into the caller's conference.
    await this.d.router.acceptReservation(task.routerTaskSid, reservationSid, {
      from: task.attributes.to,
      to: `client:${user.identity}`,
      statusCallback: this.url('/webhooks/call-status'),
    });
    const legSid = await this.d.provider.participantCallSid(conferenceSid, 'worker');
    let t = this.mustGet(task.sid);
    // Still `reserved` while connecting: the task becomes `assigned` (and pausable) only once its
    // recordings run, so no pause can slip in before a recording that would then capture.
    t = this.d.tasks.update(t.sid, {
      workerCallSid: legSid,
      attributes: {
        ...t.attributes,
        conference: { ...t.attributes.conference, participants: { ...t.attributes.conference.participants, worker: legSid } },
      },
    });
    await this.nameInRouter(t);
    // The agent's leg is answered shortly after the create returns; recording it earlier gets 21220.
    await this.d.provider.waitForCallInProgress(legSid, this.d.acceptWaitMs);
    await startRecordings(this.d, (path) => this.url(path), t, user);
    const now = this.mustGet(t.sid);
    if (now.status !== 'reserved') return now; // the caller left meanwhile
    t = this.d.tasks.update(t.sid, { status: 'assigned' });
    this.publishTask(t);
    return t;
  }

  reject(taskSid: string, user: User): Promise<TaskRecord> {
    return this.lock.run(taskSid, async () => {
      const task = this.mustGet(taskSid);
      requireOfferedTo(task, user);
      requireStatus(task, ['reserved'], 'reject');
      // TaskRouter re-offers the task to the next free worker (never again to this one).
      await this.d.router.rejectReservation(task.routerTaskSid, await this.pendingReservationOf(task, user.identity));
      let attributes = task.attributes;
      if (PREFERRED_WORKER in attributes) {
        // Declined by the agent it was routed to: the workflow routes it to everyone else now.
        const { [PREFERRED_WORKER]: _declined, ...rest } = attributes;
        attributes = rest as TaskAttributes;
        await this.d.router.updateTask(task.routerTaskSid, { attributes: { ...attributes } });
      }
      const t = this.d.tasks.update(task.sid, { status: 'pending', worker: null, rejectedBy: [...task.rejectedBy, user.identity], attributes });
      await this.auditTask('task-reject', t, user, 'ok');
      this.publishTask(t, user.identity);
      return this.syncOffer(t);
    });
  }

  /** Puts the customer on hold or back (the Participants API's `Hold`); `customer_on_hold` tells the desktop. */
  hold(taskSid: string, user: User, hold: boolean): Promise<TaskRecord> {
    return this.lock.run(taskSid, async () => {
      const task = this.mustGet(taskSid);
      requireHolder(task, user, hold ? 'hold' : 'unhold');
      requireStatus(task, ['assigned'], hold ? 'hold' : 'unhold');
      try {
        await this.d.provider.setHold(task.conferenceSid as string, task.attributes.call_sid, hold);
      } catch (e) {
        await this.auditTask('task-hold', task, user, 'failed', { hold, error: e instanceof Error ? e.message : String(e) });
        throw e;
      }
      const t = this.d.tasks.update(task.sid, { attributes: { ...task.attributes, customer_on_hold: hold } });
      await this.auditTask('task-hold', t, user, 'ok', { hold });
      this.publishTask(t);
      return t;
    });
  }

  /**
   * Hands the live call to agent `to`: their leg joins the conference, then the current agent's
   * leg leaves. The conference recording carries on as it is (paused or not). A dual-channel
   * recording of the worker leg starts on the new leg at once, or, while the task is paused, is
   * deferred to the resume, so nothing of the paused span is captured.
   */
  transfer(taskSid: string, user: User, to: string): Promise<TaskRecord> {
    return this.lock.run(taskSid, () =>
      this.d.recordingService.exclusive(taskSid, async () => {
        const task = this.mustGet(taskSid);
        requireHolder(task, user, 'transfer');
        if (this.d.users.get(to)?.role !== 'agent') {
          throw new AppError('INVALID_PARAMETER', `to: must be the identity of an agent (${this.d.users.agents().join(', ')})`, { field: 'to' });
        }
        requireStatus(task, ['assigned'], 'transfer');
        if (to === task.worker) throw new AppError('CONFLICT', `to: ${to} already has task ${task.sid}`, { field: 'to' });
        const from = task.worker;
        const oldLeg = task.workerCallSid;
        const conferenceSid = task.conferenceSid as string;
        // In TaskRouter a transfer is a new task for the same call, routed to `to` and accepted for
        // them; the old task is completed once their leg is in, which ends `from`'s reservation.
        const handOver = await this.transferTask(task, to);
        try {
          const leg = await this.d.provider.addParticipant(conferenceSid, {
            from: task.attributes.to,
            to: `client:${to}`,
            label: 'worker',
            startConferenceOnEnter: true,
            endConferenceOnExit: false,
            statusCallback: this.url('/webhooks/call-status'),
          });
          await this.d.provider.waitForCallInProgress(leg.callSid, this.d.acceptWaitMs);
          let t = this.d.tasks.update(task.sid, {
            worker: to,
            workerCallSid: leg.callSid,
            routerTaskSid: handOver,
            attributes: {
              ...task.attributes,
              conference: { ...task.attributes.conference, participants: { ...task.attributes.conference.participants, worker: leg.callSid } },
            },
          });
          await this.nameInRouter(t);
          await this.d.router.updateTask(task.routerTaskSid, { status: 'completed', reason: `transferred to ${to}` });
          const dual = this.d.app.dualChannelRecording;
          if (dual.channel === 'worker' && dualChannelApplies(dual, t)) {
            // The state as it was before the hand-over: the old leg (and its recording) is still in
            // the call. Read through the new leg alone, a paused recording of the old leg would
            // not count and the new leg would be recorded during the pause.
            const state = await this.d.recordingService.getState(task);
            if (state.status === 'paused' || state.status === 'partially-paused' || state.deferred !== undefined) {
              await this.d.recordingService.deferRecording(t.sid, leg.callSid);
            } else {
              const startedAt = Date.now();
              const rec = await this.d.provider.createCallRecording(
                leg.callSid,
                { channels: 'dual', statusCallback: this.url('/webhooks/recording-status') },
                { waitMs: this.d.acceptWaitMs, notInProgressRetryMs: 100 },
              );
              await recordingStarted(this.d, t, user, rec, startedAt, { channel: dual.channel, callSid: leg.callSid, via: 'transfer' });
            }
          }
          if (oldLeg !== null) await this.d.provider.removeParticipant(conferenceSid, oldLeg);
          t = this.mustGet(t.sid);
          await this.auditTask('task-transfer', t, user, 'ok', { from, to });
          this.publishTask(t, from);
          this.d.recordingService.publishState(t, await this.d.recordingService.getState(t));
          return t;
        } catch (e) {
          if (this.mustGet(taskSid).routerTaskSid !== handOver) await this.routerMove({ ...task, routerTaskSid: handOver }, 'completed', 'transfer failed');
          await this.auditTask('task-transfer', this.mustGet(taskSid), user, 'failed', { from, to, error: e instanceof Error ? e.message : String(e) });
          throw e;
        }
      }),
    );
  }

  /** The TaskRouter task that takes the call over for `to`, accepted for them; 409 when TaskRouter does not reserve `to` (busy, say). */
  private async transferTask(task: TaskRecord, to: string): Promise<string> {
    const created = await this.d.router.createTask(this.d.workflowSid(), { ...task.attributes, [PREFERRED_WORKER]: to, transfer_of: task.sid });
    const reservation = (await this.d.router.taskReservations(created.sid, ['pending']))[0];
    if (reservation === undefined || reservation.workerName !== to) {
      await this.routerMove({ ...task, routerTaskSid: created.sid }, 'canceled', `${to} could not take the transfer`);
      throw new AppError('CONFLICT', `to: ${to} is busy with another task`, { field: 'to' });
    }
    // Accepted without an instruction: the server adds their leg through the Participants API.
    await this.d.router.acceptReservation(created.sid, reservation.sid, null);
    return created.sid;
  }

  hangup(taskSid: string, user: User): Promise<TaskRecord> {
    return this.lock.run(taskSid, async () => {
      const task = this.mustGet(taskSid);
      requireHolder(task, user, 'hang up');
      requireStatus(task, ['assigned'], 'hang up');
      let alreadyEnded = false;
      try {
        if (task.conferenceSid !== null) await this.d.provider.endConference(task.conferenceSid);
        else await this.d.provider.hangupCall(task.attributes.call_sid);
      } catch (e) {
        // The provider no longer knows the call as live (e.g. the voice engine restarted after a
        // crash and finished it): it is over, so the agent must be able to wrap up.
        if (e instanceof ProviderError && e.code === 'NOT_FOUND') alreadyEnded = true;
        else {
          await this.auditTask('task-hangup', task, user, 'failed', { error: e instanceof Error ? e.message : String(e) });
          throw e;
        }
      }
      await this.auditTask('task-hangup', task, user, 'ok', alreadyEnded ? { alreadyEnded } : {});
      await this.callEnded(this.mustGet(taskSid));
      return this.mustGet(taskSid);
    });
  }

  complete(taskSid: string, user: User): Promise<TaskRecord> {
    return this.lock.run(taskSid, async () => {
      const task = this.mustGet(taskSid);
      requireHolder(task, user, 'complete');
      requireStatus(task, ['wrapping'], 'complete');
      // TaskRouter first: once its reservation is completed, the agent may no longer act on the call.
      await this.d.router.updateTask(task.routerTaskSid, { status: 'completed', reason: `completed by ${user.identity}` });
      const t = this.d.tasks.update(task.sid, { status: 'completed' });
      await this.auditTask('task-complete', t, user, 'ok');
      this.publishTask(t);
      await this.dispatchPending();
      return t;
    });
  }

  mustGet(taskSid: string): TaskRecord {
    const t = this.d.tasks.get(taskSid);
    if (t === null) throw new AppError('NOT_FOUND', `no task ${taskSid}`, { field: 'taskSid' });
    return t;
  }
}
