import type pg from 'pg';
import { checkout } from './pg-client.ts';

/**
 * The PostgreSQL ledger's schema, as versioned migrations applied at start (`migrate`). A
 * migration is never edited once shipped: a change is a new entry at the end. Each runs once, in
 * order, in one transaction with its row in `schema_migrations`; a transaction-scoped advisory lock
 * makes instances that start together take turns, so the second finds the work done.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'pause ledger: audit, recordings, spans, pauses with deadline claims, deferred legs',
    sql: `
CREATE TABLE audit_events (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
CREATE INDEX audit_task ON audit_events (task_sid);
CREATE INDEX audit_at ON audit_events (at);

-- The outcome of an action audited as 'pending' before the provider was asked: written once.
CREATE TABLE audit_outcomes (
  event_id BIGINT PRIMARY KEY REFERENCES audit_events (id),
  at TEXT NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'partial', 'failed', 'unknown')),
  details TEXT NOT NULL
);

-- History is never rewritten, by our code or a stray script: UPDATE, DELETE and TRUNCATE are refused.
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_outcomes_append_only BEFORE UPDATE OR DELETE ON audit_outcomes
  FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_outcomes_no_truncate BEFORE TRUNCATE ON audit_outcomes
  FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();

-- Only a pending event gets a completion (the primary key makes it one at most).
CREATE FUNCTION audit_outcome_of_pending() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM audit_events WHERE id = NEW.event_id AND outcome = 'pending') THEN
    RAISE EXCEPTION 'audit_outcomes is append-only: one completion per pending event' USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER audit_outcomes_pending_only BEFORE INSERT ON audit_outcomes
  FOR EACH ROW EXECUTE FUNCTION audit_outcome_of_pending();

CREATE TABLE recordings (
  sid TEXT PRIMARY KEY,
  task_sid TEXT,
  call_sid TEXT,
  conference_sid TEXT,
  source TEXT NOT NULL,
  channels INTEGER NOT NULL,
  status TEXT NOT NULL,
  start_time TEXT,
  duration TEXT,
  first_seen_at BIGINT NOT NULL
);
CREATE INDEX recordings_task ON recordings (task_sid);

CREATE TABLE recording_pauses (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  recording_sid TEXT NOT NULL,
  task_sid TEXT,
  paused_at BIGINT NOT NULL,
  resumed_at BIGINT,
  behavior TEXT NOT NULL,
  paused_by TEXT NOT NULL,
  role TEXT NOT NULL,
  reason TEXT NOT NULL,
  resumed_by TEXT
);
CREATE INDEX recording_pauses_rec ON recording_pauses (recording_sid);
-- A recording never has two open spans, whichever instance writes.
CREATE UNIQUE INDEX recording_pauses_one_open ON recording_pauses (recording_sid) WHERE resumed_at IS NULL;

CREATE TABLE pauses (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  task_sid TEXT NOT NULL,
  paused_at BIGINT NOT NULL,
  paused_by TEXT NOT NULL,
  role TEXT NOT NULL,
  behavior TEXT NOT NULL,
  reminder_at BIGINT,
  auto_resume_at BIGINT,
  reminder_fired BOOLEAN NOT NULL DEFAULT FALSE,
  closed_at BIGINT,
  closed_by TEXT,
  close_reason TEXT,
  last_auto_resume_at BIGINT,
  -- The instance handling a due deadline, and until when (a lapsed lease lets another take over).
  claimed_by TEXT,
  claimed_until BIGINT
);
-- A task has one open pause at most, whichever instance writes.
CREATE UNIQUE INDEX pauses_one_open ON pauses (task_sid) WHERE closed_at IS NULL;

-- Legs whose dual-channel recording waits for the task's resume (a transfer while paused).
CREATE TABLE deferred_legs (
  seq BIGINT GENERATED ALWAYS AS IDENTITY,
  task_sid TEXT NOT NULL,
  call_sid TEXT NOT NULL,
  channels INTEGER NOT NULL,
  ready BOOLEAN NOT NULL,
  PRIMARY KEY (task_sid, call_sid)
);
`,
  },
];

/** Any fixed key: every instance migrating the same database takes turns on it. */
const MIGRATION_LOCK = 0x7061_7573; // "paus"

/**
 * Applies the migrations not yet recorded, in order, each in its own transaction. Returns the
 * versions applied now (empty when the schema was current). Safe when several instances start at
 * once: each transaction first takes the advisory lock, then re-reads what is applied.
 */
export async function migrate(pool: pg.Pool, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  const applied: number[] = [];
  const guarded = await checkout(pool);
  const client = guarded.client;
  let broken: Error | undefined;
  const locked = async (fn: () => Promise<void>): Promise<void> => {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await fn();
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK').catch((x: unknown) => {
        broken = x instanceof Error ? x : new Error(String(x));
      });
      throw e;
    }
  };
  try {
    await locked(async () => {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);
    });
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      await locked(async () => {
        const done = await client.query('SELECT 1 FROM schema_migrations WHERE version = $1', [m.version]);
        if (done.rowCount !== 0) return;
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
        applied.push(m.version);
      });
    }
  } finally {
    guarded.release(broken);
  }
  return applied;
}
