import type { AppConfig, TaskRecordingState } from '@pause-recording/core';
import type { Logger } from 'pino';
import type { EventBus } from '../events/event-bus.ts';
import type { LedgerReceipt, LedgerWrite, PauseRecord } from '../ledger/ledger.ts';
import type { TaskRecord, TaskStore } from '../tasks/task-store.ts';

/** How soon an auto-resume that left something paused is tried again. */
const AUTO_RESUME_RETRY_MS = 2000;

interface Host {
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
 * The pause policy's timers: a reminder after `reminder_seconds`, an auto-resume after
 * `max_pause_seconds` (retried until it sticks). Armed from memory, so they run even while
 * storage refuses to keep the pause record.
 */
export class PausePolicy {
  private readonly timers = new Map<string, NodeJS.Timeout[]>();
  private stopped = false;

  constructor(private readonly h: Host) {}

  arm(p: PauseRecord): void {
    this.disarm(p.taskSid);
    if (this.stopped) return;
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
      const state = await this.h.stateLocked(task);
      if (state.status !== 'paused' && state.status !== 'partially-paused') return;
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
    } catch (e) {
      this.h.logger.error({ err: e, taskSid: p.taskSid }, 'reminder failed');
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
    for (const sid of [...this.timers.keys()]) this.disarm(sid);
  }
}
