import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresCluster } from '../../test/support/postgres.ts';
import { ledgerConformance } from './ledger.conformance.ts';
import { isPostgresUnavailable } from './pg-errors.ts';
import { migrate, MIGRATIONS } from './pg-migrations.ts';
import { PostgresLedger } from './postgres-ledger.ts';

// One throwaway cluster for this file; each case gets a fresh database.
let cluster: PostgresCluster;
beforeAll(async () => {
  cluster = await startPostgres();
}, 60_000);
afterAll(async () => cluster?.stop());

ledgerConformance('PostgreSQL', async () => {
  const ledger = await PostgresLedger.open(await cluster.createDatabase(), { now: () => 1_700_000_000_000, poolSize: 4 });
  return { ledger, close: () => ledger.close() };
});

const entry = {
  action: 'pause' as const,
  actor: 'a',
  role: 'agent' as const,
  taskSid: null,
  callSid: null,
  conferenceSid: null,
  recordingSids: [],
  details: {},
};
const TASK = 'WT00000000000000000000000000000001';
const pause = { pausedAt: 0, pausedBy: 'alice', role: 'agent' as const, behavior: 'skip' as const, reminderAt: null, autoResumeAt: 1000, reminderFired: false };

async function migrations(url: string): Promise<{ version: number }[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')).rows;
  } finally {
    await c.end();
  }
}

describe('PostgresLedger specifics', () => {
  it('migrations apply once: a second start applies nothing and keeps the data', async () => {
    const url = await cluster.createDatabase();
    const a = await PostgresLedger.open(url);
    await a.append({ ...entry, outcome: 'ok' });
    expect(await migrate(a.pool)).toEqual([]);
    await a.close();
    const b = await PostgresLedger.open(url);
    expect((await b.audit({})).length).toBe(1);
    await b.close();
    expect(await migrations(url)).toEqual(MIGRATIONS.map((m) => ({ version: m.version })));
  });

  it('several instances starting at once migrate once, in order, and all work', async () => {
    const url = await cluster.createDatabase();
    const pools = [1, 2, 3, 4].map(() => new pg.Pool({ connectionString: url, max: 1 }));
    try {
      const applied = await Promise.all(pools.map((p) => migrate(p)));
      // Exactly one start applied each version; the others found it done.
      expect(applied.flat().sort()).toEqual(MIGRATIONS.map((m) => m.version));
      expect(await migrations(url)).toEqual(MIGRATIONS.map((m) => ({ version: m.version })));
      const ledgers = pools.map((p) => new PostgresLedger(p));
      await Promise.all(ledgers.map((l) => l.append({ ...entry, outcome: 'ok' })));
      expect((await ledgers[0]!.audit({})).length).toBe(4);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  it('a failing migration leaves nothing of itself and is tried again at the next start', async () => {
    const url = await cluster.createDatabase();
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      const broken = [...MIGRATIONS, { version: 999, name: 'broken', sql: 'CREATE TABLE half_done (x int); SELECT no_such_column FROM half_done' }];
      await expect(migrate(pool, broken)).rejects.toThrow(/no_such_column/);
      expect((await pool.query("SELECT to_regclass('half_done') AS t")).rows).toEqual([{ t: null }]);
      expect(await migrate(pool)).toEqual([]);
    } finally {
      await pool.end();
    }
  });

  it('a deadline claimed through one pool is not claimed through another (two instances)', async () => {
    const url = await cluster.createDatabase();
    const a = await PostgresLedger.open(url);
    const b = await PostgresLedger.open(url);
    try {
      await a.settle({ taskSid: TASK, pause: { kind: 'open', pause } });
      // Both instances poll at the same moment, many times: one claim in all.
      const claims = await Promise.all([...Array(10).keys()].map((i) => (i % 2 ? a : b).claimDeadlines(1000, `instance-${i % 2}`, 5000)));
      expect(claims.flat().length).toBe(1);
      expect(await b.claimDeadlines(1000, 'instance-b', 5000)).toEqual([]);
      // The claimant died holding it: once the lease ends, the other takes over.
      expect((await b.claimDeadlines(6000, 'instance-b', 5000)).length).toBe(1);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('two instances opening a pause for the same task at once store one open pause', async () => {
    const url = await cluster.createDatabase();
    const a = await PostgresLedger.open(url);
    const b = await PostgresLedger.open(url);
    try {
      const receipts = await Promise.all([a, b, a, b].map((l) => l.settle({ taskSid: TASK, pause: { kind: 'open', pause } })));
      expect(receipts.filter((r) => r.opened !== null).length).toBe(1);
      expect((await a.openPauses()).length).toBe(1);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('the audit stays append-only underneath: the triggers refuse rewriting, deleting or truncating it', async () => {
    const url = await cluster.createDatabase();
    const l = await PostgresLedger.open(url);
    try {
      const e = await l.begin(entry);
      await l.settle({ taskSid: null, complete: { eventId: e.id, outcome: 'ok', details: {} } });
      for (const sql of [
        "UPDATE audit_events SET actor = 'x'",
        'DELETE FROM audit_events',
        'TRUNCATE audit_events CASCADE',
        "UPDATE audit_outcomes SET outcome = 'failed'",
        'DELETE FROM audit_outcomes',
        'TRUNCATE audit_outcomes',
      ]) {
        await expect(l.pool.query(sql), sql).rejects.toThrow(/append-only/);
      }
      const ok = await l.append({ ...entry, outcome: 'ok' });
      await expect(l.pool.query("INSERT INTO audit_outcomes (event_id, at, outcome, details) VALUES ($1, 'x', 'ok', '{}')", [ok.id])).rejects.toThrow(
        /one completion per pending event/,
      );
      expect((await l.audit({})).map((x) => [x.actor, x.outcome])).toEqual([
        ['a', 'ok'],
        ['a', 'ok'],
      ]);
    } finally {
      await l.close();
    }
  });

  it('a stopped database: writes fail as unavailable and store nothing; once it is back the same ledger works again', async () => {
    const url = await cluster.createDatabase();
    const l = await PostgresLedger.open(url);
    try {
      await l.append({ ...entry, outcome: 'ok' });
      await cluster.stopServer();
      const refused = await l.settle({ taskSid: TASK, pause: { kind: 'open', pause }, append: [{ ...entry, outcome: 'ok' }] }).catch((e: unknown) => e);
      expect(l.isUnavailable(refused)).toBe(true);
      expect(l.isUnavailable(await l.begin(entry).catch((e: unknown) => e))).toBe(true);
      expect(l.isUnavailable(await l.ping().catch((e: unknown) => e))).toBe(true);
      await cluster.start();
      await l.ping();
      expect(await l.openPauses()).toEqual([]);
      expect((await l.audit({})).length).toBe(1);
      const { opened } = await l.settle({ taskSid: TASK, pause: { kind: 'open', pause } });
      expect(opened?.taskSid).toBe(TASK);
    } finally {
      await l.close();
    }
  }, 60_000);

  it('tells a refusal of storage from a bug', async () => {
    const l = await PostgresLedger.open(await cluster.createDatabase());
    try {
      const syntax = await l.pool.query('SELEC 1').catch((e: unknown) => e);
      expect(l.isUnavailable(syntax)).toBe(false);
      const missing = await l.pool.query('SELECT * FROM no_such_table').catch((e: unknown) => e);
      expect(l.isUnavailable(missing)).toBe(false);
      const c = await l.pool.connect();
      try {
        await c.query('BEGIN READ ONLY');
        const ro = await c.query("INSERT INTO deferred_legs (task_sid, call_sid, channels, ready) VALUES ('t', 'c', 2, true)").catch((e: unknown) => e);
        expect(l.isUnavailable(ro)).toBe(true);
        await c.query('ROLLBACK');
      } finally {
        c.release();
      }
      // A connection an administrator terminates (57P01) fails as unavailable.
      const victim = new pg.Client({ connectionString: l.pool.options.connectionString });
      victim.on('error', () => undefined);
      await victim.connect();
      const pid = (await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      await l.pool.query('SELECT pg_terminate_backend($1)', [pid]);
      const terminated = await victim.query('SELECT 1').catch((e: unknown) => e);
      expect(l.isUnavailable(terminated)).toBe(true);
      await victim.end().catch(() => undefined);
      const refused = await new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:1/postgres' }).connect().catch((e: unknown) => e);
      expect(isPostgresUnavailable(refused)).toBe(true);
      // A statement stuck behind a lock is cut off by the pool's statement timeout, and that counts as unavailable.
      expect((await l.pool.query<{ statement_timeout: string }>('SHOW statement_timeout')).rows).toEqual([{ statement_timeout: '10s' }]);
      const timedOut = await l.pool.query("SET LOCAL statement_timeout = '50ms'; SELECT pg_sleep(1)").catch((e: unknown) => e);
      expect(l.isUnavailable(timedOut)).toBe(true);
      for (const code of ['57P01', '53100', '08006', '25006', '57014']) expect(isPostgresUnavailable(Object.assign(new Error('x'), { code }))).toBe(true);
      for (const code of ['42601', '23505', '42P01', '22P02']) expect(isPostgresUnavailable(Object.assign(new Error('x'), { code }))).toBe(false);
    } finally {
      await l.close();
    }
  });

  it('a connection terminated under a transaction rejects the write as unavailable, and the process survives', async () => {
    const url = await cluster.createDatabase();
    // One connection: the write afterwards proves the dead one was discarded, not handed out again.
    const ledger = await PostgresLedger.open(url, { poolSize: 1 });
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown): void => void uncaught.push(e);
    process.on('uncaughtException', onUncaught);
    const holder = new pg.Client({ connectionString: url });
    const admin = new pg.Client({ connectionString: url });
    await holder.connect();
    await admin.connect();
    try {
      // The ledger's transaction waits on this lock, holding its checked-out client, until its backend is terminated.
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE audit_events IN EXCLUSIVE MODE');
      const write = ledger.append({ ...entry, outcome: 'ok' }).then(
        () => null,
        (e: unknown) => e,
      );
      let pid: number | undefined;
      for (let i = 0; i < 500 && pid === undefined; i++) {
        const r = await admin.query<{ pid: number }>(
          "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'pause-recording' AND wait_event_type = 'Lock'",
        );
        pid = r.rows[0]?.pid;
        if (pid === undefined) await new Promise((r) => setTimeout(r, 20));
      }
      expect(pid).toBeDefined();
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      const failed = await write;
      expect(ledger.isUnavailable(failed)).toBe(true);
      await holder.query('ROLLBACK');
      // The client's 'error' events (the termination notice, then the closed socket) have come by now.
      await new Promise((r) => setTimeout(r, 100));
      expect(uncaught).toEqual([]);
      await ledger.append({ ...entry, outcome: 'ok', actor: 'after' });
      expect((await ledger.audit({})).map((e) => e.actor)).toEqual(['after']);
    } finally {
      process.removeListener('uncaughtException', onUncaught);
      await holder.end().catch(() => undefined);
      await admin.end().catch(() => undefined);
      await ledger.close();
    }
  });
});
