import type pg from 'pg';
import type { Logger } from 'pino';
import type { TokenRevocations } from '../auth/revocations.ts';
import type { PgEventBus } from '../events/pg-event-bus.ts';

const SIGNAL = 'revoked';

interface Revoked {
  readonly jti: string;
  readonly identity: string;
  readonly exp: number;
}

const isRevoked = (v: unknown): v is Revoked =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as Revoked).jti === 'string' &&
  typeof (v as Revoked).identity === 'string' &&
  typeof (v as Revoked).exp === 'number';

/**
 * Revoked sessions (logout) for every instance. Tokens are HMAC-signed with the shared
 * `AUTH_SECRET`, so any instance verifies any token; only revocations need sharing. They are
 * stored in PostgreSQL (`revoked_sessions`) and signalled to the other instances, which add them
 * to the replica in their own SQLite that every request checks synchronously (and end their
 * streams of that session). Logout answers once the revocation is stored and signalled; a
 * reconnecting listener reloads every unexpired revocation.
 */
export class SharedRevocations {
  constructor(
    private readonly local: TokenRevocations,
    private readonly pool: pg.Pool,
    private readonly bus: PgEventBus,
    private readonly logger: Logger,
    /** This instance's streams of a session another instance revoked end here. */
    private readonly revokedElsewhere: (jti: string) => void,
  ) {
    bus.on(SIGNAL, (data) => {
      if (!isRevoked(data)) return;
      this.local.revoke(data.jti, data.identity, data.exp);
      this.revokedElsewhere(data.jti);
    });
    bus.onListening(async () => {
      await this.loadAll();
    });
  }

  isRevoked(jti: string): boolean {
    return this.local.isRevoked(jti);
  }

  async revoke(jti: string, identity: string, exp: number, now = Date.now()): Promise<void> {
    this.local.revoke(jti, identity, exp, now);
    const nowSeconds = Math.floor(now / 1000);
    await this.pool.query(
      `WITH gone AS (DELETE FROM revoked_sessions WHERE expires_at < $4)
       INSERT INTO revoked_sessions (jti, identity, expires_at, revoked_at) VALUES ($1, $2, $3, $4) ON CONFLICT (jti) DO NOTHING`,
      [jti, identity, exp, nowSeconds],
    );
    await this.bus.signal(SIGNAL, { jti, identity, exp } satisfies Revoked);
  }

  /** Every unexpired revocation into the local replica. */
  async loadAll(): Promise<number> {
    const r = await this.pool.query<{ jti: string; identity: string; expires_at: string }>(
      'SELECT jti, identity, expires_at FROM revoked_sessions WHERE expires_at >= $1',
      [Math.floor(Date.now() / 1000)],
    );
    for (const row of r.rows) this.local.revoke(row.jti, row.identity, Number(row.expires_at));
    this.logger.debug({ revoked: r.rows.length }, 'loaded the shared session revocations');
    return r.rows.length;
  }
}
