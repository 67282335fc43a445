import type { TaskStatus } from '@pause-recording/core';
import type { TrReservation } from './taskrouter-client.ts';

/** What the cache reports (prom-client counters in metrics.ts). */
export interface GrantCacheObserver {
  lookup(result: 'hit' | 'miss'): void;
  /** Entries dropped, and why: a TaskRouter event, this server's own TaskRouter write, or the cache being turned off. */
  dropped(source: 'event' | 'write' | 'off', entries: number): void;
}

interface Entry {
  readonly expiresAt: number;
  readonly taskSid: string;
  /** null: a supervisor's entry (the task's status alone decides). */
  readonly workerSid: string | null;
  readonly reservation: TrReservation | null;
  readonly status: TaskStatus;
}

/** Past this many fresh entries, all are dropped (bounded memory; expired ones go as they expire). */
const MAX_ENTRIES = 5000;
/** SIDs remembered as invalidated while reads may be in flight; past this, the oldest go (and reads begun before them may not store). */
const MAX_TOUCHED = 10_000;
/** An invalidation is remembered this long; a read begun before a forgotten one may not store (a read that slow is stale anyway). */
const TOUCHED_MS = 60_000;

/**
 * A copy of `s` that holds no reference to a larger string. A SID parsed from a webhook body is a
 * slice of the whole body (V8 sliced string): kept as a map key it would keep the body (≈1.6 KB) alive.
 */
const detached = (s: string): string => Buffer.from(s, 'latin1').toString('latin1');

/**
 * Positive TaskRouter authorizations, reused for at most `ttlMs` (TASKROUTER_GRANT_CACHE_MS) and
 * dropped as soon as a TaskRouter event (or this server's own write) names their task, reservation
 * or worker. A refusal is never kept. Used only while `enable()`d: the server turns it on once it
 * knows the workspace's events reach it (docs/security.md); otherwise every decision reads TaskRouter.
 *
 * A read that began before an invalidation naming its SIDs must not store what it read (it may
 * predate the change the event announced): `begin()` takes a sequence number, `put*` compares it
 * with the last invalidation of each SID.
 */
export class GrantCache {
  private on = false;
  private readonly entries = new Map<string, Entry>();
  private seq = 0;
  /** Reads begun before this sequence number may not store (the `touched` map was cleared). */
  private floor = 0;
  /** SID -> sequence number and time of its last invalidation, oldest first (each is moved to the end when named again). */
  private readonly touched = new Map<string, { seq: number; at: number }>();

  constructor(
    readonly ttlMs: number,
    private readonly observer: GrantCacheObserver | null = null,
    private readonly now: () => number = Date.now,
  ) {}

  /** In use: a TTL above 0, and the server knows the workspace's events reach it. */
  get enabled(): boolean {
    return this.on && this.ttlMs > 0;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Invalidations remembered for reads in flight (at most the last TOUCHED_MS, at most MAX_TOUCHED). */
  get remembered(): number {
    return this.touched.size;
  }

  enable(): void {
    this.on = this.ttlMs > 0;
  }

  /** Off (events may no longer arrive): everything kept is dropped, and reads in flight may not store. */
  disable(): void {
    this.on = false;
    this.clear('off');
  }

  /** Drops every entry; reads in flight may not store. */
  clear(source: 'event' | 'write' | 'off'): void {
    const n = this.entries.size;
    this.entries.clear();
    this.touched.clear();
    this.seq++;
    this.floor = this.seq;
    if (n > 0) this.observer?.dropped(source, n);
  }

  /** Taken before reading TaskRouter; handed to `put*` with what was read. */
  begin(): number {
    return this.seq;
  }

  /** The reservation that authorized `workerSid` on `taskSid`, while fresh; null: read TaskRouter. */
  grant(workerSid: string, taskSid: string): TrReservation | null {
    const e = this.get(`${workerSid} ${taskSid}`);
    return e?.reservation ?? null;
  }

  /** The live status of `taskSid` a supervisor's decision read, while fresh; null: read TaskRouter. */
  taskStatus(taskSid: string): TaskStatus | null {
    return this.get(`* ${taskSid}`)?.status ?? null;
  }

  /** Keeps an accepted or wrapping reservation read since `token`, unless an invalidation named one of its SIDs since. */
  putGrant(token: number, reservation: TrReservation): void {
    const status: TaskStatus = reservation.status === 'wrapping' ? 'wrapping' : 'assigned';
    this.put(token, `${reservation.workerSid} ${reservation.taskSid}`, [reservation.workerSid, reservation.taskSid, reservation.sid], {
      taskSid: reservation.taskSid,
      workerSid: reservation.workerSid,
      reservation,
      status,
    });
  }

  /** Keeps a live task's status (a supervisor's decision) read since `token`. */
  putTask(token: number, taskSid: string, status: TaskStatus): void {
    this.put(token, `* ${taskSid}`, [taskSid], { taskSid, workerSid: null, reservation: null, status });
  }

  /** Drops every entry naming one of `sids` (a task, reservation or worker SID); returns how many. */
  invalidate(sids: readonly string[], source: 'event' | 'write'): number {
    if (sids.length === 0) return 0;
    this.seq++;
    const now = this.now();
    for (const sid of sids) {
      this.touched.delete(sid);
      this.touched.set(detached(sid), { seq: this.seq, at: now });
    }
    this.forgetTouched(now);
    let n = 0;
    for (const [key, e] of this.entries) {
      if (sids.includes(e.taskSid) || (e.workerSid !== null && sids.includes(e.workerSid)) || (e.reservation !== null && sids.includes(e.reservation.sid))) {
        this.entries.delete(key);
        n++;
      }
    }
    if (n > 0) this.observer?.dropped(source, n);
    return n;
  }

  /** Invalidations older than TOUCHED_MS (or past MAX_TOUCHED) are forgotten; reads begun before them may no longer store. */
  private forgetTouched(now: number): void {
    for (const [sid, t] of this.touched) {
      if (t.at > now - TOUCHED_MS && this.touched.size <= MAX_TOUCHED) break;
      this.touched.delete(sid);
      if (t.seq > this.floor) this.floor = t.seq;
    }
  }

  /** Expired entries go from the front: entries are kept in order of expiry (one TTL, re-inserted on put). */
  private sweep(now: number): void {
    for (const [key, e] of this.entries) {
      if (e.expiresAt > now) break;
      this.entries.delete(key);
    }
  }

  private get(key: string): Entry | null {
    if (!this.enabled) return null;
    const now = this.now();
    this.sweep(now);
    const e = this.entries.get(key);
    if (e !== undefined && e.expiresAt > now) {
      this.observer?.lookup('hit');
      return e;
    }
    this.observer?.lookup('miss');
    return null;
  }

  private put(token: number, key: string, sids: readonly string[], e: Omit<Entry, 'expiresAt'>): void {
    if (!this.enabled || token < this.floor) return;
    // Named by an invalidation after the read began: what was read may predate the change.
    if (sids.some((sid) => (this.touched.get(sid)?.seq ?? -1) > token)) return;
    const now = this.now();
    this.sweep(now);
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    // Deleted first so the entry moves to the end: the map stays in order of expiry.
    this.entries.delete(key);
    this.entries.set(key, { ...e, expiresAt: now + this.ttlMs });
  }
}
