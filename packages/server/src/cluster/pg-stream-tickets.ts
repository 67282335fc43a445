import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { MAX_TICKETS_PER_IDENTITY, type TicketHolder, type TicketStore } from '../events/tickets.ts';

const hash = (ticket: string): string => createHash('sha256').update(ticket).digest('base64url');

/**
 * Stream tickets in PostgreSQL: issued by one instance, redeemed on any (a load balancer may send
 * the ticket request and the stream to different instances), and still single-use: redeeming is
 * one `DELETE ... RETURNING`, which exactly one instance wins. Stored by hash.
 */
export class PgStreamTickets implements TicketStore {
  constructor(
    private readonly pool: pg.Pool,
    readonly ttlMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  async issue(holder: TicketHolder): Promise<{ ticket: string; expiresAt: Date }> {
    const now = this.now();
    const ticket = randomBytes(32).toString('base64url');
    const expiresAt = now + this.ttlMs;
    // One statement: expired tickets go, the identity's oldest unused ones beyond the bound go, the new one is stored.
    await this.pool.query(
      `WITH expired AS (DELETE FROM stream_tickets WHERE expires_at <= $5),
            oldest AS (
              DELETE FROM stream_tickets WHERE ticket_hash IN (
                SELECT ticket_hash FROM stream_tickets WHERE identity = $2 AND expires_at > $5
                ORDER BY expires_at DESC OFFSET $6))
       INSERT INTO stream_tickets (ticket_hash, identity, jti, expires_at, session_exp) VALUES ($1, $2, $3, $4, $7)`,
      [hash(ticket), holder.identity, holder.jti, expiresAt, now, MAX_TICKETS_PER_IDENTITY - 1, holder.exp],
    );
    return { ticket, expiresAt: new Date(expiresAt) };
  }

  async redeem(ticket: string): Promise<TicketHolder | null> {
    const r = await this.pool.query<{ identity: string; jti: string; expires_at: string; session_exp: string | null }>(
      'DELETE FROM stream_tickets WHERE ticket_hash = $1 RETURNING identity, jti, expires_at, session_exp',
      [hash(ticket)],
    );
    const t = r.rows[0];
    if (t === undefined || this.now() >= Number(t.expires_at)) return null;
    // A ticket stored by an older instance (no session expiry) could open a stream that never
    // ends: refused; the client asks again and gets one that carries it.
    if (t.session_exp === null) return null;
    return { identity: t.identity, jti: t.jti, exp: Number(t.session_exp) };
  }

  async revokeSession(jti: string): Promise<void> {
    await this.pool.query('DELETE FROM stream_tickets WHERE jti = $1', [jti]);
  }
}
