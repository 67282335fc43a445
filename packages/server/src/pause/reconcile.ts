import { aggregateRecordingStatus, type AuditEvent } from '@pause-recording/core';
import type { Logger } from 'pino';
import type { AuditStore, FinalOutcome } from '../audit/audit-store.ts';
import type { ProviderRecording, TwilioProvider } from '../provider/twilio-provider.ts';
import { isStorageError } from '../storage/database.ts';
import type { TaskStore } from '../tasks/task-store.ts';
import type { Actor } from './actor.ts';
import type { PauseStore } from './pause-store.ts';
import type { RecordingService } from './recording-service.ts';

/** Who changed a recording when the server did not: Twilio's console, another API client, the engine. */
export const EXTERNAL_ACTOR: Actor = { identity: 'external', role: 'system' };

interface Deps {
  readonly service: RecordingService;
  readonly provider: TwilioProvider;
  readonly pauses: PauseStore;
  readonly tasks: TaskStore;
  readonly audit: AuditStore;
  readonly logger: Logger;
}

/**
 * Keeps the server's record in line with the provider when the server was not the one acting:
 * recordings paused or set capturing again by someone else (seen through a recording status
 * callback or the periodic check of tasks with an open pause) are audited as `external-change`
 * and raise the alarm; audit events left `pending` by an earlier process are completed from what
 * the provider reports (or `unknown`).
 */
export class Reconciler {
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(private readonly d: Deps) {}

  /** Checks every task with an open pause every `intervalMs`. */
  start(intervalMs: number): void {
    const tick = async (): Promise<void> => {
      if (this.running) return;
      this.running = true;
      try {
        this.d.service.book.retryAll();
        for (const sid of this.d.service.book.openTasks()) await this.task(sid, 'reconcile');
      } finally {
        this.running = false;
      }
    };
    this.timer = setInterval(() => void tick(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Compares the task's recordings at the provider with the server's paused spans; audits a difference as external. */
  async task(taskSid: string, seenBy: 'reconcile' | 'status-callback'): Promise<void> {
    const task = this.d.tasks.get(taskSid);
    if (task === null || (task.status !== 'assigned' && task.status !== 'wrapping')) return;
    const s = this.d.service;
    try {
      await s.exclusive(taskSid, async () => {
        // Writes of our own still waiting for storage would look like someone else's change.
        if (!s.book.retry(taskSid)) return;
        const recs = await s.listTaskRecordings(task);
        const resumed = recs.filter((r) => r.status === 'in-progress' && this.d.pauses.hasOpenSpan(r.sid));
        const paused = recs.filter((r) => r.status === 'paused' && !this.d.pauses.hasOpenSpan(r.sid));
        if (resumed.length === 0 && paused.length === 0) return;
        const at = Date.now();
        for (const r of recs) s.remember(r, task.sid);
        for (const r of resumed) this.d.pauses.endRecordingSpan(r.sid, at, EXTERNAL_ACTOR.identity);
        for (const r of paused) {
          this.d.pauses.startRecordingSpan({
            recordingSid: r.sid,
            taskSid,
            pausedAt: at,
            behavior: s.pauseBehavior,
            pausedBy: EXTERNAL_ACTOR.identity,
            role: EXTERNAL_ACTOR.role,
            reason: 'external-change',
          });
        }
        const open = s.book.openPauseOf(taskSid);
        if (resumed.length > 0 && open !== null) s.book.markContradicted(open);
        const status = aggregateRecordingStatus(recs.map((r) => r.status));
        if (paused.length > 0 && open === null) s.book.open(taskSid, EXTERNAL_ACTOR, s.pauseBehavior, at);
        this.d.audit.append({
          action: 'external-change',
          outcome: 'ok',
          actor: EXTERNAL_ACTOR.identity,
          role: EXTERNAL_ACTOR.role,
          taskSid,
          callSid: task.attributes.call_sid,
          conferenceSid: task.conferenceSid,
          recordingSids: [...resumed, ...paused].map((r) => r.sid),
          details: { seenBy, resumed: resumed.map((r) => r.sid), paused: paused.map((r) => r.sid), providerStatus: status, ...this.lostAnswer(taskSid, [...resumed, ...paused].map((r) => r.sid)) },
        });
        this.d.logger.warn({ taskSid, resumed: resumed.map((r) => r.sid), paused: paused.map((r) => r.sid), seenBy }, 'recording changed outside the server');
        const state = s.buildState(taskSid, recs);
        s.publishState(task, state);
        if (resumed.length > 0 && state.status !== 'partially-paused') {
          // The state alone raises the alarm when partially paused; otherwise say it explicitly.
          s.publishAlarm(task, state, resumed.map((r) => r.sid));
        }
      });
    } catch (e) {
      this.d.logger.warn({ err: e, taskSid, storage: isStorageError(e) }, 'could not reconcile the task with the provider');
    }
  }

  /**
   * The server's own earlier action on these recordings whose answer was lost (`unknown`, or still
   * `pending`): the change seen now may be that one, so the event says so rather than blame only.
   */
  private lostAnswer(taskSid: string, sids: readonly string[]): { possiblyEvent?: number } {
    const own = this.d.audit
      .query({ taskSid })
      .filter((e) => e.action === 'pause' || e.action === 'resume' || e.action === 'auto-resume')
      .at(-1);
    if (own === undefined || (own.outcome !== 'unknown' && own.outcome !== 'pending')) return {};
    return own.recordingSids.some((sid) => sids.includes(sid)) ? { possiblyEvent: own.id } : {};
  }

  /**
   * Completes audit events a previous process left `pending` (it stopped between asking the
   * provider and recording the answer): from what the provider reports now, or `unknown`.
   */
  async pendingFromEarlier(): Promise<number> {
    const open = this.d.audit.unresolved();
    for (const e of open) {
      const { outcome, details } = await this.settle(e);
      try {
        this.d.audit.complete(e.id, outcome, { ...details, reconciled: 'restart' });
        const changed = (details['changed'] ?? []) as string[];
        if (e.taskSid !== null && changed.length > 0 && this.d.tasks.get(e.taskSid) !== null) {
          this.d.service.adopt(e.taskSid, { identity: e.actor, role: e.role }, e.action === 'pause' ? 'pause' : 'resume', changed, Date.parse(e.at));
        }
      } catch (err) {
        this.d.logger.error({ err, eventId: e.id }, 'could not complete a pending audit event');
      }
    }
    return open.length;
  }

  private async settle(e: AuditEvent): Promise<{ outcome: FinalOutcome; details: Record<string, unknown> }> {
    const target = e.action === 'pause' ? 'paused' : e.action === 'resume' || e.action === 'auto-resume' ? 'in-progress' : null;
    const sids = e.recordingSids.filter((sid) => sid.startsWith('RE'));
    if (target === null || sids.length === 0) return { outcome: 'unknown', details: { why: 'the provider cannot tell what this action did' } };
    let seen: ProviderRecording[];
    try {
      const task = e.taskSid === null ? null : this.d.tasks.get(e.taskSid);
      seen = task !== null ? await this.d.service.listTaskRecordings(task) : await Promise.all(sids.map((sid) => this.d.provider.fetchRecording(sid)));
    } catch (err) {
      return { outcome: 'unknown', details: { why: `the provider could not be asked: ${err instanceof Error ? err.message : String(err)}` } };
    }
    const observed = Object.fromEntries(sids.map((sid) => [sid, seen.find((r) => r.sid === sid)?.status ?? 'absent']));
    const reached = sids.filter((sid) => observed[sid] === target);
    const outcome: FinalOutcome = reached.length === sids.length ? 'ok' : reached.length === 0 ? 'failed' : 'partial';
    return { outcome, details: { observed, changed: reached } };
  }
}
