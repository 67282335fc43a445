import { callJson, conferenceJson, type Json } from '../../serialize.ts';
import type { EngineStore, ResourceKind, StoredRow } from '../../support/store.ts';
import type { Call } from '../calls/call.ts';
import type { Conference } from '../conferences/conference.ts';
import type { PhoneNumber } from '../numbers/phone-number.ts';
import { Recording } from '../recordings/recording.ts';
import type { Reservation, Task } from '../taskrouter/types.ts';
import { restoreState, type RestoredState } from './restore.ts';

/** Key of the engine's own fields in a stored call's JSON. */
export const ENGINE_FIELDS = '_engine';

/** Stored JSON as the API answers it: without the engine's own fields. */
export function publicJson(j: Json): Json {
  if (!(ENGINE_FIELDS in j)) return j;
  const { [ENGINE_FIELDS]: _engine, ...rest } = j;
  return rest;
}

/**
 * Writes a recording: its fields as one row (indexed by its call or conference) and its event log
 * from entry `from` on, appended (entries before `from` are stored already; 0 writes them all,
 * keeping any that are). One transaction.
 */
export function writeRecording(store: EngineStore, r: Recording, from: number): void {
  const { events, ...fields } = r.toStored();
  store.saveWithLog('recording', r.sid, r.createdMs, fields, { callSid: r.callSid, conferenceSid: r.conferenceSid }, events, from);
}

/** A stored recording with its event log (a row written before the log had its own table holds its events inline). */
export function readRecording(store: EngineStore, row: StoredRow): Recording {
  const data = row.data as { events?: unknown[] };
  return Recording.restore({ ...data, events: [...(data.events ?? []), ...store.log(row.sid)] });
}

/**
 * Every state change is written at once (never per frame), so a crash loses nothing the
 * API acknowledged. Calls and conferences are kept as the JSON Twilio would answer,
 * recordings and numbers as their own fields.
 */
export class Persistence {
  private readonly store: EngineStore;
  /** How many of a recording's events are stored: a change appends only the new ones. */
  private readonly savedEvents = new WeakMap<Recording, number>();

  constructor(store: EngineStore) {
    this.store = store;
  }

  /** What an earlier run left, with anything a crash cut short finished. */
  restore(nowMs: number): RestoredState {
    return restoreState(this.store, nowMs);
  }

  saveCall(c: Call): void {
    // Twilio's JSON plus what only the engine knows (served never, read back by `Call.fromStored`).
    this.store.save('call', c.sid, c.createdMs, {
      ...callJson(c),
      [ENGINE_FIELDS]: { slot: c.slot, answeredTick: c.answeredTick, endedTick: c.endedTick, audio: c.audio },
    });
  }

  /** Saves a changed call with its `date_updated` moved to now. */
  touchCall(c: Call): void {
    c.updatedMs = Date.now();
    this.saveCall(c);
  }

  saveConference(conf: Conference): void {
    this.store.save('conference', conf.sid, conf.createdMs, conferenceJson(conf));
  }

  touchConference(conf: Conference): void {
    conf.updatedMs = Date.now();
    this.saveConference(conf);
  }

  saveRecording(r: Recording): void {
    writeRecording(this.store, r, this.savedEvents.get(r) ?? 0);
    this.savedEvents.set(r, r.events.length);
  }

  /** Saves a changed number with its `date_updated` moved to now. */
  saveNumber(n: PhoneNumber): void {
    n.updatedMs = Date.now();
    this.store.save('number', n.sid, n.createdMs, n);
  }

  /** A TaskRouter resource (workspace, worker, task…), kept as its own fields. */
  saveTaskRouter(kind: Extract<ResourceKind, `tr-${string}`>, x: { sid: string; createdMs: number }): void {
    if (kind === 'tr-reservation') {
      const r = x as Reservation;
      this.store.saveReservation(r.sid, r.createdMs, r, { taskSid: r.taskSid, workerSid: r.workerSid });
    } else this.store.save(kind, x.sid, x.createdMs, x);
  }

  // Finished TaskRouter tasks and their reservations are not kept in memory either.

  /** A stored task, or undefined. */
  task(sid: string): Task | undefined {
    return this.store.get('tr-task', sid)?.data as Task | undefined;
  }

  /** Every stored task, oldest first; one that `inMemory` holds is answered from there. */
  tasks(inMemory: ReadonlyMap<string, Task>): Task[] {
    return this.store.all('tr-task').map((r) => inMemory.get(r.sid) ?? (r.data as Task));
  }

  /** A stored reservation, or undefined. */
  reservation(sid: string): Reservation | undefined {
    return this.store.get('tr-reservation', sid)?.data as Reservation | undefined;
  }

  /** The stored reservations of a task or a worker, oldest first; one that `inMemory` holds is answered from there (its row is not parsed). */
  reservations(owner: { field: 'taskSid' | 'workerSid'; sid: string }, inMemory: ReadonlyMap<string, Reservation>): Reservation[] {
    return this.store.owned('tr-reservation', owner.field, owner.sid, (sid) => inMemory.has(sid)).map((r) => inMemory.get(r.sid) ?? (r.data as Reservation));
  }

  remove(sid: string): void {
    this.store.remove(sid);
  }

  // Finished calls, conferences and recordings are not kept in memory: reads come here.

  /** A call's or conference's JSON as last saved (the engine's own fields left out), or null. */
  json(kind: 'call' | 'conference', sid: string): Json | null {
    const row = this.store.get(kind, sid);
    return row ? publicJson(row.data as Json) : null;
  }

  /** Every call's or conference's row as last saved, oldest first (data with the engine's own fields). */
  rows(kind: 'call' | 'conference'): { sid: string; createdMs: number; data: Json }[] {
    return this.store.all(kind).map((r) => ({ sid: r.sid, createdMs: r.createdMs, data: r.data as Json }));
  }

  /** One call's or conference's row as last saved (data with the engine's own fields), or null. */
  row(kind: 'call' | 'conference', sid: string): { sid: string; createdMs: number; data: Json } | null {
    const r = this.store.get(kind, sid);
    return r ? { sid: r.sid, createdMs: r.createdMs, data: r.data as Json } : null;
  }

  recording(sid: string): Recording | undefined {
    const row = this.store.get('recording', sid);
    return row ? readRecording(this.store, row) : undefined;
  }

  /**
   * The stored recordings (of one owner), oldest first; one that `inMemory` holds is answered from
   * there (its row is not parsed): a live recording's stored row is never newer than the object.
   */
  recordings(owner?: { field: 'callSid' | 'conferenceSid'; sid: string }, inMemory?: ReadonlyMap<string, Recording>): Recording[] {
    const rows = owner ? this.store.owned('recording', owner.field, owner.sid, inMemory && ((sid) => inMemory.has(sid))) : this.store.all('recording');
    return rows.map((r) => inMemory?.get(r.sid) ?? readRecording(this.store, r));
  }

  count(kind: 'call' | 'conference' | 'recording'): number {
    return this.store.count(kind);
  }
}
