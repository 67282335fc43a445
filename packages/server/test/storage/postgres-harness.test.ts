import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresCluster } from '../support/postgres.ts';

// The throwaway cluster every PostgreSQL test relies on: it must start, isolate databases, stop and come back.
describe('throwaway PostgreSQL cluster', () => {
  let cluster: PostgresCluster;
  beforeAll(async () => {
    cluster = await startPostgres();
  }, 60_000);
  afterAll(async () => cluster?.stop());

  it('serves fresh databases on a loopback port and survives a server restart with its data', async () => {
    expect(cluster.url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
    const url = await cluster.createDatabase();
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query('CREATE TABLE t (x int)');
    await c.query('INSERT INTO t VALUES (42)');
    await c.end();

    await cluster.stopServer();
    const refused = await new pg.Client({ connectionString: url }).connect().then(
      () => 'connected',
      () => 'refused',
    );
    expect(refused).toBe('refused');

    await cluster.start();
    const d = new pg.Client({ connectionString: url });
    await d.connect();
    const r = await d.query<{ x: number }>('SELECT x FROM t');
    await d.end();
    expect(r.rows).toEqual([{ x: 42 }]);
  }, 60_000);
});
