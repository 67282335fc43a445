import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { AUTO_RESUME_RETRY_MS, dueDeadlines, type AppConfig, type OpenPause, type TaskRecordingState, type TaskRecordingStatus } from '@pause-recording/core';
import type { Logger } from 'pino';
import type { EventBus } from '../events/event-bus.ts';
import type { LedgerReceipt, LedgerWrite, PauseLedger, PauseRecord } from '../ledger/ledger.ts';
import type { TaskRecord, TaskStore } from '../tasks/task-store.ts';

/** How long a claimed deadline stays this instance's: longer than an auto-resume with its provider retries. */
const CLAIM_LEASE_MS = 30_000;

const openOf = (p: PauseRecord): OpenPause => ({
  pausedAt: p.pausedAt,
  pausedBy: p.pausedBy,
  role: p.role,
  behavior: p.behavior,
  reminderAt: p.reminderAt,
  autoResumeAt: p.autoResumeAt,
  reminderFired: p.reminderFired,
});

const dueAt = (p: PauseRecord, now: number, status: TaskRecordingStatus = 'paused') =>
  dueDeadlines({ pause: openOf(p), now, status, lastAutoResumeAttemptAt: p.lastAutoResumeAttemptAt });

interface Host {
  readonly ledger: PauseLedger;
  readonly tasks: TaskStore;
  readonly bus: EventBus;
  readonly logger: Logger;
  readonly config: AppConfig;
  readonly now: () => number;
  /** The task's open pause, stored or kept in memory. */
  openPauseOf(taskSid: string): Promise<PauseRecord | null>;
  /** Stores a settlement through the ledger (kept to retry when storage refuses it). */
  store(key: string, w: LedgerWrite, what?: string): Promise<LedgerReceipt | null>;
  stateLocked(task: TaskRecord): Promise<TaskRecordingState>;
  autoResume(task: TaskRecord): Promise<unknown>;
}

/**
 * The pause policy: a reminder after `reminder_seconds`, an auto-resume after `max_pause_seconds`
 * (retried every AUTO_RESUME_RETRY_MS until it sticks). A stored pause's deadlines are claimed
 * from the ledger (`claimDeadlines`: exactly one claimant handles each, so several instances can
 * share one ledger) by a poll every `claimIntervalMs`; a pause storage refused to keep runs on
 * timers in this process's memory until its record lands.
 */
export class PausePolicy {
  private readonly timers = new Map<string, NodeJS.Timeout[]>();
  private stopped = false;
  private poll: NodeJS.Timeout | undefined;
  private ticking = false;
  /** Who this process is when it claims deadlines. */
  readonly claimant = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;

  constructor(private readonly h: Host) {}

  /** Starts claiming due deadlines of stored pauses every `intervalMs`. */
  startClaims(intervalMs: number): void {
    if (this.poll !== undefined || this.stopped) return;
    this.poll = setInterval(() => void this.tick(), intervalMs);
    this.poll.unref();
  }

  arm(p: PauseRecord): void {
    this.disarm(p.taskSid);
    // A stored pause is the claim poll's; only a pause kept in memory needs timers here.
    if (this.stopped || (p.id > 0 && this.poll !== undefined)) return;
    const list: NodeJS.Timeout[] = [];
    const now = this.h.now();
    if (p.reminderAt !== null && !p.reminderFired) {
      list.push(setTimeout(() => void this.fireReminder(p), Math.max(0, p.reminderAt - now)));
    }
    if (p.autoResumeAt !== null) {
      list.push(setTimeout(() => void this.fireAutoResume(p), Math.max(0, p.autoResumeAt - now)));
    }
    this.timers.set(p.taskSid, list);
  }

  disarm(taskSid: string): void {
    for (const t of this.timers.get(taskSid) ?? []) clearTimeout(t);
    this.timers.delete(taskSid);
  }

  /** The same pause, whether it is still in memory or stored meanwhile. */
  private samePause(a: PauseRecord | null, b: PauseRecord): boolean {
    return a !== null && a.taskSid === b.taskSid && a.pausedAt === b.pausedAt && a.pausedBy === b.pausedBy;
  }

  private async fireReminder(p: PauseRecord): Promise<void> {
    const task = this.h.tasks.get(p.taskSid);
    try {
      const open = await this.h.openPauseOf(p.taskSid);
      if (task === null || open === null || !this.samePause(open, p) || open.reminderFired) return;
      await this.remind(task, open, await this.h.stateLocked(task));
    } catch (e) {
      this.h.logger.error({ err: e, taskSid: p.taskSid }, 'reminder failed');
    }
  }

  /** Sends the reminder of a pause that is still paused, or marks it done when nothing is. */
  private async remind(task: TaskRecord, open: PauseRecord, state: TaskRecordingState): Promise<void> {
    if (state.status !== 'paused' && state.status !== 'partially-paused') {
      if (open.id > 0) await this.h.store(task.sid, { taskSid: task.sid, reminded: open.id }, 'reminder dropped');
      return;
    }
    const reminder = {
      action: 'reminder' as const,
      outcome: 'ok' as const,
      actor: 'system',
      role: 'system' as const,
      taskSid: task.sid,
      callSid: task.attributes.call_sid,
      conferenceSid: task.conferenceSid,
      recordingSids: state.recordings.map((r) => r.sid),
      details: { pausedAt: state.pausedAt, pausedBy: state.pausedBy, reminderSeconds: this.h.config.pauseRecording.reminderSeconds },
    };
    await this.h.store(task.sid, { taskSid: task.sid, ...(open.id > 0 ? { reminded: open.id } : {}), append: [reminder] }, 'reminder');
    this.h.bus.publish({ type: 'recording.reminder', taskSid: task.sid, state }, { worker: task.worker });
  }

  /** Claims what is due and handles it; a claim is given back once handled. */
  private async tick(): Promise<void> {
    if (this.ticking || this.stopped) return;
    this.ticking = true;
    try {
      const now = this.h.now();
      let due: PauseRecord[];
      let claimed = true;
      try {
        due = (await this.h.ledger.claimDeadlines(now, this.claimant, CLAIM_LEASE_MS)).map((c) => c.pause);
      } catch (e) {
        if (!this.h.ledger.isUnavailable(e)) throw e;
        // Storage refuses the claim (full, locked): reads go on, and what is due is still done here.
        claimed = false;
        due = (await this.h.ledger.openPauses()).filter((p) => {
          const d = dueAt(p, now);
          return d.autoResume || d.remind;
        });
      }
      await Promise.all(
        due.map(async (p) => {
          try {
            await this.handle(p, now);
          } catch (e) {
            this.h.logger.error({ err: e, taskSid: p.taskSid }, 'pause deadline failed');
          } finally {
            if (claimed)
              await this.h.ledger
                .release(p.id, this.claimant)
                .catch((e: unknown) => this.h.logger.warn({ err: e, taskSid: p.taskSid }, 'could not give a deadline claim back'));
          }
        }),
      );
    } catch (e) {
      this.h.logger.error({ err: e }, 'claiming pause deadlines failed');
    } finally {
      this.ticking = false;
    }
  }

  private async handle(p: PauseRecord, now: number): Promise<void> {
    const task = this.h.tasks.get(p.taskSid);
    if (task === null) return;
    // An overdue reminder still goes out before the auto-resume (after a restart both may be due):
    // the agent learns the pause ran long, then that it ended.
    if (!p.reminderFired && p.reminderAt !== null && now >= p.reminderAt) await this.remind(task, p, await this.h.stateLocked(task));
    if (!dueAt(p, now).autoResume) return;
    try {
      await this.h.autoResume(task);
    } catch (e) {
      this.h.logger.error({ err: e, taskSid: p.taskSid }, 'auto-resume failed');
    }
    // Something stayed paused (a provider or storage failure): the next try waits AUTO_RESUME_RETRY_MS.
    if (this.samePause(await this.h.openPauseOf(p.taskSid), p)) {
      await this.h.store(p.taskSid, { taskSid: p.taskSid, autoResumeAttempt: { pauseId: p.id, at: this.h.now() } }, 'auto-resume attempt');
    }
  }

  private async fireAutoResume(p: PauseRecord): Promise<void> {
    const task = this.h.tasks.get(p.taskSid);
    const same = async (): Promise<boolean> => this.samePause(await this.h.openPauseOf(p.taskSid).catch(() => p), p);
    if (task === null || !(await same())) return;
    try {
      await this.h.autoResume(task);
    } catch (e) {
      this.h.logger.error({ err: e, taskSid: p.taskSid }, 'auto-resume failed');
    }
    // Something stayed paused (a provider or storage failure): try again shortly, until resumed or the call ends.
    if (!this.stopped && (await same())) {
      const retry = setTimeout(() => void this.fireAutoResume(p), AUTO_RESUME_RETRY_MS);
      this.timers.set(p.taskSid, [...(this.timers.get(p.taskSid) ?? []), retry]);
    }
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.poll);
    for (const sid of [...this.timers.keys()]) this.disarm(sid);
  }
}
