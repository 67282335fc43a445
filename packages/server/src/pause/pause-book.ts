import type { AppConfig, TaskRecordingState } from '@pause-recording/core';
import type { Logger } from 'pino';
import type { EventBus } from '../events/event-bus.ts';
import type { LedgerReceipt, LedgerWrite, PauseLedger, PauseRecord } from '../ledger/ledger.ts';
import type { TaskRecord, TaskStore } from '../tasks/task-store.ts';
import { PausePolicy } from './pause-policy.ts';
import { PendingWrites } from './pending-writes.ts';

interface Deps {
  readonly ledger: PauseLedger;
  readonly tasks: TaskStore;
  readonly bus: EventBus;
  readonly logger: Logger;
  readonly config: AppConfig;
  readonly now: () => number;
  stateLocked(task: TaskRecord): Promise<TaskRecordingState>;
  autoResume(task: TaskRecord): Promise<unknown>;
  /** Counts reminders once they are on record (for /metrics). */
  readonly metrics?: { reminder(): void } | undefined;
}

/** Identifies a pause whether it is kept in memory or stored. */
const pauseKey = (p: PauseRecord): string => `${p.taskSid}@${p.pausedAt}`;

/**
 * The process's side of the ledger: every settlement goes to the ledger in one call; the open
 * pauses' timers run here. A pause is armed from memory first and then stored, so when storage
 * refuses the settlement (disk full, foreign lock) the reminder and auto-resume still run; the
 * settlement is kept whole and retried until it lands.
 */
export class PauseBook {
  /** Settlements storage refused, per task (or call), retried until they succeed. */
  readonly writes: PendingWrites;
  private readonly policy: PausePolicy;
  /** Pauses storage refused to keep: their timers run from memory until the record is stored. */
  private readonly volatile = new Map<string, PauseRecord>();
  private volatileSeq = 0;
  /** Pauses whose recordings were set capturing again outside the server (their state raises the alarm). */
  private readonly contradicted = new Set<string>();

  constructor(private readonly d: Deps) {
    this.writes = new PendingWrites(d.logger, (e): e is Error => d.ledger.isUnavailable(e));
    this.policy = new PausePolicy({ ...d, openPauseOf: (sid) => this.openPauseOf(sid), store: (key, w) => this.store(key, w) });
  }

  /** The task's open pause: the one kept in memory while storage refused it, or the stored one. */
  async openPauseOf(taskSid: string): Promise<PauseRecord | null> {
    return this.volatile.get(taskSid) ?? (await this.d.ledger.openPause(taskSid));
  }

  /**
   * Stores one settlement (one ledger transaction) under `key`, after whatever is still waiting
   * for the key. Arms the timers of a pause it opens (from memory at once, from the stored record
   * once it lands) and disarms those of a pause it closes.
   */
  async store(key: string, w: LedgerWrite, what = 'settlement'): Promise<LedgerReceipt | null> {
    const taskSid = w.taskSid;
    let memo: PauseRecord | null = null;
    if (taskSid !== null && w.pause?.kind === 'open' && (await this.openPauseOf(taskSid).catch(() => null)) === null) {
      memo = { ...w.pause.pause, id: -++this.volatileSeq, taskSid, closedAt: null, lastAutoResumeAttemptAt: null };
      this.volatile.set(taskSid, memo);
      this.policy.arm(memo);
    } else if (taskSid !== null && w.pause?.kind === 'close') {
      const open = this.volatile.get(taskSid) ?? null;
      if (open !== null) this.contradicted.delete(pauseKey(open));
      this.volatile.delete(taskSid);
      this.policy.disarm(taskSid);
    }
    let receipt: LedgerReceipt | null = null;
    await this.writes.run(key, [
      [
        what,
        async () => {
          // A pause closed while its record waited for storage must not be stored open afterwards.
          const stale = taskSid !== null && memo !== null && this.volatile.get(taskSid) !== memo;
          receipt = await this.d.ledger.settle(stale ? { ...w, pause: { kind: 'none' } } : w);
          for (const e of w.append ?? []) if (e.action === 'reminder') this.d.metrics?.reminder();
          if (taskSid !== null && memo !== null && this.volatile.get(taskSid) === memo) {
            this.volatile.delete(taskSid);
            const stored = receipt.opened ?? (await this.d.ledger.openPause(taskSid));
            if (stored !== null) this.policy.arm(stored);
          }
        },
      ],
    ]);
    return receipt;
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
  async retry(taskSid: string): Promise<boolean> {
    return (await this.writes.retry(taskSid)) && !this.volatile.has(taskSid);
  }

  /** Retries every write storage refused so far (the reconcile calls this periodically). */
  async retryAll(): Promise<void> {
    for (const key of [...new Set([...this.writes.keys(), ...this.volatile.keys()])]) {
      try {
        await this.retry(key);
      } catch (e) {
        this.d.logger.error({ err: e, key }, 'retrying refused writes failed');
      }
    }
  }

  /** Tasks with an open pause (stored or kept in memory), for the reconcile. */
  async openTasks(): Promise<string[]> {
    return [...new Set([...(await this.d.ledger.openPauses()).map((p) => p.taskSid), ...this.volatile.keys()])];
  }

  /** Starts claiming the due deadlines of stored pauses from the ledger every `intervalMs`. */
  startDeadlines(intervalMs: number): void {
    this.policy.startClaims(intervalMs);
  }

  /** Arms reminder and auto-resume timers of every open pause (after a restart). */
  async rearmAll(): Promise<number> {
    const open = await this.d.ledger.openPauses();
    for (const p of open) this.policy.arm(p);
    return open.length;
  }

  stop(): void {
    this.policy.stop();
  }
}
