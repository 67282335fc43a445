import { describe, expect, it } from 'vitest';
import { openDatabase } from '../storage/database.ts';
import { SqliteAuditStore } from './audit-store.ts';

const T1 = 'WT' + '1'.repeat(32);
const T2 = 'WT' + '2'.repeat(32);

function store() {
  const db = openDatabase(':memory:');
  let t = Date.parse('2026-01-01T00:00:00Z');
  return { db, audit: new SqliteAuditStore(db, () => (t += 1000)) };
}

const base = { outcome: 'ok', callSid: null, conferenceSid: null, recordingSids: [], details: {} } as const;

describe('SqliteAuditStore', () => {
  it('appends and filters by task, actor and time', () => {
    const { audit } = store();
    audit.append({ ...base, action: 'pause', actor: 'alice', role: 'agent', taskSid: T1, recordingSids: ['RE1'] });
    audit.append({ ...base, action: 'resume', actor: 'sam', role: 'supervisor', taskSid: T1 });
    audit.append({ ...base, action: 'pause', actor: 'bob', role: 'agent', taskSid: T2 });
    expect(audit.query({ taskSid: T1 }).map((e) => e.actor)).toEqual(['alice', 'sam']);
    expect(audit.query({ actor: 'alice' }).map((e) => e.action)).toEqual(['pause']);
    expect(audit.query({ actor: 'alice', orTaskSids: [T1] }).map((e) => e.actor)).toEqual(['alice', 'sam']);
    expect(audit.query({ from: '2026-01-01T00:00:02Z', to: '2026-01-01T00:00:02Z' }).map((e) => e.actor)).toEqual(['sam']);
    expect(audit.query({})[0]).toMatchObject({ recordingSids: ['RE1'], role: 'agent', at: '2026-01-01T00:00:01.000Z' });
  });

  it('refuses updates and deletes, even in raw SQL', () => {
    const { db, audit } = store();
    audit.append({ ...base, action: 'pause', actor: 'alice', role: 'agent', taskSid: T1 });
    expect(() => db.prepare("UPDATE audit_events SET actor = 'mallory'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_events').run()).toThrow(/append-only/);
    expect(audit.query({})[0]?.actor).toBe('alice');
    expect(audit.count()).toBe(1);
  });
});
