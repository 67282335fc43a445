import { callJson, conferenceJson } from '../../serialize.ts';
import type { EngineStore, ResourceKind } from '../../support/store.ts';
import type { Call } from '../calls/call.ts';
import type { Conference } from '../conferences/conference.ts';
import type { PhoneNumber } from '../numbers/phone-number.ts';
import type { Recording } from '../recordings/recording.ts';
import { restoreState, type RestoredState } from './restore.ts';

/**
 * Every state change is written at once (never per frame), so a crash loses nothing the
 * API acknowledged. Calls and conferences are kept as the JSON Twilio would answer,
 * recordings and numbers as their own fields.
 */
export class Persistence {
  private readonly store: EngineStore;

  constructor(store: EngineStore) {
    this.store = store;
  }

  /** What an earlier run left, with anything a crash cut short finished. */
  restore(nowMs: number): RestoredState {
    return restoreState(this.store, nowMs);
  }

  saveCall(c: Call): void {
    this.store.save('call', c.sid, c.createdMs, callJson(c));
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
    this.store.save('recording', r.sid, r.createdMs, r.toStored());
  }

  /** Saves a changed number with its `date_updated` moved to now. */
  saveNumber(n: PhoneNumber): void {
    n.updatedMs = Date.now();
    this.store.save('number', n.sid, n.createdMs, n);
  }

  /** A TaskRouter resource (workspace, worker, task…), kept as its own fields. */
  saveTaskRouter(kind: Extract<ResourceKind, `tr-${string}`>, x: { sid: string; createdMs: number }): void {
    this.store.save(kind, x.sid, x.createdMs, x);
  }

  remove(sid: string): void {
    this.store.remove(sid);
  }
}
