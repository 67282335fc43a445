import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { TWILIO_ERROR } from '@pause-recording/core';
import { EngineStore } from '../../support/store.ts';
import { ManualClock } from '../clock.ts';
import { Engine } from '../engine.ts';
import { answeredCall, restarted, unitEngine, type UnitEngine } from '../../../test/support/model.ts';

describe('Persistence: what a run left, restored by the next', () => {
  const open: { close(): unknown }[] = [];
  afterEach(async () => {
    for (const o of open.splice(0)) await o.close();
  });

  function restart(u: UnitEngine): { engine: Engine; recovered: string[] } {
    const again = restarted(u);
    open.push(again);
    return again;
  }

  it('open recordings (in-progress, paused) are finished through the transition table: completed with 12400, or absent', () => {
    const u = unitEngine();
    open.push({ close: () => u.close() });
    const c = answeredCall(u);
    const playing = u.engine.startCallRecording(c, { channels: 1, track: 'both', callback: null, events: [] });
    const paused = u.engine.startCallRecording(c, { channels: 1, track: 'both', callback: null, events: [] });
    u.clock.advance(60);
    u.engine.updateRecording(paused, 'paused', 'skip');
    const empty = u.engine.startCallRecording(c, { channels: 1, track: 'both', callback: null, events: [] });
    playing.writer?.flush();

    const { engine, recovered } = restart(u);
    expect(new Set(recovered)).toEqual(new Set([playing.sid, paused.sid, empty.sid]));
    const [p, q, e] = [playing, paused, empty].map((r) => engine.recordings.find(r.sid));
    expect([p!.status, p!.errorCode]).toEqual(['completed', TWILIO_ERROR.INTERNAL_FAILURE]);
    expect(p!.fileFrames).toBe(60);
    expect([q!.status, q!.errorCode]).toEqual(['completed', TWILIO_ERROR.INTERNAL_FAILURE]);
    expect([e!.status, e!.errorCode]).toEqual(['absent', TWILIO_ERROR.INTERNAL_FAILURE]);
    expect(engine.activeRecordings.size).toBe(0);
  });

  it('numbers come back as last saved; calls and conferences as archived JSON', () => {
    const u = unitEngine();
    open.push({ close: () => u.close() });
    const n = u.engine.createNumber({
      phoneNumber: '+15550003333',
      friendlyName: 'x',
      voiceUrl: null,
      voiceMethod: 'POST',
      statusCallback: null,
      statusCallbackMethod: 'POST',
    });
    u.engine.updateNumber(n, { friendlyName: 'front desk' });
    const c = answeredCall(u);
    const { conference } = u.engine.addParticipant('room-1', { from: '+15550000001', to: '+15550000009' });

    const { engine } = restart(u);
    expect(engine.numbers.find(n.sid).friendlyName).toBe('front desk');
    expect(engine.calls.json(c.sid)['status']).toBe('completed');
    expect(engine.conferences.json(conference.sid)['status']).toBe('completed');
    engine.calls.requireKnown(c.sid);
    engine.conferences.requireKnown(conference.sid);
  });

  it("a change appends one row to the recording's log: its stored row does not grow, and a restart reads every event back in order", () => {
    const u = unitEngine();
    open.push({ close: () => u.close() });
    const c = answeredCall(u);
    const r = u.engine.startCallRecording(c, { channels: 2, track: 'both', callback: null, events: [] });
    const db = new Database(join(u.dataDir, 'engine.db'), { readonly: true });
    open.push(db);
    const rowBytes = () => db.prepare('SELECT length(data) FROM resources WHERE sid = ?').pluck().get(r.sid) as number;
    u.engine.updateRecording(r, 'paused', 'silence');
    const after1 = rowBytes();
    for (let i = 0; i < 40; i++) {
      u.clock.advance(1);
      u.engine.updateRecording(r, i % 2 === 0 ? 'in-progress' : 'paused', 'silence');
    }
    // Only the fields that changed (status, counts, times) may change its length, by a few bytes.
    expect(Math.abs(rowBytes() - after1)).toBeLessThan(16);
    expect(db.prepare('SELECT count(*) FROM resource_log WHERE sid = ?').pluck().get(r.sid)).toBe(r.events.length);

    const { engine } = restart(u);
    const back = engine.recordings.find(r.sid);
    // The restart finished it: every event of the first run, then its own.
    expect(back.events.slice(0, r.events.length)).toEqual(r.events);
    expect(back.events.map((e) => e.status).slice(r.events.length)).toEqual(['completed']);
    expect(engine.recordings.ownedBy({ callSid: c.sid }).map((x) => x.sid)).toEqual([r.sid]);
  });

  it('a store written before owners had columns and logs had a table: recordings are found by owner, inline events kept and moved to the log', () => {
    const u = unitEngine();
    open.push({ close: () => u.close() });
    const c = answeredCall(u);
    const r = u.engine.startCallRecording(c, { channels: 1, track: 'both', callback: null, events: [] });
    u.clock.advance(5);
    u.engine.updateRecording(r, 'paused', 'skip');
    // The same recording as the earlier schema held it: JSON-expression indexes, events inline.
    const dir = mkdtempSync(join(tmpdir(), 'engine-old-store-'));
    open.push({ close: () => rmSync(dir, { recursive: true, force: true }) });
    const old = new Database(join(dir, 'engine.db'));
    old.pragma('journal_mode = WAL');
    old.exec(`CREATE TABLE resources (sid TEXT PRIMARY KEY, kind TEXT NOT NULL, created_ms INTEGER NOT NULL, data TEXT NOT NULL);
      CREATE INDEX resources_call ON resources (kind, json_extract(data, '$.callSid'));
      CREATE INDEX resources_conference ON resources (kind, json_extract(data, '$.conferenceSid'))`);
    old.prepare('INSERT INTO resources VALUES (?, ?, ?, ?)').run(r.sid, 'recording', r.createdMs, JSON.stringify(r.toStored()));
    old.close();

    const store = new EngineStore(join(dir, 'engine.db'));
    open.push(store);
    expect(store.owned('recording', 'callSid', c.sid).map((x) => x.sid)).toEqual([r.sid]);
    const engine = new Engine({ accountSid: u.engine.accountSid, authToken: 'unit-token', dataDir: dir, audio: 'stamped', clock: new ManualClock(), store });
    // The restart finishes the paused recording: a save, which moves the inline events to the log.
    expect(engine.restore().recovered).toEqual([r.sid]);
    const back = engine.recordings.find(r.sid);
    expect(back.events.slice(0, r.events.length)).toEqual(r.events);
    expect(back.events.length).toBe(r.events.length + 1);
    expect((store.get('recording', r.sid)!.data as { events?: unknown }).events).toBeUndefined();
    expect(store.log(r.sid)).toEqual(back.events);
  });
});
