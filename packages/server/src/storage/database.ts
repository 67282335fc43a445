import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

/**
 * One connection's statements, each SQL text prepared once and reused: preparing costs more than
 * running a primary-key read (it was the task store's main cost on every pause).
 */
export class Statements {
  private readonly cache = new Map<string, Database.Statement>();

  constructor(private readonly db: Db) {}

  of(sql: string): Database.Statement {
    let st = this.cache.get(sql);
    if (st === undefined) {
      st = this.db.prepare(sql);
      this.cache.set(sql, st);
    }
    return st;
  }
}

/**
 * The server's SQLite file. The audit table refuses UPDATE and DELETE by trigger, so no code
 * path (ours or a stray script) can rewrite history.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS audit_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  action TEXT NOT NULL,
  outcome TEXT NOT NULL,
  actor TEXT NOT NULL,
  role TEXT NOT NULL,
  task_sid TEXT,
  call_sid TEXT,
  conference_sid TEXT,
  recording_sids TEXT NOT NULL,
  details TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_task ON audit_events(task_sid);
CREATE INDEX IF NOT EXISTS audit_at ON audit_events(at);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit_events
  BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit_events
  BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
-- INSERT OR REPLACE deletes the row it collides with without firing the delete trigger.
CREATE TRIGGER IF NOT EXISTS audit_no_replace BEFORE INSERT ON audit_events
  WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM audit_events WHERE id = NEW.id)
  BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;

-- The outcome of an action audited before the provider was asked (outcome 'pending' above):
-- written once, after the provider answered (or at restart, by the reconcile). One row per event
-- at most, never changed, so the pending row and its completion are both kept as written.
CREATE TABLE IF NOT EXISTS audit_outcomes (
  event_id INTEGER PRIMARY KEY REFERENCES audit_events(id),
  at TEXT NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'partial', 'failed', 'unknown')),
  details TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_outcome_no_update BEFORE UPDATE ON audit_outcomes
  BEGIN SELECT RAISE(ABORT, 'audit_outcomes is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_outcome_no_delete BEFORE DELETE ON audit_outcomes
  BEGIN SELECT RAISE(ABORT, 'audit_outcomes is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_outcome_once BEFORE INSERT ON audit_outcomes
  WHEN EXISTS (SELECT 1 FROM audit_outcomes WHERE event_id = NEW.event_id)
    OR NOT EXISTS (SELECT 1 FROM audit_events WHERE id = NEW.event_id AND outcome = 'pending')
  BEGIN SELECT RAISE(ABORT, 'audit_outcomes is append-only: one completion per pending event'); END;

CREATE TABLE IF NOT EXISTS tasks (
  sid TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  worker TEXT,
  queue TEXT NOT NULL,
  call_sid TEXT NOT NULL UNIQUE,
  conference_sid TEXT,
  worker_call_sid TEXT,
  attributes TEXT NOT NULL,
  rejected_by TEXT NOT NULL DEFAULT '[]',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  accepted_at TEXT,
  router_task_sid TEXT
);
CREATE INDEX IF NOT EXISTS tasks_conference ON tasks(conference_sid);

CREATE TABLE IF NOT EXISTS pauses (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  task_sid TEXT NOT NULL,
  paused_at INTEGER NOT NULL,
  paused_by TEXT NOT NULL,
  role TEXT NOT NULL,
  behavior TEXT NOT NULL,
  reminder_at INTEGER,
  auto_resume_at INTEGER,
  reminder_fired INTEGER NOT NULL DEFAULT 0,
  closed_at INTEGER,
  closed_by TEXT,
  close_reason TEXT
);
CREATE INDEX IF NOT EXISTS pauses_open ON pauses(task_sid, closed_at);

CREATE TABLE IF NOT EXISTS recordings (
  sid TEXT PRIMARY KEY,
  task_sid TEXT,
  call_sid TEXT,
  conference_sid TEXT,
  source TEXT NOT NULL,
  channels INTEGER NOT NULL,
  status TEXT NOT NULL,
  start_time TEXT,
  duration TEXT,
  first_seen_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS recordings_task ON recordings(task_sid);

CREATE TABLE IF NOT EXISTS recording_pauses (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  recording_sid TEXT NOT NULL,
  task_sid TEXT,
  paused_at INTEGER NOT NULL,
  resumed_at INTEGER,
  behavior TEXT NOT NULL,
  paused_by TEXT NOT NULL,
  role TEXT NOT NULL,
  reason TEXT NOT NULL,
  resumed_by TEXT
);
CREATE INDEX IF NOT EXISTS recording_pauses_rec ON recording_pauses(recording_sid);
-- The open spans (at most one per recording), found without walking every span ever written:
-- each pause and resume reads and closes them, and the table grows with every pause.
CREATE INDEX IF NOT EXISTS recording_pauses_open ON recording_pauses(recording_sid) WHERE resumed_at IS NULL;
CREATE INDEX IF NOT EXISTS recording_pauses_open_task ON recording_pauses(task_sid) WHERE resumed_at IS NULL;
-- Legs whose dual-channel recording waits for the task's resume (a transfer while paused).
CREATE TABLE IF NOT EXISTS deferred_legs (
  task_sid TEXT NOT NULL,
  call_sid TEXT NOT NULL,
  channels INTEGER NOT NULL,
  ready INTEGER NOT NULL,
  PRIMARY KEY (task_sid, call_sid)
);
`;

/** Columns added after a table was first shipped: a data folder from an older version gains them. */
function migrate(db: Db): void {
  const taskColumns = (db.prepare('PRAGMA table_info(tasks)').all() as { name: string }[]).map((c) => c.name);
  if (!taskColumns.includes('accepted_at')) db.exec('ALTER TABLE tasks ADD COLUMN accepted_at TEXT');
  // The TaskRouter task that carries the call now (a transfer hands it to a new one); NULL: `sid` itself.
  if (!taskColumns.includes('router_task_sid')) db.exec('ALTER TABLE tasks ADD COLUMN router_task_sid TEXT');
  // The ledger's deadline claims (one instance handles a due reminder or auto-resume) and retries.
  const pauseColumns = (db.prepare('PRAGMA table_info(pauses)').all() as { name: string }[]).map((c) => c.name);
  if (!pauseColumns.includes('last_auto_resume_at')) db.exec('ALTER TABLE pauses ADD COLUMN last_auto_resume_at INTEGER');
  if (!pauseColumns.includes('claimed_by')) db.exec('ALTER TABLE pauses ADD COLUMN claimed_by TEXT');
  if (!pauseColumns.includes('claimed_until')) db.exec('ALTER TABLE pauses ADD COLUMN claimed_until INTEGER');
}

/**
 * How long a write waits for another connection's lock. better-sqlite3 waits synchronously, so a
 * long wait would stall every request; a short one turns an external lock into a quick 503 on
 * writes while reads (WAL) go on.
 */
export const BUSY_TIMEOUT_MS = 200;

export function openDatabase(file: string): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.exec(SCHEMA);
  migrate(db);
  return db;
}

/** SQLite result codes that mean "storage refused the write", not "our SQL is wrong". */
const STORAGE_CODES = /^SQLITE_(FULL|READONLY|BUSY|LOCKED|IOERR|CANTOPEN|PROTOCOL|NOMEM)/;

/** True for a failure of the storage itself (disk full, read-only, locked, I/O error). */
export function isStorageError(e: unknown): e is Error & { code: string } {
  return e instanceof Database.SqliteError && STORAGE_CODES.test(e.code);
}
