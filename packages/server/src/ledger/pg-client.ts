import type pg from 'pg';

/**
 * A client checked out of a pool. node-postgres emits `error` on a client whose connection drops
 * (the backend was terminated, the database stopped), and a pool listens only to its idle clients:
 * a checked-out client without a listener of its own turns a dropped connection into an uncaught
 * exception that ends the process. This one records the error instead; the pending or next query
 * rejects (an error `isPostgresUnavailable` recognises), and `release` discards the dead connection.
 */
export interface GuardedClient {
  readonly client: pg.PoolClient;
  /** Gives the client back; destroyed instead when `discard` is given or its connection was lost. */
  release(discard?: Error): void;
}

export async function checkout(pool: pg.Pool): Promise<GuardedClient> {
  const client = await pool.connect();
  let lost: Error | undefined;
  const onError = (e: Error): void => {
    lost ??= e;
  };
  client.on('error', onError);
  let released = false;
  return {
    client,
    release(discard) {
      if (released) return;
      released = true;
      // The pool puts its own listener back as it takes the client, so no window is left without one.
      client.removeListener('error', onError);
      client.release(discard ?? lost);
    },
  };
}
