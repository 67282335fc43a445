import {
  aggregateRecordingStatus,
  AppError,
  pauseBehaviorFor,
  pauseSchedule,
  type AppConfig,
  type AuditOutcome,
  type PauseBehavior,
  type RecordingFailure,
  type TaskRecordingState,
} from '@pause-recording/core';
import type { Logger } from 'pino';
import type { AuditStore } from '../audit/audit-store.ts';
import type { EventBus } from '../events/event-bus.ts';
import { ProviderError, toProviderError } from '../provider/provider-errors.ts';
import type { ProviderRecording, RecordingOwner, TwilioProvider } from '../provider/twilio-provider.ts';
import type { RecordingStore } from '../recordings/recording-store.ts';
import type { TaskRecord, TaskStore } from '../tasks/task-store.ts';
import { SYSTEM_ACTOR, type Actor } from './actor.ts';
import { KeyedLock } from './keyed-lock.ts';
import type { PauseRecord, PauseStore } from './pause-store.ts';

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

/** How soon an auto-resume that left something paused is tried again. */
const AUTO_RESUME_RETRY_MS = 2000;

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/**
 * Task-level pause and resume. The server finds every active recording of a task itself (the
 * customer and agent call legs and the conference), changes each through the provider, and
 * reports the aggregate honestly: `paused` only when every active recording is confirmed paused.
 * Pauses are kept in SQLite with their reminder and auto-resume times, so a restart keeps them.
 */
export class RecordingService {
  private readonly lock = new KeyedLock();
  private readonly timers = new Map<string, NodeJS.Timeout[]>();
  private readonly now: () => number;
  private stopped = false;

  constructor(private readonly d: RecordingServiceDeps) {
    this.now = d.now ?? Date.now;
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
    const all = [...bySid.values()];
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
    const status = aggregateRecordingStatus([...recs.map((r) => r.status), ...(deferredLeg === null ? [] : (['paused'] as const))]);
    const pause = status === 'paused' || status === 'partially-paused' ? this.d.pauses.open(taskSid) : null;
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
    let recs: OwnedRecording[];
    try {
      recs = await this.listTaskRecordings(task);
    } catch (e) {
      // The provider could not even tell which recordings exist: nothing changed, and that is on record.
      const failure = failureOf('', e);
      this.d.audit.append({
        action,
        outcome: 'failed',
        actor: actor.identity,
        role: actor.role,
        taskSid: task.sid,
        callSid: task.attributes.call_sid,
        conferenceSid: task.conferenceSid,
        recordingSids: [],
        details: { reason, error: failure.message, code: failure.code, twilioErrorCode: failure.twilioErrorCode },
      });
      throw e;
    }
    const active = recs.filter((r) => r.status === 'in-progress' || r.status === 'paused');
    const pausing = action === 'pause';
    const deferredLeg = pausing ? null : RecordingService.deferredLeg(task);
    let started: ProviderRecording | null = null;
    let startFailure: RecordingFailure | null = null;
    if (deferredLeg !== null) {
      // The recording a transfer held back starts now, with the resume.
      try {
        started = await this.d.provider.createCallRecording(deferredLeg, { channels: 'dual', statusCallback: this.d.recordingStatusCallback() });
        this.remember(started, task.sid, this.now());
        this.setDeferred(task.sid, null);
        recs = [...recs, { ...started, owner: { kind: 'call', callSid: deferredLeg } }];
      } catch (e) {
        this.d.logger.warn({ err: e, taskSid: task.sid, callSid: deferredLeg }, 'could not start the deferred recording');
        startFailure = failureOf('', e);
      }
    }
    if (active.length === 0 && started === null && startFailure === null) {
      // Paused only through a recording deferred by a transfer: already paused, nothing to do
      // (closing the pause here would drop its timers while the deferred recording still waits).
      if (pausing && RecordingService.deferredLeg(task) !== null) return this.buildState(task.sid, recs);
      this.closePause(task.sid, actor, 'no-active-recording');
      throw new AppError('CONFLICT', `task ${task.sid} has no active recording to ${action === 'pause' ? 'pause' : 'resume'}`, {
        field: 'taskSid',
      });
    }
    const targets = active.filter((r) => r.status === (pausing ? 'in-progress' : 'paused'));
    if (targets.length === 0 && started === null && startFailure === null) {
      // Already where asked: answer the current state, audit nothing new.
      if (!pausing) this.closePause(task.sid, actor, 'already-resumed');
      return this.buildState(task.sid, recs);
    }

    const behavior = this.pauseBehavior;
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
    if (results.some((r) => !r.ok)) {
      // A failed or timed-out update may still have happened: ask the provider what is true now.
      try {
        after = await this.listTaskRecordings(task);
      } catch (e) {
        this.d.logger.warn({ err: e, taskSid: task.sid }, 'could not re-read the recordings after a failed update');
      }
    }
    const reached = new Set(after.filter((r) => r.status === target).map((r) => r.sid));
    const changed = [...targets.filter((t) => reached.has(t.sid)).map((t) => t.sid), ...(started === null ? [] : [started.sid])];
    const failures = [
      ...results.flatMap((r) => (!r.ok && !reached.has(r.rec.sid) ? [r.failure] : [])),
      ...(startFailure === null ? [] : [startFailure]),
    ];
    for (const sid of changed) {
      const r = results.find((x) => x.rec.sid === sid);
      if (r?.ok) this.remember(r.after, task.sid);
      if (pausing) {
        this.d.pauses.startRecordingSpan({
          recordingSid: sid,
          taskSid: task.sid,
          pausedAt: at,
          behavior,
          pausedBy: actor.identity,
          role: actor.role,
          reason,
        });
      } else {
        this.d.pauses.endRecordingSpan(sid, at, actor.identity);
      }
    }
    const outcome: AuditOutcome = failures.length === 0 ? 'ok' : changed.length === 0 ? 'failed' : 'partial';

    const stillDeferred = RecordingService.deferredLeg(this.d.tasks.get(task.sid)) !== null;
    const status = aggregateRecordingStatus([...after.map((r) => r.status), ...(stillDeferred ? (['paused'] as const) : [])]);
    if (pausing && changed.length > 0 && this.d.pauses.open(task.sid) === null) this.openPause(task.sid, actor, behavior, at);
    if (status === 'recording' || status === 'not-recording') this.closePause(task.sid, actor, action);

    this.d.audit.append({
      action,
      outcome,
      actor: actor.identity,
      role: actor.role,
      taskSid: task.sid,
      callSid: task.attributes.call_sid,
      conferenceSid: task.conferenceSid,
      recordingSids: [...targets.map((t) => t.sid), ...(started === null ? [] : [started.sid])],
      details: {
        reason,
        ...(deferredLeg === null ? {} : { deferredRecordingStarted: started?.sid ?? null }),
        pauseBehavior: pausing ? behavior : undefined,
        changed,
        failures,
        resultStatus: status,
      },
    });

    const state = this.buildState(task.sid, after, failures);
    this.publishState(task, state, action);
    if (outcome === 'failed' && status === 'not-recording' && failures.every((f) => f.code === 'CALL_NOT_IN_PROGRESS')) {
      // The recordings ended under us (the call hung up meanwhile): a conflict, not an upstream outage.
      throw new AppError('CONFLICT', `task ${task.sid} has no active recording to ${pausing ? 'pause' : 'resume'}: its recordings ended`, {
        field: 'taskSid',
        details: { state },
      });
    }
    if (outcome === 'failed') {
      throw new AppError(failures.some((f) => f.code === 'UPSTREAM_TIMEOUT') ? 'UPSTREAM_TIMEOUT' : 'UPSTREAM_UNAVAILABLE', `could not ${pausing ? 'pause' : 'resume'} any recording of task ${task.sid}`, {
        details: { state },
      });
    }
    return state;
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
   * After a single-recording change from a seed route: record the span, then bring the task's
   * pause record in line with what the provider now says.
   */
  async afterSingleChange(
    task: TaskRecord | null,
    actor: Actor,
    rec: ProviderRecording,
    change: 'pause' | 'resume',
    behavior: PauseBehavior,
  ): Promise<void> {
    const at = this.now();
    this.remember(rec, task?.sid ?? null);
    if (change === 'pause' && !this.d.pauses.hasOpenSpan(rec.sid)) {
      this.d.pauses.startRecordingSpan({
        recordingSid: rec.sid,
        taskSid: task?.sid ?? null,
        pausedAt: at,
        behavior,
        pausedBy: actor.identity,
        role: actor.role,
        reason: 'seed-route',
      });
    }
    if (change === 'resume') this.d.pauses.endRecordingSpan(rec.sid, at, actor.identity);
    if (task === null) return;
    await this.lock.run(task.sid, async () => {
      let recs: OwnedRecording[];
      try {
        recs = await this.listTaskRecordings(task);
      } catch (e) {
        // The change itself succeeded; the task view catches up on its next read.
        this.d.logger.warn({ err: e, taskSid: task.sid }, 'could not re-read the task recordings after a seed-route change');
        return;
      }
      const status = aggregateRecordingStatus(recs.map((r) => r.status));
      if ((status === 'paused' || status === 'partially-paused') && this.d.pauses.open(task.sid) === null) {
        this.openPause(task.sid, actor, behavior, at);
      }
      if (status === 'recording' || status === 'not-recording') this.closePause(task.sid, actor, change);
      this.publishState(task, this.buildState(task.sid, recs));
    });
  }

  private openPause(taskSid: string, actor: Actor, behavior: PauseBehavior, at: number): void {
    const schedule = pauseSchedule(at, this.d.config.pauseRecording);
    const p = this.d.pauses.start({ taskSid, pausedAt: at, pausedBy: actor.identity, role: actor.role, behavior, ...schedule });
    this.arm(p);
  }

  /** Closes the task's open pause (if any) and disarms its timers. */
  closePause(taskSid: string, actor: Actor, reason: string): void {
    const p = this.d.pauses.open(taskSid);
    if (p !== null) this.d.pauses.close(p.id, this.now(), actor.identity, reason);
    this.disarm(taskSid);
  }

  /** The task's call ended: no recording captures any more, so its pause and spans end too. */
  taskEnded(task: TaskRecord): void {
    const at = this.now();
    for (const r of this.d.recordings.list({ taskSids: [task.sid] })) {
      if (this.d.pauses.hasOpenSpan(r.sid)) this.d.pauses.endRecordingSpan(r.sid, at, 'call-ended');
    }
    const p = this.d.pauses.open(task.sid);
    if (p !== null) this.d.pauses.close(p.id, at, 'system', 'call-ended');
    if (RecordingService.deferredLeg(task) !== null) this.setDeferred(task.sid, null);
    this.disarm(task.sid);
  }

  /** Arms reminder and auto-resume timers of every open pause (after a restart). */
  rearmAll(): number {
    const open = this.d.pauses.allOpen();
    for (const p of open) this.arm(p);
    return open.length;
  }

  private arm(p: PauseRecord): void {
    this.disarm(p.taskSid);
    if (this.stopped) return;
    const list: NodeJS.Timeout[] = [];
    const now = this.now();
    if (p.reminderAt !== null && !p.reminderFired) {
      list.push(setTimeout(() => void this.fireReminder(p), Math.max(0, p.reminderAt - now)));
    }
    if (p.autoResumeAt !== null) {
      list.push(setTimeout(() => void this.fireAutoResume(p), Math.max(0, p.autoResumeAt - now)));
    }
    this.timers.set(p.taskSid, list);
  }

  private disarm(taskSid: string): void {
    for (const t of this.timers.get(taskSid) ?? []) clearTimeout(t);
    this.timers.delete(taskSid);
  }

  private async fireReminder(p: PauseRecord): Promise<void> {
    const task = this.d.tasks.get(p.taskSid);
    const open = this.d.pauses.open(p.taskSid);
    if (task === null || open === null || open.id !== p.id || open.reminderFired) return;
    try {
      const state = await this.lock.run(task.sid, () => this.getState(task));
      if (state.status !== 'paused' && state.status !== 'partially-paused') return;
      this.d.pauses.markReminded(p.id);
      this.d.audit.append({
        action: 'reminder',
        outcome: 'ok',
        actor: 'system',
        role: 'system',
        taskSid: task.sid,
        callSid: task.attributes.call_sid,
        conferenceSid: task.conferenceSid,
        recordingSids: state.recordings.map((r) => r.sid),
        details: { pausedAt: state.pausedAt, pausedBy: state.pausedBy, reminderSeconds: this.d.config.pauseRecording.reminderSeconds },
      });
      this.d.bus.publish({ type: 'recording.reminder', taskSid: task.sid, state }, { worker: task.worker });
    } catch (e) {
      this.d.logger.error({ err: e, taskSid: p.taskSid }, 'reminder failed');
    }
  }

  private async fireAutoResume(p: PauseRecord): Promise<void> {
    const task = this.d.tasks.get(p.taskSid);
    const open = this.d.pauses.open(p.taskSid);
    if (task === null || open === null || open.id !== p.id) return;
    try {
      await this.resume(task, SYSTEM_ACTOR, true);
    } catch (e) {
      this.d.logger.error({ err: e, taskSid: p.taskSid }, 'auto-resume failed');
    }
    // Something stayed paused (a provider failure): try again shortly, until resumed or the call ends.
    const still = this.d.pauses.open(p.taskSid);
    if (still !== null && still.id === p.id && !this.stopped) {
      const retry = setTimeout(() => void this.fireAutoResume(p), AUTO_RESUME_RETRY_MS);
      this.timers.set(p.taskSid, [...(this.timers.get(p.taskSid) ?? []), retry]);
    }
  }

  stop(): void {
    this.stopped = true;
    for (const sid of [...this.timers.keys()]) this.disarm(sid);
  }
}
