import {
  aggregateRecordingStatus,
  AppError,
  needsReread,
  pauseBehaviorFor,
  pauseSchedule,
  planChange,
  planPhase2,
  settleChange,
  settleSingleChange,
  startResultOf,
  updateResultOf,
  type AppConfig,
  type AuditEntry,
  type AuditEvent,
  type Listing,
  type PauseBehavior,
  type PausePolicy,
  type RecordingFailure,
  type RecordingSummary,
  type RecordingUpdate,
  type StartResult,
  type TaskRecordingState,
  type UpdateResult,
} from '@pause-recording/core';
import type { Logger } from 'pino';
import type { EventBus } from '../events/event-bus.ts';
import type { LedgerView, LedgerWrite, PauseLedger, TaskRef } from '../ledger/ledger.ts';
import { ProviderError, toProviderError } from '../provider/provider-errors.ts';
import type { ProviderRecording, RecordingOwner, TwilioProvider } from '../provider/twilio-provider.ts';
import type { TaskRecord, TaskStore } from '../tasks/task-store.ts';
import { SYSTEM_ACTOR, type Actor } from './actor.ts';
import { KeyedLock, type TaskLock } from './keyed-lock.ts';
import { PauseBook } from './pause-book.ts';

export interface OwnedRecording extends ProviderRecording {
  readonly owner: RecordingOwner;
}

export interface RecordingServiceDeps {
  readonly provider: TwilioProvider;
  readonly ledger: PauseLedger;
  readonly bus: EventBus;
  readonly config: AppConfig;
  readonly logger: Logger;
  readonly tasks: TaskStore;
  /** URL for recording status callbacks of recordings this service starts (deferred ones). */
  readonly recordingStatusCallback: () => string;
  readonly now?: () => number;
  /** Per-task mutual exclusion (default in process; PostgreSQL advisory locks when instances share a database). */
  readonly lock?: TaskLock;
  /** Counts each change by outcome, and reminders (for /metrics). */
  readonly metrics?: { change(action: 'pause' | 'resume' | 'auto-resume', outcome: string): void; reminder(): void };
}

/** Provider requests one pause or resume made, and how many of them had to wait for another (issue 13). */
export interface ProviderRounds {
  readonly requests: number;
  /** Sequential round trips: 1 when every recording was known, 2 when the listing revealed one. */
  readonly depth: number;
}

export function failureOf(sid: string, e: unknown): RecordingFailure {
  const pe = e instanceof ProviderError ? e : toProviderError(e, `recording ${sid}`);
  return { recordingSid: sid, code: pe.code, message: pe.message, twilioErrorCode: pe.twilioErrorCode };
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/**
 * Task-level pause and resume: the imperative shell around the pure orchestration core. A change
 * plans with core, asks the provider (phase 1 in parallel with the listing; phase 2 only for
 * recordings the listing revealed), settles with core, and stores the settlement in the ledger in
 * one call. The provider's word decides the answer: `paused` only when every active recording is
 * confirmed paused.
 */
export class RecordingService {
  private readonly lock: TaskLock;
  private readonly now: () => number;
  /** Open pauses, their timers, and the settlements storage refused (retried until they land). */
  readonly book: PauseBook;
  /** The provider requests of the last pause or resume of each task (for the log and tests). */
  readonly rounds = new Map<string, ProviderRounds>();

  constructor(private readonly d: RecordingServiceDeps) {
    this.now = d.now ?? Date.now;
    this.lock = d.lock ?? new KeyedLock();
    this.book = new PauseBook({
      ...d,
      now: this.now,
      stateLocked: (task) => this.lock.run(task.sid, () => this.getState(task)),
      autoResume: (task) => this.resume(task, SYSTEM_ACTOR, true),
    });
  }

  get ledger(): PauseLedger {
    return this.d.ledger;
  }

  get pauseBehavior(): PauseBehavior {
    return pauseBehaviorFor(this.d.config.pauseRecording.includeSilence);
  }

  get policy(): PausePolicy {
    return { reminderSeconds: this.d.config.pauseRecording.reminderSeconds, maxPauseSeconds: this.d.config.pauseRecording.maxPauseSeconds };
  }

  static legsOf(task: TaskRecord): string[] {
    return [...new Set([task.attributes.call_sid, task.workerCallSid].filter((s): s is string => s !== null))];
  }

  static refOf(task: TaskRecord): TaskRef {
    return { sid: task.sid, callSid: task.attributes.call_sid, conferenceSid: task.conferenceSid, legs: RecordingService.legsOf(task) };
  }

  /** What the core decides from: the ledger's view, with a pause kept in memory while storage refused it. */
  async viewOf(task: TaskRecord): Promise<LedgerView> {
    const view = await this.d.ledger.view(RecordingService.refOf(task));
    const open = await this.book.openPauseOf(task.sid);
    if (open === null || open.id > 0) return view;
    const { pausedAt, pausedBy, role, behavior, reminderAt, autoResumeAt, reminderFired } = open;
    return { ...view, pause: { pausedAt, pausedBy, role, behavior, reminderAt, autoResumeAt, reminderFired } };
  }

  /** Every recording of the task's calls and conference, as the provider reports them now. */
  async listTaskRecordings(task: TaskRecord): Promise<OwnedRecording[]> {
    const lists = await Promise.all([
      ...RecordingService.legsOf(task).map(async (callSid) =>
        (await this.d.provider.listCallRecordings(callSid)).map((r): OwnedRecording => ({ ...r, owner: { kind: 'call', callSid } })),
      ),
      task.conferenceSid === null
        ? Promise.resolve([] as OwnedRecording[])
        : this.d.provider
            .listConferenceRecordings(task.conferenceSid)
            .then((rs) => rs.map((r): OwnedRecording => ({ ...r, owner: { kind: 'conference', conferenceSid: task.conferenceSid as string } }))),
    ]);
    const bySid = new Map<string, OwnedRecording>();
    for (const r of lists.flat()) bySid.set(r.sid, r);
    return [...bySid.values()];
  }

  /** How many provider requests one listing of the task costs. */
  private listingRequests(task: TaskRecord): number {
    return RecordingService.legsOf(task).length + (task.conferenceSid === null ? 0 : 1);
  }

  /** As `listTaskRecordings`, and keeps what was seen (write paths only: reads never write). */
  async listAndRemember(task: TaskRecord): Promise<OwnedRecording[]> {
    const all = await this.listTaskRecordings(task);
    await this.remember(all, task.sid);
    return all;
  }

  /** Records recordings the server started or saw, through the ledger (kept to retry when storage refuses). */
  async remember(recs: readonly ProviderRecording[], taskSid: string | null, firstSeenAt?: number, key = taskSid ?? 'recordings'): Promise<void> {
    if (recs.length === 0) return;
    await this.book.store(key, { taskSid, remember: recs, ...(firstSeenAt === undefined ? {} : { firstSeenAt }) }, 'recordings seen');
  }

  async buildState(task: TaskRecord, recs: readonly RecordingSummary[], failures: readonly RecordingFailure[] = []): Promise<TaskRecordingState> {
    const deferred = await this.d.ledger.deferredLegs(task.sid);
    let status = aggregateRecordingStatus([...recs.map((r) => r.status), ...deferred.map(() => 'paused' as const)]);
    const open = await this.book.openPauseOf(task.sid);
    // Set capturing again outside the server while the agent's pause stands: meant to be paused, not paused.
    if (status === 'recording' && open !== null && this.book.isContradicted(open)) status = 'partially-paused';
    const pause = status === 'paused' || status === 'partially-paused' ? open : null;
    return {
      taskSid: task.sid,
      status,
      recordings: recs
        .filter((r) => r.status === 'in-progress' || r.status === 'paused')
        .map((r) => ({ sid: r.sid, status: r.status, source: r.source, channels: r.channels, callSid: r.callSid, conferenceSid: r.conferenceSid })),
      pausedAt: iso(pause?.pausedAt ?? null),
      pausedBy: pause?.pausedBy ?? null,
      pauseBehavior: pause?.behavior ?? null,
      reminderAt: iso(pause?.reminderAt ?? null),
      autoResumeAt: iso(pause?.autoResumeAt ?? null),
      failures,
      capturing: status === 'partially-paused' ? recs.filter((r) => r.status === 'in-progress').map((r) => r.sid) : [],
      ...(deferred.length === 0 ? {} : { deferred: deferred.map((d) => ({ callSid: d.callSid, channels: d.channels })) }),
    };
  }

  /** Runs `op` with the task's recordings locked: no pause or resume of the task runs meanwhile. */
  exclusive<T>(taskSid: string, op: () => Promise<T>): Promise<T> {
    return this.lock.run(taskSid, op);
  }

  /**
   * Marks the dual-channel recording of `callSid` to start when the task resumes. It replaces a
   * leg deferred earlier: a second transfer while paused hands the worker's recording to the new leg.
   */
  async deferRecording(taskSid: string, callSid: string): Promise<void> {
    const earlier = (await this.d.ledger.deferredLegs(taskSid)).map((d) => d.callSid).filter((sid) => sid !== callSid);
    await this.book.store(taskSid, { taskSid, undefer: earlier, defer: [{ callSid, channels: 2, ready: true }] }, 'deferred leg');
  }

  async getState(task: TaskRecord): Promise<TaskRecordingState> {
    return this.buildState(task, await this.listTaskRecordings(task));
  }

  /** Pauses every active recording of the task; `reason` is kept in the audit and the annotations. */
  pause(task: TaskRecord, actor: Actor, reason = 'manual'): Promise<TaskRecordingState> {
    return this.lock.run(task.sid, () => this.change(task, actor, 'pause', reason));
  }

  /**
   * Resumes a task that is paused as the ledger knows it, else pauses — so a partial pause (a
   * recording still capturing: its update failed, or it was set capturing again outside the
   * server) is paused, never resumed. Decided under the task's lock from the ledger, which every
   * pause, resume, status callback and reconcile keeps in step with the provider: the change
   * itself is the only provider round trip, and two presses in a row flip twice.
   */
  toggle(task: TaskRecord, actor: Actor, reason = 'manual'): Promise<TaskRecordingState> {
    return this.lock.run(task.sid, async () => {
      const view = await this.viewOf(task);
      const open = await this.book.openPauseOf(task.sid);
      const paused = view.pause !== null && !view.known.some((r) => r.status === 'in-progress') && !(open !== null && this.book.isContradicted(open));
      return this.change(task, actor, paused ? 'resume' : 'pause', reason);
    });
  }

  resume(task: TaskRecord, actor: Actor, auto = false, reason = 'manual'): Promise<TaskRecordingState> {
    return this.lock.run(task.sid, () => this.change(task, actor, auto ? 'auto-resume' : 'resume', auto ? 'max_pause_seconds' : reason));
  }

  private listing(task: TaskRecord): Promise<Listing> {
    return this.listTaskRecordings(task).then(
      (recordings) => ({ ok: true as const, recordings }),
      (e: unknown) => {
        this.d.logger.warn({ err: e, taskSid: task.sid }, 'could not list the recordings of the task');
        return { ok: false as const, failure: failureOf('', e) };
      },
    );
  }

  private updates(task: TaskRecord, action: string, us: readonly RecordingUpdate[]): Promise<UpdateResult[]> {
    return Promise.all(
      us.map((u) =>
        this.d.provider.updateRecording(u.owner, u.sid, u.status, u.pauseBehavior).then(
          (after): UpdateResult => ({ sid: u.sid, kind: 'ok', after: { ...after, owner: u.owner, at: this.now() } }),
          (e: unknown) => {
            this.d.logger.warn({ err: e, recordingSid: u.sid, taskSid: task.sid }, `${action} of a recording failed`);
            return updateResultOf(u.sid, failureOf(u.sid, e));
          },
        ),
      ),
    );
  }

  /** Writes the pending audit before the provider is asked; a refusal is a truthful 503 and nothing changes. */
  private async begin(task: TaskRecord, view: LedgerView, entry: AuditEntry, known: readonly ProviderRecording[]): Promise<AuditEvent> {
    try {
      return await this.d.ledger.begin(entry);
    } catch (e) {
      if (!this.d.ledger.isUnavailable(e)) throw e;
      const state = await this.buildState(task, known.length > 0 ? known : view.known);
      throw new AppError(
        'STORAGE_UNAVAILABLE',
        `nothing was changed: the audit could not be written before asking the provider (${e.message}); the recordings of task ${task.sid} are still ${describeStatus(state)}`,
        { details: { state } },
      );
    }
  }

  private async change(task: TaskRecord, actor: Actor, action: 'pause' | 'resume' | 'auto-resume', reason: string): Promise<TaskRecordingState> {
    task = this.d.tasks.get(task.sid) ?? task;
    await this.book.retry(task.sid);
    const view = await this.viewOf(task);
    const behavior = this.pauseBehavior;
    const plan = planChange({ action, ledger: view, actor, reason, behavior });
    let pending: AuditEvent | null = plan.audit === null ? null : await this.begin(task, view, plan.audit, []);

    // Phase 1: what the ledger knows, updated while the task's recordings are listed (one round trip).
    let requests = plan.updates.length + plan.starts.length + this.listingRequests(task);
    let depth = 1;
    const [updates1, starts, listing] = await Promise.all([
      this.updates(task, action, plan.updates),
      Promise.all(
        plan.starts.map((s) =>
          this.d.provider
            .createCallRecording(s.callSid, { channels: s.channels === 2 ? 'dual' : 'mono', statusCallback: this.d.recordingStatusCallback() })
            .then(
              (r): StartResult => ({ callSid: s.callSid, kind: 'ok', recording: { ...r, owner: { kind: 'call', callSid: s.callSid }, at: this.now() } }),
              (e: unknown) => {
                this.d.logger.warn({ err: e, taskSid: task.sid, callSid: s.callSid }, 'could not start the deferred recording');
                return startResultOf(s.callSid, failureOf('', e));
              },
            ),
        ),
      ),
      this.listing(task),
    ]);

    // Phase 2: only what the listing revealed that the ledger did not know.
    const phase2 = planPhase2(plan, listing, { starts, updates: updates1 });
    if (phase2.audit !== null) pending = await this.begin(task, view, phase2.audit, listing.ok ? (listing.recordings as OwnedRecording[]) : []);
    let updates = updates1;
    if (phase2.updates.length > 0) {
      requests += phase2.updates.length;
      depth += 1;
      updates = [...updates1, ...(await this.updates(task, action, phase2.updates))];
    }
    // A failed or lost update may still have happened: ask the provider what is true now.
    let reread: Listing | undefined;
    if (needsReread(updates, starts, listing)) {
      requests += this.listingRequests(task);
      depth += 1;
      reread = await this.listing(task);
    }
    const rounds = { requests, depth };
    this.rounds.set(task.sid, rounds);
    const s = settleChange({ plan, phase2, listing, updates, starts, ...(reread === undefined ? {} : { reread }), now: this.now(), policy: this.policy });

    // One ledger call stores the settlement; kept whole to retry when storage refuses it.
    this.book.writes.begin(task.sid);
    await this.book.store(task.sid, {
      taskSid: task.sid,
      remember: s.remember,
      spans: s.spans,
      pause: s.pause,
      undefer: s.startedLegs,
      complete: pending !== null && s.complete !== null ? { eventId: pending.id, ...s.complete } : null,
      append: s.append === null ? [] : [s.append],
    });
    const storageError = this.book.writes.error(task.sid);
    this.d.metrics?.change(action, s.complete?.outcome ?? s.append?.outcome ?? (s.error !== null ? 'failed' : pending === null ? 'noop' : 'ok'));
    this.d.logger.info(
      { taskSid: task.sid, action, status: s.status, providerRequests: rounds.requests, providerDepth: rounds.depth },
      'recording change settled',
    );

    const state = s.state;
    this.publishState(task, state, action);
    if (storageError !== null) throw await this.storageFailure(task.sid, state, storageError, pending?.id ?? null);
    if (s.error !== null) {
      throw new AppError(s.error.code, s.error.message, { ...(s.error.field === undefined ? {} : { field: s.error.field }), details: { state } });
    }
    return state;
  }

  /** The 503 that says what is true at the provider although storage refused to record it. */
  async storageFailure(taskSid: string, state: TaskRecordingState, e: Error, auditEventId: number | null): Promise<AppError> {
    const p = await this.book.openPauseOf(taskSid).catch(() => null);
    const armed = p?.autoResumeAt != null ? `; the auto-resume stays armed for ${iso(p.autoResumeAt)}` : '';
    const audit = auditEventId === null ? 'it could not be fully recorded' : `the audit (event ${auditEventId}, pending) could not be completed`;
    return new AppError(
      'STORAGE_UNAVAILABLE',
      `the recordings of task ${taskSid} are ${describeStatus(state)} at the provider, but ${audit}: ${e.message}. The server retries the record when storage is back${armed}`,
      { details: { state, auditEventId, auditOutcome: 'pending' } },
    );
  }

  publishState(task: TaskRecord, state: TaskRecordingState, action?: string): void {
    const audience = { worker: task.worker };
    this.d.bus.publish({ type: 'recording.state', taskSid: task.sid, state }, audience);
    if (state.status === 'partially-paused') {
      this.d.bus.publish({ type: 'recording.alarm', taskSid: task.sid, state, capturing: state.capturing }, audience);
    }
    if (action === 'auto-resume') this.d.bus.publish({ type: 'recording.auto-resumed', taskSid: task.sid, state }, audience);
  }

  /**
   * After a single-recording change from a seed route (the caller holds the task's lock when
   * there is a task): the span and the task's pause record, decided by core's
   * `settleSingleChange` and stored in one ledger call. The first storage error, or null (the rest
   * is kept to retry).
   */
  async afterSingleChange(
    task: TaskRecord | null,
    actor: Actor,
    rec: ProviderRecording,
    change: 'pause' | 'resume',
    behavior: PauseBehavior,
    key: string,
    complete?: LedgerWrite['complete'],
  ): Promise<Error | null> {
    const now = this.now();
    const view: LedgerView =
      task !== null
        ? await this.viewOf(task)
        : { taskSid: '', callSid: null, conferenceSid: null, known: [], deferred: [], pause: null, pauseId: null, openSpans: await this.openSpanOf(rec.sid) };
    const listing = task === null ? undefined : await this.listing(task);
    const owner: RecordingOwner =
      rec.callSid !== null ? { kind: 'call', callSid: rec.callSid } : { kind: 'conference', conferenceSid: rec.conferenceSid ?? '' };
    const s = settleSingleChange({
      ledger: view,
      actor,
      change,
      behavior,
      recording: { ...rec, owner },
      ...(listing === undefined ? {} : { listing }),
      now,
      policy: this.policy,
    });
    await this.book.store(key, {
      taskSid: task?.sid ?? null,
      remember: s.remember,
      spans: { open: s.spans.open.map((o) => ({ ...o, taskSid: task?.sid ?? '' })), close: s.spans.close },
      pause: s.pause,
      ...(complete === undefined ? {} : { complete }),
    });
    if (task !== null && listing?.ok === true) this.publishState(task, await this.buildState(task, listing.recordings as OwnedRecording[]));
    return this.book.writes.error(key);
  }

  private async openSpanOf(recordingSid: string): Promise<LedgerView['openSpans']> {
    return (await this.d.ledger.spans(recordingSid)).filter((s) => s.resumedAt === null).map((s) => ({ recordingSid, pausedAt: s.pausedAt }));
  }

  /**
   * Records what an action left pending by an earlier process did (found at restart): the spans
   * and the pause record of a pause that reached the provider, or their end after a resume.
   */
  async adopt(
    task: TaskRecord,
    actor: Actor,
    action: 'pause' | 'resume',
    sids: readonly string[],
    at: number,
    complete: LedgerWrite['complete'],
  ): Promise<void> {
    const view = await this.viewOf(task);
    const open = new Set(view.openSpans.map((s) => s.recordingSid));
    const behavior = this.pauseBehavior;
    await this.book.store(task.sid, {
      taskSid: task.sid,
      complete,
      spans:
        action === 'resume'
          ? { open: [], close: sids.filter((sid) => open.has(sid)).map((sid) => ({ recordingSid: sid, resumedAt: at, resumedBy: actor.identity })) }
          : {
              open: sids.map((sid) => ({
                recordingSid: sid,
                taskSid: task.sid,
                pausedAt: at,
                behavior,
                pausedBy: actor.identity,
                role: actor.role,
                reason: 'recovered',
              })),
              close: [],
            },
      pause:
        action === 'pause' && sids.length > 0
          ? {
              kind: 'open',
              pause: { pausedAt: at, pausedBy: actor.identity, role: actor.role, behavior, reminderFired: false, ...pauseSchedule(at, this.policy) },
            }
          : { kind: 'none' },
    });
  }

  publishAlarm(task: TaskRecord, state: TaskRecordingState, capturing: readonly string[]): void {
    this.d.bus.publish({ type: 'recording.alarm', taskSid: task.sid, state, capturing }, { worker: task.worker });
  }

  /** The task's call ended: no recording captures any more, so its pause, spans and deferred legs end too. */
  async taskEnded(task: TaskRecord): Promise<void> {
    this.book.forget(task.sid);
    this.rounds.delete(task.sid);
    await this.d.ledger.endTask(task.sid, this.now(), 'call-ended');
  }

  stop(): void {
    this.book.stop();
  }
}

function describeStatus(state: TaskRecordingState): string {
  if (state.status === 'partially-paused') return `partially paused (${state.capturing.length} still capturing)`;
  return state.status === 'recording' ? 'recording (not paused)' : state.status;
}
