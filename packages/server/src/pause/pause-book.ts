import { pauseSchedule, type AppConfig, type PauseBehavior, type TaskRecordingState } from '@pause-recording/core';
import type { Logger } from 'pino';
import type { AuditStore } from '../audit/audit-store.ts';
import type { EventBus } from '../events/event-bus.ts';
import type { TaskRecord, TaskStore } from '../tasks/task-store.ts';
import type { Actor } from './actor.ts';
import { PausePolicy } from './pause-policy.ts';
import type { PauseRecord, PauseStore } from './pause-store.ts';
import { PendingWrites } from './pending-writes.ts';

interface Deps {
  readonly pauses: PauseStore;
  readonly tasks: TaskStore;
  readonly audit: AuditStore;
  readonly bus: EventBus;
  readonly logger: Logger;
  readonly config: AppConfig;
  readonly now: () => number;
  stateLocked(task: TaskRecord): Promise<TaskRecordingState>;
  autoResume(task: TaskRecord): Promise<unknown>;
}

/** Identifies a pause whether it is kept in memory or stored. */
const pauseKey = (p: PauseRecord): string => `${p.taskSid}@${p.pausedAt}`;

/**
 * The open pauses of tasks and their timers. A pause is armed from memory first and then stored,
 * so when storage refuses the record (disk full, foreign lock) the reminder and auto-resume still
 * run; the record and every other refused write are retried until they land.
 */
export class PauseBook {
  /** Writes storage refused, per task (or call), retried until they succeed. */
  readonly writes: PendingWrites;
  private readonly policy: PausePolicy;
  /** Pauses storage refused to keep: their timers run from memory until the record is stored. */
  private readonly volatile = new Map<string, PauseRecord>();
  private volatileSeq = 0;
  /** Pauses whose recordings were set capturing again outside the server (their state raises the alarm). */
  private readonly contradicted = new Set<string>();

  constructor(private readonly d: Deps) {
    this.writes = new PendingWrites(d.logger);
    this.policy = new PausePolicy({ ...d, openPauseOf: (sid) => this.openPauseOf(sid) });
  }

  /** The task's open pause: the stored one, or the one kept in memory while storage refused it. */
  openPauseOf(taskSid: string): PauseRecord | null {
    return this.volatile.get(taskSid) ?? this.d.pauses.open(taskSid);
  }

  open(taskSid: string, actor: Actor, behavior: PauseBehavior, at: number): void {
    const schedule = pauseSchedule(at, this.d.config.pauseRecording);
    const draft = { taskSid, pausedAt: at, pausedBy: actor.identity, role: actor.role, behavior, ...schedule };
    const p: PauseRecord = { ...draft, id: -++this.volatileSeq, reminderFired: false, closedAt: null };
    this.volatile.set(taskSid, p);
    this.policy.arm(p);
    this.persist(p);
  }

  /** Stores a pause kept in memory (a no-op once stored); its timers carry over to the stored id. */
  private persist(p: PauseRecord): void {
    this.writes.run(p.taskSid, [
      [
        'pause record',
        () => {
          if (this.volatile.get(p.taskSid) !== p) return;
          const { taskSid, pausedAt, pausedBy, role, behavior, reminderAt, autoResumeAt } = p;
          const stored = this.d.pauses.start({ taskSid, pausedAt, pausedBy, role, behavior, reminderAt, autoResumeAt });
          this.volatile.delete(p.taskSid);
          this.policy.arm(stored);
        },
      ],
    ]);
  }

  /** Closes the task's open pause (if any) and disarms its timers. */
  close(taskSid: string, actor: Actor, reason: string): void {
    const open = this.openPauseOf(taskSid);
    if (open !== null) this.contradicted.delete(pauseKey(open));
    this.volatile.delete(taskSid);
    this.policy.disarm(taskSid);
    const at = this.d.now();
    this.writes.run(taskSid, [
      [
        'pause close',
        () => {
          const p = this.d.pauses.open(taskSid);
          if (p !== null) this.d.pauses.close(p.id, at, actor.identity, reason);
        },
      ],
    ]);
  }

  /** The call ended: forget what is kept in memory for the task and disarm its timers. */
  forget(taskSid: string): void {
    this.volatile.delete(taskSid);
    this.writes.drop(taskSid);
    this.policy.disarm(taskSid);
  }

  /** Marks the pause as contradicted: its recordings capture again although nobody here resumed them. */
  markContradicted(p: PauseRecord): void {
    this.contradicted.add(pauseKey(p));
  }

  isContradicted(p: PauseRecord): boolean {
    return this.contradicted.has(pauseKey(p));
  }

  /** Retries what storage refused earlier for the task; true when nothing is left. */
  retry(taskSid: string): boolean {
    const volatile = this.volatile.get(taskSid);
    if (volatile !== undefined) this.persist(volatile);
    return this.writes.retry(taskSid) && !this.volatile.has(taskSid);
  }

  /** Retries every write storage refused so far (the reconcile calls this periodically). */
  retryAll(): void {
    for (const key of [...new Set([...this.writes.keys(), ...this.volatile.keys()])]) {
      try {
        this.retry(key);
      } catch (e) {
        this.d.logger.error({ err: e, key }, 'retrying refused writes failed');
      }
    }
  }

  /** Tasks with an open pause (stored or kept in memory), for the reconcile. */
  openTasks(): string[] {
    return [...new Set([...this.d.pauses.allOpen().map((p) => p.taskSid), ...this.volatile.keys()])];
  }

  /** Arms reminder and auto-resume timers of every open pause (after a restart). */
  rearmAll(): number {
    const open = this.d.pauses.allOpen();
    for (const p of open) this.policy.arm(p);
    return open.length;
  }

  stop(): void {
    this.policy.stop();
  }
}
