import { randomBytes } from 'node:crypto';

/**
 * Single-use, short-lived tickets for opening the event stream. EventSource cannot send an
 * Authorization header, and a bearer token in a URL ends up in logs, proxies and history; a
 * ticket there is worth little: it opens one stream, once, within `ttlMs`, and is bound to the
 * session (`jti`) that asked for it, so a logout also voids it.
 */
export interface TicketHolder {
  readonly identity: string;
  readonly jti: string;
  /** When the session that asked for the ticket expires, epoch seconds: its stream ends then. */
  readonly exp: number;
}

/** Unused tickets one identity may hold; issuing another drops the oldest. */
export const MAX_TICKETS_PER_IDENTITY = 20;
const MAX_PER_IDENTITY = MAX_TICKETS_PER_IDENTITY;

/**
 * Where tickets live: this process (`StreamTickets`) or PostgreSQL for several instances
 * (`PgStreamTickets`, cluster/pg-stream-tickets.ts: a ticket issued by one redeems on another, once).
 */
export interface TicketStore {
  issue(holder: TicketHolder): { ticket: string; expiresAt: Date } | Promise<{ ticket: string; expiresAt: Date }>;
  redeem(ticket: string): TicketHolder | null | Promise<TicketHolder | null>;
  revokeSession(jti: string): void | Promise<void>;
}

export class StreamTickets implements TicketStore {
  private readonly tickets = new Map<string, TicketHolder & { expiresAt: number }>();

  constructor(
    readonly ttlMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  issue(holder: TicketHolder): { ticket: string; expiresAt: Date } {
    const now = this.now();
    this.sweep(now);
    // Unused tickets of one identity are bounded: the oldest goes first.
    const mine = [...this.tickets].filter(([, t]) => t.identity === holder.identity);
    for (const [k] of mine.slice(0, Math.max(0, mine.length - MAX_PER_IDENTITY + 1))) this.tickets.delete(k);
    const ticket = randomBytes(32).toString('base64url');
    const expiresAt = now + this.ttlMs;
    this.tickets.set(ticket, { identity: holder.identity, jti: holder.jti, exp: holder.exp, expiresAt });
    return { ticket, expiresAt: new Date(expiresAt) };
  }

  /** The ticket's holder, consuming it; null when unknown, used or expired. */
  redeem(ticket: string): TicketHolder | null {
    const t = this.tickets.get(ticket);
    if (t === undefined) return null;
    this.tickets.delete(ticket);
    if (this.now() >= t.expiresAt) return null;
    return { identity: t.identity, jti: t.jti, exp: t.exp };
  }

  /** Voids every ticket of the session `jti` (logout). */
  revokeSession(jti: string): void {
    for (const [k, t] of this.tickets) if (t.jti === jti) this.tickets.delete(k);
  }

  get size(): number {
    return this.tickets.size;
  }

  private sweep(now: number): void {
    for (const [k, t] of this.tickets) if (now >= t.expiresAt) this.tickets.delete(k);
  }
}
