import type { Db } from '../storage/database.ts';

/**
 * Revoked sessions (logout), in the server's SQLite so a restart does not bring a logged-out
 * token back. A row lives until the token would have expired anyway; expired rows are pruned
 * on start and on each logout.
 */
export class TokenRevocations {
  private readonly has: (jti: string) => unknown;
  private readonly add: (jti: string, identity: string, exp: number, at: number) => unknown;
  private readonly prune: (now: number) => unknown;

  constructor(db: Db) {
    db.exec(`CREATE TABLE IF NOT EXISTS revoked_tokens (
      jti TEXT PRIMARY KEY,
      identity TEXT NOT NULL,
      expires_at INTEGER NOT NULL,
      revoked_at INTEGER NOT NULL
    )`);
    const has = db.prepare('SELECT 1 FROM revoked_tokens WHERE jti = ?').pluck();
    const add = db.prepare('INSERT OR IGNORE INTO revoked_tokens (jti, identity, expires_at, revoked_at) VALUES (?, ?, ?, ?)');
    const prune = db.prepare('DELETE FROM revoked_tokens WHERE expires_at < ?');
    this.has = (jti) => has.get(jti);
    this.add = (jti, identity, exp, at) => add.run(jti, identity, exp, at);
    this.prune = (now) => prune.run(now);
    this.prune(Math.floor(Date.now() / 1000));
  }

  isRevoked(jti: string): boolean {
    return this.has(jti) !== undefined;
  }

  /** Revokes the session `jti` of `identity` until `exp` (epoch seconds). */
  revoke(jti: string, identity: string, exp: number, now = Date.now()): void {
    const nowSeconds = Math.floor(now / 1000);
    this.prune(nowSeconds);
    this.add(jti, identity, exp, nowSeconds);
  }
}
