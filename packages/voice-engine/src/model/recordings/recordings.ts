import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_PAUSE_BEHAVIOR, planUpdate, type PauseBehavior, type RequestableStatus } from '@pause-recording/core';
import { newSid } from '../../support/ids.ts';
import type { Call } from '../calls/call.ts';
import type { EngineContext } from '../context.ts';
import { CallNotInProgressError, ConcurrentRecordingsError, ConflictError, NoActiveRecordingError, NotFoundError, RecordingNotActiveError } from '../errors.ts';
import type { RecordingInput } from '../inputs.ts';
import { newestFirst, Registry } from '../registry.ts';
import type { Callback, RecordingEvent, RecordingTrack } from '../types.ts';
import { Recording, type RecordingSource } from './recording.ts';

/** The call or the conference a recording belongs to. */
export type RecordingOwner = { callSid: string; conferenceSid?: undefined } | { conferenceSid: string; callSid?: undefined };

export interface OpenRecording {
  callSid: string | null;
  conferenceSid: string | null;
  channels: 1 | 2;
  track: RecordingTrack | null;
  source: RecordingSource;
  callback: Callback | null;
  events: RecordingEvent[];
}

/**
 * Recordings: opening one (a WAV on disk), pausing, resuming and stopping it, and finishing
 * it once its audio is final. Every status change goes through `Recording.moveTo`, that is
 * through core's transition table.
 */
export class RecordingRoom extends Registry<Recording> {
  protected readonly noun = 'Recording';
  private readonly ctx: EngineContext;
  /** Recordings that capture frames: in-progress or paused. */
  private readonly activeSet = new Set<Recording>();
  /** Active recordings by owner: a call recording under its call SID, a conference's under the conference SID. */
  private readonly activeByOwner = new Map<string, Set<Recording>>();
  /** Stopped recordings waiting (one turn) to be finished as completed or absent. */
  private readonly pendingFinal = new Set<Recording>();

  constructor(ctx: EngineContext) {
    super();
    this.ctx = ctx;
  }

  get active(): ReadonlySet<Recording> {
    return this.activeSet;
  }

  /** The active recordings of a call (its call recordings) or of a conference, by SID. */
  activeOf(ownerSid: string): ReadonlySet<Recording> | undefined {
    return this.activeByOwner.get(ownerSid);
  }

  /** Recordings an earlier run left: already finished by the restore, so served from the store. */
  adopt(recordings: Iterable<Recording>): void {
    for (const r of recordings) if (r.active) this.items.set(r.sid, r);
  }

  // ---------------------------------------------------------------- queries

  // Finished recordings live in the store only (evicted once final): read back on demand.
  protected override stored(sid: string): Recording | undefined {
    return this.ctx.persistence.recording(sid);
  }

  protected override storedAll(): Recording[] {
    return this.ctx.persistence.recordings();
  }

  protected override storedCount(): number {
    return this.ctx.persistence.count('recording');
  }

  /** The store's recordings (of one owner), with the ones still in memory as they are now. */
  private merged(owner?: { field: 'callSid' | 'conferenceSid'; sid: string }): Recording[] {
    return this.ctx.persistence.recordings(owner, this.items);
  }

  /** Every recording, newest first, optionally of one call and/or one conference. */
  list(filter: { callSid?: string | undefined; conferenceSid?: string | undefined } = {}): Recording[] {
    const owner = filter.callSid
      ? { field: 'callSid' as const, sid: filter.callSid }
      : filter.conferenceSid
        ? { field: 'conferenceSid' as const, sid: filter.conferenceSid }
        : undefined;
    return newestFirst(
      this.merged(owner).filter(
        (r) => (!filter.callSid || r.callSid === filter.callSid) && (!filter.conferenceSid || r.conferenceSid === filter.conferenceSid),
      ),
    );
  }

  /** The call recordings of a call, or the recordings of a conference, newest first. */
  ownedBy(owner: RecordingOwner): Recording[] {
    const key = owner.callSid !== undefined ? { field: 'callSid' as const, sid: owner.callSid } : { field: 'conferenceSid' as const, sid: owner.conferenceSid };
    return newestFirst(this.merged(key).filter((r) => belongsTo(r, owner)));
  }

  /** A recording by SID that belongs to `owner` (a call's recording asked for under another call is not found). */
  findOf(sid: string, owner: RecordingOwner): Recording {
    const r = this.get(sid);
    if (!r || !belongsTo(r, owner)) throw new NotFoundError(`Recording ${sid}`);
    return r;
  }

  /** `Twilio.CURRENT` names the one active recording of a call or conference. */
  current(owner: RecordingOwner): Recording {
    const active = [...(this.activeByOwner.get(ownerSid(owner)) ?? [])].filter((r) => belongsTo(r, owner));
    const what = owner.callSid !== undefined ? `call ${owner.callSid}` : `conference ${owner.conferenceSid}`;
    if (active.length === 0) throw new NoActiveRecordingError(what);
    if (active.length > 1) throw new ConcurrentRecordingsError(what);
    return active[0]!;
  }

  // ---------------------------------------------------------------- commands

  startCallRecording(c: Call, input: RecordingInput): Recording {
    if (c.status !== 'in-progress') throw new CallNotInProgressError(c.sid, c.status);
    return this.open({
      callSid: c.sid,
      conferenceSid: null,
      channels: input.channels,
      track: input.track,
      source: input.source ?? 'StartCallRecordingAPI',
      callback: input.callback,
      events: input.events,
    });
  }

  open(o: OpenRecording): Recording {
    const ctx = this.ctx;
    const sid = newSid('recording');
    const wavPath = join(ctx.dataDir, 'recordings', `${sid}.wav`);
    const writer = ctx.openWriter(wavPath, o.channels, { callSid: o.callSid, conferenceSid: o.conferenceSid });
    const rec = new Recording(
      {
        sid,
        accountSid: ctx.accountSid,
        callSid: o.callSid,
        conferenceSid: o.conferenceSid,
        channels: o.channels,
        track: o.track,
        source: o.source,
        callback: o.callback,
        callbackEvents: o.events,
        wavPath,
        startTick: ctx.cursor,
        createdMs: Date.now(),
      },
      writer,
      () => ctx.cursor,
    );
    rec.logChange(ctx.cursor, rec.createdMs);
    this.items.set(sid, rec);
    this.activeSet.add(rec);
    const key = keyOf(rec);
    let owned = this.activeByOwner.get(key);
    if (!owned) this.activeByOwner.set(key, (owned = new Set()));
    owned.add(rec);
    ctx.audioChanges?.recording(rec);
    ctx.persistence.saveRecording(rec);
    ctx.events.recording(rec, 'in-progress');
    return rec;
  }

  /**
   * Status update from the API. Asking for the status a recording already has is a no-op
   * (unchanged); a recording that is no longer active cannot change (RecordingNotActiveError).
   */
  update(r: Recording, status: RequestableStatus, behavior: PauseBehavior | undefined): Recording {
    const plan = planUpdate(r.status, status);
    if (plan.kind === 'not-active') throw new RecordingNotActiveError(r.sid, r.status);
    if (plan.kind === 'no-op') return r;
    if (plan.to === 'stopped') {
      this.stop(r);
      return r;
    }
    r.moveTo(plan.to);
    r.pauseBehavior = plan.to === 'paused' ? (behavior ?? DEFAULT_PAUSE_BEHAVIOR) : null;
    // Everything captured before a pause is made durable at once.
    if (plan.to === 'paused') r.writer?.flush();
    this.ctx.audioChanges?.recording(r);
    r.logChange(this.ctx.cursor, Date.now());
    this.ctx.persistence.saveRecording(r);
    return r;
  }

  /** Stops an active recording (no-op otherwise); it is finished as completed or absent on the next turn. */
  stop(r: Recording): void {
    if (!r.active) return;
    const { persistence } = this.ctx;
    r.moveTo('stopped');
    r.pauseBehavior = null;
    // An audio thread's writer closes later: the recording is final once its file is.
    const closed = r.writer?.close();
    r.writer = null;
    this.activeSet.delete(r);
    const key = keyOf(r);
    const owned = this.activeByOwner.get(key);
    owned?.delete(r);
    if (owned?.size === 0) this.activeByOwner.delete(key);
    r.logChange(this.ctx.cursor, Date.now());
    persistence.saveRecording(r);
    r.moveTo('processing');
    r.logChange(this.ctx.cursor, Date.now());
    persistence.saveRecording(r);
    this.pendingFinal.add(r);
    // An audio thread normally closed the file already (a bounded wait); if still busy, finish once it is.
    if (closed instanceof Promise) void closed.then(() => setImmediate(() => this.finalize(r)));
    else setImmediate(() => this.finalize(r));
  }

  /** Stops every active recording of a call (its call recordings) or of a conference. */
  stopOwnedBy(owner: RecordingOwner): void {
    const owned = this.activeByOwner.get(ownerSid(owner));
    if (owned) for (const r of [...owned]) if (belongsTo(r, owner)) this.stop(r);
  }

  /** At close: stops every active recording and finishes every stopped one now. */
  finishAll(): void {
    for (const r of [...this.activeSet]) this.stop(r);
    for (const r of [...this.pendingFinal]) this.finalize(r);
  }

  delete(r: Recording): void {
    if (r.active || this.pendingFinal.has(r) || [...this.pendingFinal].some((p) => p.sid === r.sid)) {
      throw new ConflictError(`Recording ${r.sid} is ${r.status}; it can be deleted once completed`);
    }
    this.items.delete(r.sid);
    this.ctx.persistence.remove(r.sid);
    rmSync(r.wavPath, { force: true });
  }

  private finalize(r: Recording): void {
    if (!this.pendingFinal.delete(r)) return;
    r.moveTo(r.fileFrames > 0 ? 'completed' : 'absent');
    r.logChange(this.ctx.cursor, Date.now());
    this.ctx.persistence.saveRecording(r);
    this.ctx.events.recording(r, r.status === 'completed' ? 'completed' : 'absent');
    // Final: from now on it is served from the store, so memory does not grow with history.
    this.items.delete(r.sid);
  }
}

function ownerSid(owner: RecordingOwner): string {
  return owner.callSid !== undefined ? owner.callSid : owner.conferenceSid;
}

/** The SID a recording is indexed under: its call's for a call recording, its conference's otherwise. */
function keyOf(r: Recording): string {
  return (r.kind === 'call' ? r.callSid : r.conferenceSid) ?? r.sid;
}

function belongsTo(r: Recording, owner: RecordingOwner): boolean {
  return owner.callSid !== undefined ? r.kind === 'call' && r.callSid === owner.callSid : r.kind === 'conference' && r.conferenceSid === owner.conferenceSid;
}
