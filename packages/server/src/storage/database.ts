import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

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
  accepted_at TEXT
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
`;

/** Columns added after a table was first shipped: a data folder from an older version gains them. */
function migrate(db: Db): void {
  const taskColumns = (db.prepare('PRAGMA table_info(tasks)').all() as { name: string }[]).map((c) => c.name);
  if (!taskColumns.includes('accepted_at')) db.exec('ALTER TABLE tasks ADD COLUMN accepted_at TEXT');
}

export function openDatabase(file: string): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
  migrate(db);
  return db;
}
