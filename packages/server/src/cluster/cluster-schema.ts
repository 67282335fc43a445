import type pg from 'pg';

/**
 * The tables several instances share besides the ledger's: live events too large for a NOTIFY,
 * replicated tasks, revoked sessions, single-use stream tickets and login/rate-limit counters.
 * Idempotent; applied at start under an advisory lock so instances starting together do not race.
 */
export const CLUSTER_SCHEMA = `
CREATE TABLE IF NOT EXISTS live_event_overflow (
  id BIGSERIAL PRIMARY KEY,
  payload TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS cluster_tasks (
  sid TEXT PRIMARY KEY,
  row JSONB NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS revoked_sessions (
  jti TEXT PRIMARY KEY,
  identity TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  revoked_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS stream_tickets (
  ticket TEXT PRIMARY KEY,
  identity TEXT NOT NULL,
  jti TEXT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS stream_tickets_jti ON stream_tickets (jti);
CREATE TABLE IF NOT EXISTS rate_counters (
  key TEXT PRIMARY KEY,
  count INTEGER NOT NULL,
  window_start BIGINT NOT NULL,
  last_at BIGINT NOT NULL
);
`;

const SCHEMA_LOCK = 0x636c7573; // 'clus'

export async function ensureClusterSchema(pool: pg.Pool): Promise<void> {
  const c = await pool.connect();
  try {
    await c.query('SELECT pg_advisory_lock($1)', [SCHEMA_LOCK]);
    try {
      await c.query(CLUSTER_SCHEMA);
    } finally {
      await c.query('SELECT pg_advisory_unlock($1)', [SCHEMA_LOCK]);
    }
  } finally {
    c.release();
  }
}
