import type {
  ActorRole,
  AuditEntry,
  AuditEvent,
  AuditOutcome,
  CompletionOutcome,
  DeferredLeg,
  NewAuditEvent,
  OpenPause,
  PauseBehavior,
  RecordingStatus,
  SpanClose,
  SpanOpen,
  TaskLedger,
} from '@pause-recording/core';

/**
 * The pause ledger: the one writer of what the server records about pauses — recordings seen,
 * paused spans, pause records (with their reminder and auto-resume deadlines), deferred legs and
 * audit rows. Every method is async and every write is one call that is one transaction, so an
 * implementation may sit on a remote database (PostgreSQL) shared by several server instances.
 * The decisions are made by the pure orchestration core; the ledger only stores them.
 */

/** What the server has seen of a recording (from listing it, starting it, or its status callbacks). */
export interface KnownRecording {
  readonly sid: string;
  readonly taskSid: string | null;
  readonly callSid: string | null;
  readonly conferenceSid: string | null;
  readonly source: string;
  readonly channels: number;
  readonly status: RecordingStatus;
  readonly startTime: string | null;
  readonly duration: string | null;
  /** Epoch ms when the server first saw it (the reference for pause offsets). */
  readonly firstSeenAt: number;
}

/** A recording to remember: what the provider reported, with optional timing fields. */
export type SeenRecording = Omit<KnownRecording, 'firstSeenAt' | 'taskSid' | 'startTime' | 'duration'> & {
  readonly startTime?: string | null;
  readonly duration?: string | null;
};

/** One open-or-closed pause of a task. Open pauses survive restarts so their deadlines do too. */
export interface PauseRecord {
  readonly id: number;
  readonly taskSid: string;
  readonly pausedAt: number;
  readonly pausedBy: string;
  readonly role: ActorRole;
  readonly behavior: PauseBehavior;
  readonly reminderAt: number | null;
  readonly autoResumeAt: number | null;
  readonly reminderFired: boolean;
  readonly closedAt: number | null;
  /** When the last auto-resume of this pause was tried and left it open, or null. */
  readonly lastAutoResumeAttemptAt: number | null;
}

/** The paused span of one recording, for annotations on the recordings page. */
export interface RecordingPauseRecord {
  readonly recordingSid: string;
  readonly taskSid: string | null;
  readonly pausedAt: number;
  readonly resumedAt: number | null;
  readonly behavior: PauseBehavior;
  readonly pausedBy: string;
  readonly role: string;
  /** Why: `manual`, `seed-route`, or the reason the agent typed. */
  readonly reason: string;
  readonly resumedBy: string | null;
}

export interface AuditQuery {
  readonly taskSid?: string;
  /** Only events of this actor (agents see their own). */
  readonly actor?: string;
  /** Only events of these tasks (agents also see events on tasks they hold). */
  readonly orTaskSids?: readonly string[];
  /** ISO 8601 bounds, inclusive. */
  readonly from?: string;
  readonly to?: string;
  readonly limit?: number;
}

/** The task a ledger view is for: its sid and the call legs and conference its recordings hang off. */
export interface TaskRef {
  readonly sid: string;
  /** The customer's call (named in the audit). */
  readonly callSid: string | null;
  readonly conferenceSid: string | null;
  /** Every call leg of the task now (customer and agent): the known recordings are those of these legs and the conference. */
  readonly legs: readonly string[];
}

/** The view the orchestration core decides from, plus the id of the open pause (null when none). */
export interface LedgerView extends TaskLedger {
  readonly pauseId: number | null;
}

/** A change of the task's pause record, as the core decides it. */
export type PauseWrite =
  | { readonly kind: 'none' }
  | { readonly kind: 'open'; readonly pause: OpenPause }
  | { readonly kind: 'close'; readonly at: number; readonly by: string; readonly reason: string };

/**
 * Everything one settlement stores, in one transaction: what the core's `settleChange`,
 * `settleSingleChange`, `decideExternalChange` or a deadline returned. Every part is idempotent
 * (a span never opens twice, a pause opens only when none is open, an audit event completes once),
 * so a write storage refused can be retried whole.
 */
export interface LedgerWrite {
  /** The task the write is about (null: a recording without a task, e.g. a seed route). */
  readonly taskSid: string | null;
  /** Recordings to remember (insert, or refresh status and timing; their task is set once). */
  readonly remember?: readonly SeenRecording[];
  /** First-seen time of recordings remembered now for the first time (default: now). */
  readonly firstSeenAt?: number;
  readonly spans?: { readonly open: readonly SpanOpen[]; readonly close: readonly SpanClose[] };
  readonly pause?: PauseWrite;
  /** Deferred legs to add (a transfer while paused). */
  readonly defer?: readonly DeferredLeg[];
  /** Deferred legs whose recording started, or that no longer wait (applied before `defer`). */
  readonly undefer?: readonly string[];
  /** Completes a pending audit event (ignored when it was already completed: the first completion stands). */
  readonly complete?: { readonly eventId: number; readonly outcome: CompletionOutcome; readonly details: Readonly<Record<string, unknown>> } | null;
  /** Whole audit events to append (observations, refusals, reminders, recording starts, ...). */
  readonly append?: readonly (NewAuditEvent & { readonly outcome: Exclude<AuditOutcome, 'pending'> })[];
  /** The open pause's reminder was sent (or dropped). */
  readonly reminded?: number;
  /** An auto-resume of the pause was tried at `at` and left it open: the next try waits. */
  readonly autoResumeAttempt?: { readonly pauseId: number; readonly at: number };
}

export interface LedgerReceipt {
  /** The pause record the write opened, or null. */
  readonly opened: PauseRecord | null;
  /** Ids of the appended audit events, in order. */
  readonly appended: readonly number[];
}

/** An open pause one instance claimed because a deadline (reminder or auto-resume) is due. */
export interface DeadlineClaim {
  readonly pause: PauseRecord;
  /** The claim expires at this time (epoch ms): another instance may take the pause over then. */
  readonly until: number;
}

export interface PauseLedger {
  // Reads: never write.
  /** What the core decides from: the task's known recordings, deferred legs, open spans and open pause. */
  view(task: TaskRef): Promise<LedgerView>;
  recording(sid: string): Promise<KnownRecording | null>;
  recordings(filter?: { readonly taskSids?: readonly string[] }): Promise<KnownRecording[]>;
  spans(recordingSid: string): Promise<RecordingPauseRecord[]>;
  openPause(taskSid: string): Promise<PauseRecord | null>;
  openPauses(): Promise<PauseRecord[]>;
  deferredLegs(taskSid: string): Promise<DeferredLeg[]>;
  audit(q: AuditQuery): Promise<AuditEvent[]>;
  /** Pending audit events with no completion, oldest first (what an earlier process left). */
  unresolvedAudit(): Promise<AuditEvent[]>;

  // Writes: each one call, one transaction.
  /** Writes an audit event as `pending`, before the provider is asked. */
  begin(entry: AuditEntry | Omit<NewAuditEvent, 'outcome'>): Promise<AuditEvent>;
  /** Appends one whole audit event (an observation, a refusal, a reminder, ...). */
  append(event: NewAuditEvent): Promise<AuditEvent>;
  /** Stores one settlement atomically. */
  settle(write: LedgerWrite): Promise<LedgerReceipt>;
  /** The task's call ended: closes its open spans and pause, forgets its deferred legs. */
  endTask(taskSid: string, at: number, by: string): Promise<void>;
  /**
   * Claims open pauses whose next deadline (reminder not yet sent, or auto-resume) is at or before
   * `now` and that no other claimant holds: exactly one claimant gets each until `now + leaseMs`.
   * (PostgreSQL: `SELECT ... FOR UPDATE SKIP LOCKED`.)
   */
  claimDeadlines(now: number, claimant: string, leaseMs: number): Promise<DeadlineClaim[]>;
  /** Gives a claim back (the deadline was handled, or the pause closed). */
  release(pauseId: number, claimant: string): Promise<void>;

  /** True when `e` means storage refused (full, read-only, locked, unreachable), not a bug. */
  isUnavailable(e: unknown): e is Error;
  /** Throws when storage cannot answer (for /health/ready). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
