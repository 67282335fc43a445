/**
 * DATABASE_URL end to end: the real server on a throwaway PostgreSQL cluster against the embedded
 * engine, over real HTTP. Login, pause, resume and the audit read all go through the PostgreSQL
 * ledger (the server's SQLite file holds none of it); a stopped database answers 503 and changes
 * nothing at the provider; once it is back the same server works without a restart; a second
 * server on the same database reads what the first wrote.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteAuditStore } from '../../src/audit/audit-store.ts';
import { loadServerConfig } from '../../src/config/server-config.ts';
import { PostgresLedger } from '../../src/ledger/postgres-ledger.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { startServer } from '../../src/server.ts';
import { startPostgres, type PostgresCluster } from '../support/postgres.ts';
import { sdk, startSystem, waitUntil, type System } from '../support/system.ts';

let cluster: PostgresCluster;
const systems: System[] = [];
beforeAll(async () => {
  cluster = await startPostgres();
}, 60_000);
afterAll(async () => {
  for (const s of systems) await s.close();
  await cluster?.stop();
});

async function engineStatuses(s: System, taskSid: string): Promise<string[]> {
  const t = s.server.tasks.get(taskSid)!;
  const recs = await sdk(s).recordings.list();
  return recs
    .filter((r) => r.callSid === t.workerCallSid || r.conferenceSid === t.conferenceSid)
    .map((r) => r.status)
    .sort();
}

type Ev = { action: string; outcome: string; actor: string; taskSid: string };

describe('the server with DATABASE_URL (PostgreSQL ledger)', () => {
  it('login, pause, resume and the audit read all go through PostgreSQL; a stopped database answers 503 and changes nothing', async () => {
    const databaseUrl = await cluster.createDatabase();
    const s = await startSystem({ env: { DATABASE_URL: databaseUrl, RATE_LIMIT_PER_MINUTE: '0' } });
    systems.push(s);
    expect(s.server.ledger).toBeInstanceOf(PostgresLedger);
    // Several instances: a TaskRouter event reaches one of them, so none caches grants (docs/security.md).
    expect(s.server.grants.enabled).toBe(false);

    const { token, taskSid } = await s.acceptedCall('alice');
    const paused = await s.api('POST', `/api/tasks/${taskSid}/recording/pause`, { token });
    expect([paused.status, paused.body['status']]).toEqual([200, 'paused']);
    expect(await engineStatuses(s, taskSid)).toEqual(['paused']);
    const resumed = await s.api('POST', `/api/tasks/${taskSid}/recording/resume`, { token });
    expect([resumed.status, resumed.body['status']]).toEqual([200, 'recording']);

    const audit = await s.api('GET', `/api/audit?taskSid=${taskSid}`, { token });
    expect(audit.status).toBe(200);
    const mine = (audit.body['events'] as Ev[]).filter((e) => e.action === 'pause' || e.action === 'resume');
    expect(mine.map((e) => [e.action, e.outcome, e.actor])).toEqual([
      ['pause', 'ok', 'alice'],
      ['resume', 'ok', 'alice'],
    ]);
    // The rows are in PostgreSQL, not in the server's SQLite file.
    const c = new pg.Client({ connectionString: databaseUrl });
    await c.connect();
    const rows = await c.query<{ action: string }>("SELECT action FROM audit_events WHERE task_sid = $1 AND action IN ('pause', 'resume') ORDER BY id", [
      taskSid,
    ]);
    await c.end();
    expect(rows.rows.map((r) => r.action)).toEqual(['pause', 'resume']);
    expect(new SqliteAuditStore(s.server.db).count()).toBe(0);
    expect(() => s.server.audit.count()).toThrow(/ledger\.audit\(\)/);

    // The database stops: the load balancer is told (/health/ready), and a pause is refused before the provider is asked, truthfully.
    expect((await fetch(`${s.url}/health/ready`)).status).toBe(200);
    await cluster.stopServer();
    try {
      const unready = await fetch(`${s.url}/health/ready`);
      expect([unready.status, await unready.json()]).toEqual([
        503,
        expect.objectContaining({ status: 'unready', checks: expect.objectContaining({ ledger: expect.objectContaining({ ok: false }) }) }),
      ]);
      const refused = await s.api('POST', `/api/tasks/${taskSid}/recording/pause`, { token });
      expect([refused.status, refused.body.error?.code]).toEqual([503, 'STORAGE_UNAVAILABLE']);
      expect(await engineStatuses(s, taskSid)).toEqual(['in-progress']);
      expect((await s.api('GET', `/api/audit?taskSid=${taskSid}`, { token })).status).toBe(503);
    } finally {
      await cluster.start();
    }

    // Back: the same server (its pool reconnects) is ready and pauses again, and nothing of the refused attempt was stored.
    expect((await fetch(`${s.url}/health/ready`)).status).toBe(200);
    const again = await s.api('POST', `/api/tasks/${taskSid}/recording/pause`, { token });
    expect([again.status, again.body['status']]).toEqual([200, 'paused']);
    const after = (await s.server.ledger.audit({ taskSid })).filter((e) => e.action === 'pause' || e.action === 'resume');
    expect(after.map((e) => [e.action, e.outcome])).toEqual([
      ['pause', 'ok'],
      ['resume', 'ok'],
      ['pause', 'ok'],
    ]);

    // A second server on the same database (another instance) reads the same audit and open pause.
    const other = await startSystem({ env: { DATABASE_URL: databaseUrl, RATE_LIMIT_PER_MINUTE: '0' }, engine: s.engine });
    systems.push(other);
    expect((await other.server.ledger.openPause(taskSid))?.pausedBy).toBe('alice');
    const supervisor = await other.login('sam');
    const seen = await other.api('GET', `/api/audit?taskSid=${taskSid}`, { token: supervisor });
    expect((seen.body['events'] as Ev[]).filter((e) => e.action === 'pause').length).toBe(2);
    await waitUntil('both servers answer', async () => (await other.api('GET', '/api/health')).status === 200);
  }, 60_000);

  it('an unreachable database at start is a clear error, not a half-started server', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'server-pg-'));
    try {
      const config = loadServerConfig({ PORT: '0', DATA_DIR: dataDir, DATABASE_URL: cluster.url.replace(/:\d+\//, ':1/') }, () => '{}');
      await expect(startServer(config, { logger: createLogger('silent') })).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 30_000);
});
