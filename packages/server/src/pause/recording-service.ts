import {
  aggregateRecordingStatus,
  AppError,
  pauseBehaviorFor,
  type AppConfig,
  type AuditAction,
  type AuditEvent,
  type PauseBehavior,
  type RecordingFailure,
  type TaskRecordingState,
} from '@pause-recording/core';
import type { Logger } from 'pino';
import type { AuditStore, FinalOutcome } from '../audit/audit-store.ts';
import type { EventBus } from '../events/event-bus.ts';
import { ProviderError, toProviderError } from '../provider/provider-errors.ts';
import type { ProviderRecording, RecordingOwner, TwilioProvider } from '../provider/twilio-provider.ts';
import type { RecordingStore } from '../recordings/recording-store.ts';
import { isStorageError } from '../storage/database.ts';
import type { TaskRecord, TaskStore } from '../tasks/task-store.ts';
import { SYSTEM_ACTOR, type Actor } from './actor.ts';
import { KeyedLock } from './keyed-lock.ts';
import { PauseBook } from './pause-book.ts';
import type { Step } from './pending-writes.ts';
import type { PauseStore } from './pause-store.ts';

export interface OwnedRecording extends ProviderRecording {
  readonly owner: RecordingOwner;
}

export interface RecordingServiceDeps {
  readonly provider: TwilioProvider;
  readonly pauses: PauseStore;
  readonly recordings: RecordingStore;
  readonly audit: AuditStore;
  readonly bus: EventBus;
  readonly config: AppConfig;
  readonly logger: Logger;
  readonly tasks: TaskStore;
  /** URL for recording status callbacks of recordings this service starts (deferred ones). */
  readonly recordingStatusCallback: () => string;
  readonly now?: () => number;
}

type ChangeResult = { rec: OwnedRecording; ok: true; after: ProviderRecording } | { rec: OwnedRecording; ok: false; failure: RecordingFailure };


function failureOf(sid: string, e: unknown): RecordingFailure {
  const pe = e instanceof ProviderError ? e : toProviderError(e, `recording ${sid}`);
  return { recordingSid: sid, code: pe.code, message: pe.message, twilioErrorCode: pe.twilioErrorCode };
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());



/**
 * Task-level pause and resume. The server finds every active recording of a task itself (the
 * customer and agent call legs and the conference), changes each through the provider, and
 * reports the aggregate honestly: `paused` only when every active recording is confirmed paused.
 * Pauses are kept in SQLite with their reminder and auto-resume times, so a restart keeps them.
 */
export class RecordingService {
  private readonly lock = new KeyedLock();
  private readonly now: () => number;
  /** Open pauses, their timers, and the writes storage refused (retried until they land). */
  readonly book: PauseBook;

  constructor(private readonly d: RecordingServiceDeps) {
    this.now = d.now ?? Date.now;
    this.book = new PauseBook({
      ...d,
      now: this.now,
      stateLocked: (task) => this.lock.run(task.sid, () => this.getState(task)),
      autoResume: (task) => this.resume(task, SYSTEM_ACTOR, true),
    });
  }

  get pauseBehavior(): PauseBehavior {
    return pauseBehaviorFor(this.d.config.pauseRecording.includeSilence);
  }

  /** Every recording of the task's calls and conference, as the provider reports them now. */
  async listTaskRecordings(task: TaskRecord): Promise<OwnedRecording[]> {
    const callSids = [...new Set([task.attributes.call_sid, task.workerCallSid].filter((s): s is string => s !== null))];
    const lists = await Promise.all([
      ...callSids.map(async (callSid) =>
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

  /** As `listTaskRecordings`, and keeps what was seen (write paths only: reads never write). */
  async listAndRemember(task: TaskRecord): Promise<OwnedRecording[]> {
    const all = await this.listTaskRecordings(task);
    for (const r of all) this.remember(r, task.sid);
    return all;
  }

  remember(r: ProviderRecording, taskSid: string | null, firstSeenAt?: number): void {
    this.d.recordings.upsert({
      sid: r.sid,
      taskSid,
      callSid: r.callSid,
      conferenceSid: r.conferenceSid,
      source: r.source,
      channels: r.channels,
      status: r.status,
      startTime: r.startTime,
      duration: r.duration,
      ...(firstSeenAt === undefined ? {} : { firstSeenAt }),
    });
  }

  /** The leg whose dual-channel recording waits for the resume (set by a transfer while paused). */
  static deferredLeg(task: TaskRecord | null): string | null {
    const v = task?.attributes['deferred_recording_call_sid'];
    return typeof v === 'string' ? v : null;
  }

  buildState(taskSid: string, recs: readonly ProviderRecording[], failures: readonly RecordingFailure[] = []): TaskRecordingState {
    const deferredLeg = RecordingService.deferredLeg(this.d.tasks.get(taskSid));
    let status = aggregateRecordingStatus([...recs.map((r) => r.status), ...(deferredLeg === null ? [] : (['paused'] as const))]);
    const open = this.book.openPauseOf(taskSid);
    // Set capturing again outside the server while the agent's pause stands: meant to be paused, not paused.
    if (status === 'recording' && open !== null && this.book.isContradicted(open)) status = 'partially-paused';
    const pause = status === 'paused' || status === 'partially-paused' ? open : null;
    return {
      taskSid,
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
      ...(deferredLeg === null ? {} : { deferred: [{ callSid: deferredLeg, channels: 2 }] }),
    };
  }

  /** Runs `op` with the task's recordings locked: no pause or resume of the task runs meanwhile. */
  exclusive<T>(taskSid: string, op: () => Promise<T>): Promise<T> {
    return this.lock.run(taskSid, op);
  }

  private setDeferred(taskSid: string, callSid: string | null): void {
    const t = this.d.tasks.get(taskSid);
    if (t === null) return;
    const attributes = { ...t.attributes };
    if (callSid === null) delete attributes['deferred_recording_call_sid'];
    else attributes['deferred_recording_call_sid'] = callSid;
    this.d.tasks.update(taskSid, { attributes });
  }

  /** Marks the dual-channel recording of `callSid` to start when the task resumes. */
  deferRecording(taskSid: string, callSid: string): void {
    this.setDeferred(taskSid, callSid);
  }

  async getState(task: TaskRecord): Promise<TaskRecordingState> {
    return this.buildState(task.sid, await this.listTaskRecordings(task));
  }

  /** Pauses every active recording of the task; `reason` is kept in the audit and the annotations. */
  pause(task: TaskRecord, actor: Actor, reason = 'manual'): Promise<TaskRecordingState> {
    return this.lock.run(task.sid, () => this.change(task, actor, 'pause', reason));
  }

  resume(task: TaskRecord, actor: Actor, auto = false, reason = 'manual'): Promise<TaskRecordingState> {
    return this.lock.run(task.sid, () => this.change(task, actor, auto ? 'auto-resume' : 'resume', auto ? 'max_pause_seconds' : reason));
  }

  private async change(
    task: TaskRecord,
    actor: Actor,
    action: 'pause' | 'resume' | 'auto-resume',
    reason: string,
  ): Promise<TaskRecordingState> {
    task = this.d.tasks.get(task.sid) ?? task;
    this.book.retry(task.sid);
    let recs: OwnedRecording[];
    try {
      recs = await this.listTaskRecordings(task);
    } catch (e) {
      // The provider could not even tell which recordings exist: nothing changed, and that is on record.
      const failure = failureOf('', e);
      this.tryStore(task.sid, 'audit of a failed listing', () =>
        this.d.audit.append({
          ...this.auditBase(task, actor, action, []),
          outcome: 'failed',
          details: { reason, error: failure.message, code: failure.code, twilioErrorCode: failure.twilioErrorCode },
        }),
      );
      throw e;
    }
    const active = recs.filter((r) => r.status === 'in-progress' || r.status === 'paused');
    const pausing = action === 'pause';
    const deferredLeg = pausing ? null : RecordingService.deferredLeg(task);
    if (active.length === 0 && deferredLeg === null) {
      // Paused only through a recording deferred by a transfer: already paused, nothing to do
      // (closing the pause here would drop its timers while the deferred recording still waits).
      if (pausing && RecordingService.deferredLeg(task) !== null) return this.buildState(task.sid, recs);
      this.book.close(task.sid, actor, 'no-active-recording');
      throw new AppError('CONFLICT', `task ${task.sid} has no active recording to ${action === 'pause' ? 'pause' : 'resume'}`, {
        field: 'taskSid',
      });
    }
    const targets = active.filter((r) => r.status === (pausing ? 'in-progress' : 'paused'));
    if (targets.length === 0 && deferredLeg === null) {
      // Already where asked: answer the current state, audit nothing new.
      if (!pausing) this.book.close(task.sid, actor, 'already-resumed');
      return this.buildState(task.sid, recs);
    }
    const behavior = this.pauseBehavior;

    // Written before the provider is asked: whatever happens next, the attempt is on record.
    let pending: AuditEvent;
    try {
      pending = this.d.audit.begin({
        ...this.auditBase(task, actor, action, targets.map((t) => t.sid)),
        details: { reason, ...(pausing ? { pauseBehavior: behavior } : {}), ...(deferredLeg === null ? {} : { deferredRecordingCallSid: deferredLeg }) },
      });
    } catch (e) {
      if (!isStorageError(e)) throw e;
      const state = this.buildState(task.sid, recs);
      throw new AppError(
        'STORAGE_UNAVAILABLE',
        `nothing was changed: the audit could not be written before asking the provider (${e.message}); the recordings of task ${task.sid} are still ${describeStatus(state)}`,
        { details: { state } },
      );
    }

    let started: ProviderRecording | null = null;
    let startFailure: RecordingFailure | null = null;
    if (deferredLeg !== null) {
      // The recording a transfer held back starts now, with the resume.
      try {
        started = await this.d.provider.createCallRecording(deferredLeg, { channels: 'dual', statusCallback: this.d.recordingStatusCallback() });
        recs = [...recs, { ...started, owner: { kind: 'call', callSid: deferredLeg } }];
      } catch (e) {
        this.d.logger.warn({ err: e, taskSid: task.sid, callSid: deferredLeg }, 'could not start the deferred recording');
        startFailure = failureOf('', e);
      }
    }

    const results: ChangeResult[] = await Promise.all(
      targets.map(async (rec): Promise<ChangeResult> => {
        try {
          const after = await this.d.provider.updateRecording(rec.owner, rec.sid, pausing ? 'paused' : 'in-progress', behavior);
          return { rec, ok: true, after };
        } catch (e) {
          this.d.logger.warn({ err: e, recordingSid: rec.sid, taskSid: task.sid }, `${action} of a recording failed`);
          return { rec, ok: false, failure: failureOf(rec.sid, e) };
        }
      }),
    );
    const at = this.now();
    const target = pausing ? 'paused' : 'in-progress';
    const newStatus = new Map(results.flatMap((r) => (r.ok ? [[r.rec.sid, r.after.status] as const] : [])));
    let after: ProviderRecording[] = recs.map((r) => ({ ...r, status: newStatus.get(r.sid) ?? r.status }));
    let reread = true;
    if (results.some((r) => !r.ok)) {
      // A failed or timed-out update may still have happened: ask the provider what is true now.
      try {
        after = await this.listTaskRecordings(task);
      } catch (e) {
        reread = false;
        this.d.logger.warn({ err: e, taskSid: task.sid }, 'could not re-read the recordings after a failed update');
      }
    }
    const reached = new Set(after.filter((r) => r.status === target).map((r) => r.sid));
    const changed = [...targets.filter((t) => reached.has(t.sid)).map((t) => t.sid), ...(started === null ? [] : [started.sid])];
    const failures = [
      ...results.flatMap((r) => (!r.ok && !reached.has(r.rec.sid) ? [r.failure] : [])),
      ...(startFailure === null ? [] : [startFailure]),
    ];
    // Unknown: an answer was lost (timeout, reset) and the provider could not be asked again.
    const lost = !reread && failures.some((f) => f.code === 'UPSTREAM_TIMEOUT' || f.code === 'UPSTREAM_UNAVAILABLE');
    const outcome: FinalOutcome = failures.length === 0 ? 'ok' : lost ? 'unknown' : changed.length === 0 ? 'failed' : 'partial';
    const stillDeferred = started === null && RecordingService.deferredLeg(this.d.tasks.get(task.sid)) !== null;
    const status = aggregateRecordingStatus([...after.map((r) => r.status), ...(stillDeferred ? (['paused'] as const) : [])]);

    // Settle what the provider did. Each step is idempotent and kept for a retry when storage
    // refuses it, so a full disk loses nothing: the timers are armed from memory meanwhile.
    this.book.writes.begin(task.sid);
    const steps: Step[] = [];
    if (started !== null) {
      const s0 = started;
      steps.push(['recording started', () => this.remember(s0, task.sid, at)], ['deferred leg', () => this.setDeferred(task.sid, null)]);
    }
    for (const sid of changed) {
      const r = results.find((x) => x.rec.sid === sid);
      if (r?.ok) steps.push([`recording ${sid}`, () => this.remember(r.after, task.sid)]);
      steps.push([
        `span ${sid}`,
        pausing
          ? () => {
              if (!this.d.pauses.hasOpenSpan(sid)) {
                this.d.pauses.startRecordingSpan({ recordingSid: sid, taskSid: task.sid, pausedAt: at, behavior, pausedBy: actor.identity, role: actor.role, reason });
              }
            }
          : () => this.d.pauses.endRecordingSpan(sid, at, actor.identity),
      ]);
    }
    if (pausing && changed.length > 0 && this.book.openPauseOf(task.sid) === null) this.book.open(task.sid, actor, behavior, at);
    if (status === 'recording' || status === 'not-recording') this.book.close(task.sid, actor, action);
    steps.push([
      'audit outcome',
      () =>
        this.d.audit.complete(pending.id, outcome, {
          ...(deferredLeg === null ? {} : { deferredRecordingStarted: started?.sid ?? null }),
          ...(started === null ? {} : { startedRecordingSids: [started.sid] }),
          changed,
          failures,
          resultStatus: status,
        }),
    ]);
    this.book.writes.run(task.sid, steps);
    const storageError = this.book.writes.error(task.sid);

    const state = this.buildState(task.sid, after, failures);
    this.publishState(task, state, action);
    if (storageError !== null) throw this.storageFailure(task.sid, state, storageError, pending.id);
    if (outcome === 'failed' && status === 'not-recording' && failures.every((f) => f.code === 'CALL_NOT_IN_PROGRESS')) {
      // The recordings ended under us (the call hung up meanwhile): a conflict, not an upstream outage.
      throw new AppError('CONFLICT', `task ${task.sid} has no active recording to ${pausing ? 'pause' : 'resume'}: its recordings ended`, {
        field: 'taskSid',
        details: { state },
      });
    }
    if ((outcome === 'failed' || outcome === 'unknown') && changed.length === 0) {
      const why = outcome === 'unknown' ? ": the provider's answer was lost and it could not be asked again, so whether it happened is unknown" : '';
      throw new AppError(failures.some((f) => f.code === 'UPSTREAM_TIMEOUT') ? 'UPSTREAM_TIMEOUT' : 'UPSTREAM_UNAVAILABLE', `could not ${pausing ? 'pause' : 'resume'} any recording of task ${task.sid}${why}`, {
        details: { state },
      });
    }
    return state;
  }

  private auditBase(task: TaskRecord, actor: Actor, action: AuditAction, recordingSids: readonly string[]) {
    return {
      action,
      actor: actor.identity,
      role: actor.role,
      taskSid: task.sid,
      callSid: task.attributes.call_sid,
      conferenceSid: task.conferenceSid,
      recordingSids,
    };
  }

  /** The 503 that says what is true at the provider although storage refused to record it. */
  storageFailure(taskSid: string, state: TaskRecordingState, e: Error, auditEventId: number | null): AppError {
    const p = this.book.openPauseOf(taskSid);
    const armed = p?.autoResumeAt != null ? `; the auto-resume stays armed for ${iso(p.autoResumeAt)}` : '';
    const audit = auditEventId === null ? 'it could not be fully recorded' : `the audit (event ${auditEventId}, pending) could not be completed`;
    return new AppError(
      'STORAGE_UNAVAILABLE',
      `the recordings of task ${taskSid} are ${describeStatus(state)} at the provider, but ${audit}: ${e.message}. The server retries the record when storage is back${armed}`,
      { details: { state, auditEventId, auditOutcome: 'pending' } },
    );
  }

  private tryStore(taskSid: string, what: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      if (!isStorageError(e)) throw e;
      this.d.logger.error({ err: e, taskSid, what }, 'storage refused a write');
    }
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
   * there is a task): record the span, then bring the task's pause record in line with what the
   * provider now says. The first storage error, or null (the rest is kept to retry).
   */
  async afterSingleChange(
    task: TaskRecord | null,
    actor: Actor,
    rec: ProviderRecording,
    change: 'pause' | 'resume',
    behavior: PauseBehavior,
    key: string,
  ): Promise<Error | null> {
    const at = this.now();
    this.book.writes.run(key, [
      [`recording ${rec.sid}`, () => this.remember(rec, task?.sid ?? null)],
      [
        `span ${rec.sid}`,
        change === 'pause'
          ? () => {
              if (!this.d.pauses.hasOpenSpan(rec.sid)) {
                this.d.pauses.startRecordingSpan({ recordingSid: rec.sid, taskSid: task?.sid ?? null, pausedAt: at, behavior, pausedBy: actor.identity, role: actor.role, reason: 'seed-route' });
              }
            }
          : () => this.d.pauses.endRecordingSpan(rec.sid, at, actor.identity),
      ],
    ]);
    if (task !== null) {
      let recs: OwnedRecording[] | null = null;
      try {
        recs = await this.listTaskRecordings(task);
      } catch (e) {
        // The change itself succeeded; the task view catches up on its next read.
        this.d.logger.warn({ err: e, taskSid: task.sid }, 'could not re-read the task recordings after a seed-route change');
      }
      if (recs !== null) {
        const status = aggregateRecordingStatus(recs.map((r) => r.status));
        if ((status === 'paused' || status === 'partially-paused') && this.book.openPauseOf(task.sid) === null) this.book.open(task.sid, actor, behavior, at);
        if (status === 'recording' || status === 'not-recording') this.book.close(task.sid, actor, change);
        this.publishState(task, this.buildState(task.sid, recs));
      }
    }
    return this.book.writes.error(key);
  }

  /**
   * Records what an action left pending by an earlier process did (found at restart): the spans
   * and the pause record of a pause that reached the provider, or their end after a resume.
   */
  adopt(taskSid: string, actor: Actor, action: 'pause' | 'resume', sids: readonly string[], at: number): void {
    for (const sid of sids) {
      if (action === 'resume') this.d.pauses.endRecordingSpan(sid, at, actor.identity);
      else if (!this.d.pauses.hasOpenSpan(sid)) {
        this.d.pauses.startRecordingSpan({ recordingSid: sid, taskSid, pausedAt: at, behavior: this.pauseBehavior, pausedBy: actor.identity, role: actor.role, reason: 'recovered' });
      }
    }
    if (action === 'pause' && sids.length > 0 && this.book.openPauseOf(taskSid) === null) this.book.open(taskSid, actor, this.pauseBehavior, at);
  }

  publishAlarm(task: TaskRecord, state: TaskRecordingState, capturing: readonly string[]): void {
    this.d.bus.publish({ type: 'recording.alarm', taskSid: task.sid, state, capturing }, { worker: task.worker });
  }

  /** The task's call ended: no recording captures any more, so its pause and spans end too. */
  taskEnded(task: TaskRecord): void {
    const at = this.now();
    for (const r of this.d.recordings.list({ taskSids: [task.sid] })) {
      if (this.d.pauses.hasOpenSpan(r.sid)) this.d.pauses.endRecordingSpan(r.sid, at, 'call-ended');
    }
    this.book.forget(task.sid);
    const p = this.d.pauses.open(task.sid);
    if (p !== null) this.d.pauses.close(p.id, at, 'system', 'call-ended');
    if (RecordingService.deferredLeg(task) !== null) this.setDeferred(task.sid, null);
  }

  stop(): void {
    this.book.stop();
  }
}

function describeStatus(state: TaskRecordingState): string {
  if (state.status === 'partially-paused') return `partially paused (${state.capturing.length} still capturing)`;
  return state.status === 'recording' ? 'recording (not paused)' : state.status;
}
