import { decideExternalChange, EXTERNAL_ACTOR as CORE_EXTERNAL_ACTOR, type AuditEvent, type CompletionOutcome } from '@pause-recording/core';
import type { Logger } from 'pino';
import type { PauseLedger } from '../ledger/ledger.ts';
import type { ProviderRecording, TwilioProvider } from '../provider/twilio-provider.ts';
import type { TaskStore } from '../tasks/task-store.ts';
import type { Actor } from './actor.ts';
import type { RecordingService } from './recording-service.ts';

/** Who changed a recording when the server did not: Twilio's console, another API client, the engine. */
export const EXTERNAL_ACTOR: Actor = CORE_EXTERNAL_ACTOR;

interface Deps {
  readonly service: RecordingService;
  readonly provider: TwilioProvider;
  readonly ledger: PauseLedger;
  readonly tasks: TaskStore;
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
        await this.d.service.book.retryAll();
        for (const sid of await this.d.service.book.openTasks()) await this.task(sid, 'reconcile');
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
        if (!(await s.book.retry(taskSid))) return;
        const recs = await s.listTaskRecordings(task);
        const view = await s.viewOf(task);
        const x = decideExternalChange({ ledger: view, observed: recs, seenBy, now: Date.now(), behavior: s.pauseBehavior, policy: s.policy });
        if (x.resumed.length === 0 && x.paused.length === 0) return;
        const open = await s.book.openPauseOf(taskSid);
        if (x.pause.kind === 'contradicted' && open !== null) s.book.markContradicted(open);
        const changed = [...x.resumed, ...x.paused];
        await s.book.store(taskSid, {
          taskSid,
          remember: x.remember,
          spans: x.spans,
          pause: x.pause.kind === 'open' ? x.pause : { kind: 'none' },
          append: x.audit === null ? [] : [{ ...x.audit, outcome: 'ok', details: { ...x.audit.details, ...(await this.lostAnswer(taskSid, changed)) } }],
        });
        this.d.logger.warn({ taskSid, resumed: x.resumed, paused: x.paused, seenBy }, 'recording changed outside the server');
        const state = await s.buildState(task, recs);
        s.publishState(task, state);
        if (x.resumed.length > 0 && state.status !== 'partially-paused') {
          // The state alone raises the alarm when partially paused; otherwise say it explicitly.
          s.publishAlarm(task, state, x.resumed);
        }
      });
    } catch (e) {
      this.d.logger.warn({ err: e, taskSid, storage: this.d.ledger.isUnavailable(e) }, 'could not reconcile the task with the provider');
    }
  }

  /**
   * The server's own earlier action on these recordings whose answer was lost (`unknown`, or still
   * `pending`): the change seen now may be that one, so the event says so rather than blame only.
   */
  private async lostAnswer(taskSid: string, sids: readonly string[]): Promise<{ possiblyEvent?: number }> {
    const own = (await this.d.ledger.audit({ taskSid })).filter((e) => e.action === 'pause' || e.action === 'resume' || e.action === 'auto-resume').at(-1);
    if (own === undefined || (own.outcome !== 'unknown' && own.outcome !== 'pending')) return {};
    return own.recordingSids.some((sid) => sids.includes(sid)) ? { possiblyEvent: own.id } : {};
  }

  /**
   * Completes audit events a previous process left `pending` (it stopped between asking the
   * provider and recording the answer): from what the provider reports now, or `unknown`.
   */
  async pendingFromEarlier(): Promise<number> {
    const open = await this.d.ledger.unresolvedAudit();
    for (const e of open) {
      const { outcome, details } = await this.settle(e);
      try {
        const complete = { eventId: e.id, outcome, details: { ...details, reconciled: 'restart' } };
        const changed = (details['changed'] ?? []) as string[];
        const task = e.taskSid === null ? null : this.d.tasks.get(e.taskSid);
        // The completion and what the action did (spans, pause record) are stored together.
        if (task !== null && changed.length > 0) {
          await this.d.service.adopt(task, { identity: e.actor, role: e.role }, e.action === 'pause' ? 'pause' : 'resume', changed, Date.parse(e.at), complete);
        } else {
          await this.d.ledger.settle({ taskSid: e.taskSid, complete });
        }
      } catch (err) {
        this.d.logger.error({ err, eventId: e.id }, 'could not complete a pending audit event');
      }
    }
    return open.length;
  }

  private async settle(e: AuditEvent): Promise<{ outcome: CompletionOutcome; details: Record<string, unknown> }> {
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
    const outcome: CompletionOutcome = reached.length === sids.length ? 'ok' : reached.length === 0 ? 'failed' : 'partial';
    return { outcome, details: { observed, changed: reached } };
  }
}
