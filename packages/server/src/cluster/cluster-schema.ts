import type { Migration } from '../ledger/pg-migrations.ts';

/**
 * The tables several instances share besides the ledger's: live events too large for a NOTIFY,
 * replicated tasks, revoked sessions, single-use stream tickets and login/rate-limit counters.
 * Versioned migrations in the ledger's scheme (`migrate`), numbered from 100 so the ledger's own
 * versions never collide with them.
 */
export const CLUSTER_MIGRATIONS: readonly Migration[] = [
  {
    version: 100,
    name: 'cluster: live event overflow, shared tasks, revoked sessions, stream tickets, rate counters',
    sql: `
CREATE TABLE live_event_overflow (
  id BIGSERIAL PRIMARY KEY,
  payload TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE cluster_tasks (
  sid TEXT PRIMARY KEY,
  row JSONB NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
);
CREATE TABLE revoked_sessions (
  jti TEXT PRIMARY KEY,
  identity TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  revoked_at BIGINT NOT NULL
);
-- Tickets are stored by their SHA-256: a database reader cannot open streams with them.
CREATE TABLE stream_tickets (
  ticket_hash TEXT PRIMARY KEY,
  identity TEXT NOT NULL,
  jti TEXT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX stream_tickets_jti ON stream_tickets (jti);
CREATE INDEX stream_tickets_identity ON stream_tickets (identity);
CREATE TABLE rate_counters (
  key TEXT PRIMARY KEY,
  count INTEGER NOT NULL,
  window_start BIGINT NOT NULL,
  last_at BIGINT NOT NULL
);
`,
  },
  {
    version: 101,
    name: 'cluster: a stream ticket carries its session expiry (the stream ends when the session does)',
    // Nullable: rows an older instance wrote have none, and PgStreamTickets refuses them.
    sql: 'ALTER TABLE stream_tickets ADD COLUMN session_exp BIGINT;',
  },
];
