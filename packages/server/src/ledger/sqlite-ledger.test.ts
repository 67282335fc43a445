import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../storage/database.ts';
import { ledgerConformance } from './ledger.conformance.ts';
import { SqliteLedger } from './sqlite-ledger.ts';

ledgerConformance('SQLite', () => {
  const db = openDatabase(':memory:');
  return Promise.resolve({
    ledger: new SqliteLedger(db, () => 1_700_000_000_000),
    close: () => {
      db.close();
      return Promise.resolve();
    },
  });
});

describe('SqliteLedger specifics', () => {
  it('a refused write is reported as storage unavailable and stores nothing; reads keep answering', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-'));
    const db = openDatabase(join(dir, 'server.sqlite'));
    try {
      const l = new SqliteLedger(db);
      db.pragma('query_only = ON');
      const e = await l
        .begin({ action: 'pause', actor: 'a', role: 'agent', taskSid: null, callSid: null, conferenceSid: null, recordingSids: [], details: {} })
        .catch((x: unknown) => x);
      expect(l.isUnavailable(e)).toBe(true);
      expect(await l.audit({})).toEqual([]);
      expect(await l.openPauses()).toEqual([]);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ping fails while another connection holds the write lock, and once the database is closed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-'));
    const a = openDatabase(join(dir, 'server.sqlite'));
    const b = openDatabase(join(dir, 'server.sqlite'));
    try {
      const l = new SqliteLedger(a);
      await l.ping();
      b.exec('BEGIN IMMEDIATE');
      const locked = await l.ping().catch((x: unknown) => x);
      expect(l.isUnavailable(locked)).toBe(true);
      b.exec('ROLLBACK');
      await l.ping();
      a.close();
      await expect(l.ping()).rejects.toThrow(/not open/);
    } finally {
      if (a.open) a.close();
      b.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a deadline claimed through one connection is not claimed again through another on the same file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-'));
    const a = openDatabase(join(dir, 'server.sqlite'));
    const b = openDatabase(join(dir, 'server.sqlite'));
    try {
      const la = new SqliteLedger(a);
      const lb = new SqliteLedger(b);
      const pause = {
        pausedAt: 0,
        pausedBy: 'alice',
        role: 'agent' as const,
        behavior: 'skip' as const,
        reminderAt: null,
        autoResumeAt: 1000,
        reminderFired: false,
      };
      await la.settle({ taskSid: 'WT00000000000000000000000000000001', pause: { kind: 'open', pause } });
      expect((await la.claimDeadlines(1000, 'instance-a', 5000)).length).toBe(1);
      expect(await lb.claimDeadlines(1000, 'instance-b', 5000)).toEqual([]);
      // Instance A died holding it: once the lease ends, B takes over.
      expect((await lb.claimDeadlines(6000, 'instance-b', 5000)).length).toBe(1);
    } finally {
      a.close();
      b.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the audit stays append-only underneath: the triggers refuse rewriting an event or its outcome', async () => {
    const db = openDatabase(':memory:');
    const l = new SqliteLedger(db);
    const e = await l.begin({ action: 'pause', actor: 'a', role: 'agent', taskSid: null, callSid: null, conferenceSid: null, recordingSids: [], details: {} });
    await l.settle({ taskSid: null, complete: { eventId: e.id, outcome: 'ok', details: {} } });
    expect(() => db.prepare("UPDATE audit_events SET actor = 'x'").run()).toThrow(/append-only/);
    expect(() => db.prepare("UPDATE audit_outcomes SET outcome = 'failed'").run()).toThrow(/append-only/);
    db.close();
  });

  it('no statement scans the spans table, which grows with every pause ever made: open spans are found by index', () => {
    const db = openDatabase(':memory:');
    const prepared: string[] = [];
    const prepare = db.prepare.bind(db);
    db.prepare = ((sql: string) => {
      prepared.push(sql);
      return prepare(sql);
    }) as typeof db.prepare;
    new SqliteLedger(db);
    const touching = prepared.filter((sql) => sql.includes('recording_pauses'));
    expect(touching.length).toBeGreaterThanOrEqual(5);
    for (const sql of touching) {
      const params = Object.fromEntries(['taskSid', 'recordingSid', 'pausedAt', 'behavior', 'pausedBy', 'role', 'reason'].map((k) => [k, 'x']));
      const positional = (sql.match(/\?/g) ?? []).map(() => 'x');
      const plan = (prepare('EXPLAIN QUERY PLAN ' + sql).all(...(sql.includes('@') ? [params] : positional)) as { detail: string }[]).map((r) => r.detail);
      expect({ sql, scans: plan.filter((d) => /^SCAN (recording_pauses|s)\b/.test(d)) }).toEqual({ sql, scans: [] });
    }
    db.close();
  });
});
