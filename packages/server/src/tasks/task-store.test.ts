/** The task store on a real SQLite file: when a task was accepted, and data folders from before that column. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../storage/database.ts';
import { SqliteTaskStore, taskView } from './task-store.ts';

const attributes = (sid: string) => ({
  call_sid: 'CA' + sid.slice(2),
  from: '+15550001111',
  to: '+15550100000',
  direction: 'inbound' as const,
  client_call: false,
  conference: { sid: null, friendly_name: sid, participants: { customer: 'CA' + sid.slice(2), worker: null } },
});
const SID = 'WT' + 'a'.repeat(32);

/** A store on a fresh SQLite file with the task SID created at `clock()`. */
function storeWithTask(clock: () => number): { db: Database.Database; store: SqliteTaskStore } {
  const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'tasks-')), 'server.sqlite'));
  const store = new SqliteTaskStore(db, clock);
  store.create({ sid: SID, queue: 'everyone', attributes: attributes(SID) });
  return { db, store };
}

describe('SqliteTaskStore updated-at', () => {
  it('moves forward with every change, within one millisecond and with the clock stepped back (clients order states by it)', () => {
    let now = Date.parse('2026-11-26T15:00:00.000Z');
    const { db, store } = storeWithTask(() => now);
    expect(store.update(SID, { status: 'reserved', worker: 'alice' }).updatedAt).toBe('2026-11-26T15:00:00.001Z');
    expect(store.update(SID, { status: 'assigned' }).updatedAt).toBe('2026-11-26T15:00:00.002Z');
    now -= 5_000;
    expect(store.update(SID, { status: 'wrapping' }).updatedAt).toBe('2026-11-26T15:00:00.003Z');
    now += 10_000;
    expect(store.update(SID, { status: 'completed' }).updatedAt).toBe('2026-11-26T15:00:05.000Z');
    db.close();
  });
});

describe('SqliteTaskStore accepted-at', () => {
  it('is null until the task first becomes assigned, then stays put (a transfer keeps it)', () => {
    let now = Date.parse('2026-11-26T15:00:00.000Z');
    const { db, store } = storeWithTask(() => now);
    expect(store.get(SID)?.acceptedAt).toBeNull();
    now += 7_000;
    expect(store.update(SID, { status: 'reserved', worker: 'alice' }).acceptedAt).toBeNull();
    now += 3_000;
    const accepted = store.update(SID, { status: 'assigned' });
    expect(accepted.acceptedAt).toBe('2026-11-26T15:00:10.000Z');
    expect(taskView(accepted).acceptedAt).toBe('2026-11-26T15:00:10.000Z');
    now += 60_000;
    expect(store.update(SID, { worker: 'bob' }).acceptedAt).toBe('2026-11-26T15:00:10.000Z');
    expect(store.update(SID, { status: 'wrapping' }).acceptedAt).toBe('2026-11-26T15:00:10.000Z');
    db.close();
  });

  it('adds the column to a data folder written before it existed, keeping its tasks', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tasks-old-')), 'server.sqlite');
    const old = new Database(file);
    old.exec(`CREATE TABLE tasks (sid TEXT PRIMARY KEY, status TEXT NOT NULL, worker TEXT, queue TEXT NOT NULL, call_sid TEXT NOT NULL UNIQUE,
      conference_sid TEXT, worker_call_sid TEXT, attributes TEXT NOT NULL, rejected_by TEXT NOT NULL DEFAULT '[]', created_at TEXT NOT NULL, updated_at TEXT NOT NULL)`);
    old
      .prepare(
        `INSERT INTO tasks (sid, status, worker, queue, call_sid, attributes, created_at, updated_at) VALUES (?, 'assigned', 'alice', 'everyone', ?, ?, ?, ?)`,
      )
      .run(SID, 'CA1', JSON.stringify(attributes(SID)), '2026-11-26T15:00:00.000Z', '2026-11-26T15:00:05.000Z');
    old.close();
    const db = openDatabase(file);
    const store = new SqliteTaskStore(db);
    expect(store.get(SID)).toMatchObject({ status: 'assigned', worker: 'alice', acceptedAt: null });
    db.close();
    // Opening again is a no-op.
    openDatabase(file).close();
  });
});

describe('SqliteTaskStore statements', () => {
  it('prepares each statement once, not on every read (a pause reads its task four times)', () => {
    const db = openDatabase(':memory:');
    const prepared: string[] = [];
    const prepare = db.prepare.bind(db);
    db.prepare = ((sql: string) => {
      prepared.push(sql);
      return prepare(sql);
    }) as typeof db.prepare;
    const store = new SqliteTaskStore(db);
    store.create({ sid: SID, queue: 'everyone', attributes: attributes(SID) });
    const afterFirst = prepared.length;
    for (let i = 0; i < 5; i++) {
      expect(store.get(SID)?.sid).toBe(SID);
      expect(store.byCallSid('CA' + SID.slice(2))?.sid).toBe(SID);
      store.update(SID, { status: 'reserved', worker: 'alice' });
      expect(store.list({ worker: 'alice', statuses: ['reserved'] })).toHaveLength(1);
    }
    const distinct = new Set(prepared);
    expect(prepared.length).toBe(distinct.size);
    expect(prepared.length - afterFirst).toBe(3); // byCallSid, UPDATE, list: the rest were prepared by create
    db.close();
  });
});
