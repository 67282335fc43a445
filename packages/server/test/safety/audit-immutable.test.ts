/**
 * The audit cannot be edited (issue 5): no route of the server updates or deletes an audit event
 * (every method is tried on the audit paths, every route is checked to be read-only there), the
 * store's API has no such method, a second connection to the SQLite file is refused by the
 * triggers, no source file issues such SQL, and events once written never change while the system
 * works. And the export (JSON and CSV) lists every pause with what ended it: its resume, its
 * auto-resume, or the end of the call.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteAuditStore } from '../../src/audit/audit-store.ts';
import { routesOf } from './routes-of.ts';
import { writeCounts } from './reliability-counts.ts';
import { startSystem, waitUntil, type System } from '../support/system.ts';

let s: System;
let sam: string;
/** How far the pause clock runs ahead of the wall clock: the test moves it to make an auto-resume due. */
let ahead = 0;
const MAX_PAUSE_SECONDS = 3600;
const counts = { editAttempts: 0, edited: 0, pausesExported: 0, pausesWithoutEnd: 0, csvRows: 0 };
beforeAll(async () => {
  s = await startSystem({
    // An hour: no pause this file resumes by hand can be auto-resumed first, however slow the
    // machine; the one auto-resume is made due by moving the pause clock past it.
    settings: { call_recording_enabled: true, features: { pause_recording: { reminder_seconds: 0, max_pause_seconds: MAX_PAUSE_SECONDS } } },
    env: { RATE_LIMIT_PER_MINUTE: '0' },
    server: { now: () => Date.now() + ahead },
  });
  sam = await s.login('sam');
});
afterAll(async () => {
  await s.close();
  writeCounts('audit', { command: 'npx vitest run packages/server/test/safety/audit-immutable.test.ts', ...counts });
});

const rows = (): string => JSON.stringify(s.server.audit.query({}));

/** RFC 4180 cells: quoted with doubled quotes, lines by CRLF (or LF), newlines allowed inside quotes. */
function parseCsv(text: string): string[][] {
  const out: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      out.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) out.push([...row, cell]);
  return out;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return n === 'node_modules' || n === 'dist' ? [] : sourceFiles(p);
    return /\.tsx?$/.test(n) && !/\.test\.tsx?$/.test(n) ? [p] : [];
  });
}

describe('the audit cannot be edited', () => {
  it('no route, store method, second connection or source file changes or deletes an event', async () => {
    const { token } = await s.acceptedCall('alice');
    const taskSid = s.server.tasks.list()[0]!.sid;
    await s.api('POST', `/api/tasks/${taskSid}/recording/pause`, { token });
    const before = rows();
    const first = s.server.audit.query({})[0]!;
    expect(s.server.audit.count()).toBeGreaterThanOrEqual(3);

    // Every route that touches the audit path only reads.
    const auditRoutes = routesOf(s.server.app).filter((r) => r.url.startsWith('/api/audit'));
    expect(auditRoutes.map((r) => r.method)).toEqual(['GET']);
    for (const method of ['PUT', 'PATCH', 'DELETE', 'POST']) {
      for (const path of ['/api/audit', `/api/audit/${first.id}`, `/api/audit?taskSid=${taskSid}`, '/api/audit/events']) {
        counts.editAttempts++;
        const r = await s.api(method, path, { token: sam, json: { actor: 'mallory', outcome: 'ok' } });
        expect([method, path, r.status]).toEqual([method, path, 404]);
      }
    }
    // The store's API: append and read only.
    expect(Object.getOwnPropertyNames(SqliteAuditStore.prototype).sort()).toEqual([
      'append',
      'begin',
      'complete',
      'constructor',
      'count',
      'query',
      'unresolved',
    ]);
    // A second connection to the file (anyone with the file) is refused by the triggers.
    const other = new Database(join(s.dataDir, 'server', 'server.sqlite'));
    try {
      for (const sql of [
        "UPDATE audit_events SET actor = 'mallory'",
        'DELETE FROM audit_events',
        `DELETE FROM audit_events WHERE id = ${first.id}`,
        `INSERT OR REPLACE INTO audit_events (id, at, action, outcome, actor, role, task_sid, call_sid, conference_sid, recording_sids, details)
         SELECT id, at, action, outcome, 'mallory', role, task_sid, call_sid, conference_sid, recording_sids, details FROM audit_events WHERE id = ${first.id}`,
        'REPLACE INTO audit_events SELECT * FROM audit_events',
        // The completions of pending events: written once, never changed, never a second one.
        "UPDATE audit_outcomes SET outcome = 'failed'",
        'DELETE FROM audit_outcomes',
        `INSERT INTO audit_outcomes (event_id, at, outcome, details) SELECT event_id, at, 'failed', details FROM audit_outcomes LIMIT 1`,
        'REPLACE INTO audit_outcomes SELECT * FROM audit_outcomes',
        `INSERT INTO audit_outcomes (event_id, at, outcome, details) VALUES (${first.id}, '2020-01-01T00:00:00.000Z', 'failed', '{}')`,
      ]) {
        counts.editAttempts++;
        expect(() => other.prepare(sql).run(), sql).toThrow(/append-only/);
      }
    } finally {
      other.close();
    }
    // No source file of any package issues an UPDATE or DELETE on the audit table.
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const offenders = ['server', 'core', 'voice-engine', 'agent-desktop']
      .flatMap((p) => sourceFiles(join(root, p, 'src')))
      .filter((f) =>
        /\b(UPDATE\s+audit_(events|outcomes)|DELETE\s+FROM\s+audit_(events|outcomes)|DROP\s+(TABLE|TRIGGER)\b[^;]*audit)/i.test(readFileSync(f, 'utf8')),
      );
    expect(offenders).toEqual([]);
    expect(rows()).toBe(before);

    // Working on: the events already written stay exactly as they were.
    await s.api('POST', `/api/tasks/${taskSid}/recording/resume`, { token });
    await s.api('POST', `/api/tasks/${taskSid}/hangup`, { token });
    await s.api('POST', `/api/tasks/${taskSid}/complete`, { token });
    const after = s.server.audit.query({});
    if (JSON.stringify(after.slice(0, JSON.parse(before).length)) !== before) counts.edited++;
    expect(JSON.stringify(after.slice(0, (JSON.parse(before) as unknown[]).length))).toBe(before);
  }, 30_000);

  it('the JSON and CSV exports list every pause with its resume, auto-resume or call end', async () => {
    // alice: pause, resume, pause, (auto-resume once the clock passes max_pause_seconds), pause, hang up while paused. bob: a supervisor pause he resumes.
    const { token: alice, taskSid: a } = await s.acceptedCall('alice');
    const press = async (token: string, task: string, action: string) =>
      expect((await s.api('POST', `/api/tasks/${task}/recording/${action}`, { token })).status).toBe(200);
    await press(alice, a, 'pause');
    await press(alice, a, 'resume');
    await press(alice, a, 'pause');
    expect(s.server.audit.query({ taskSid: a }).some((e) => e.action === 'auto-resume')).toBe(false);
    ahead += MAX_PAUSE_SECONDS * 1000;
    await waitUntil('auto-resume', () => s.server.audit.query({ taskSid: a }).some((e) => e.action === 'auto-resume' && e.outcome !== 'pending'));
    await press(alice, a, 'pause');
    await s.api('POST', `/api/tasks/${a}/hangup`, { token: alice });
    const { token: bob, taskSid: b } = await s.acceptedCall('bob');
    await press(sam, b, 'pause');
    await press(bob, b, 'resume');
    await s.api('POST', `/api/tasks/${b}/hangup`, { token: bob });

    const json = (await s.api('GET', '/api/audit?format=json', { token: sam })).body['events'] as {
      id: number;
      action: string;
      outcome: string;
      taskSid: string | null;
      actor: string;
    }[];
    const csvRes = await s.api('GET', '/api/audit?format=csv', { token: sam });
    expect(csvRes.headers.get('content-type')).toContain('text/csv');
    const [header, ...csv] = parseCsv(csvRes.text.trim());
    expect(header).toEqual(['id', 'at', 'action', 'outcome', 'actor', 'role', 'taskSid', 'callSid', 'conferenceSid', 'recordingSids', 'details']);
    counts.csvRows = csv.length;
    // Both exports hold the same events.
    expect(csv.map((r) => [Number(r[0]), r[2], r[3], r[4], r[6] === '' ? null : r[6]])).toEqual(
      json.map((e) => [e.id, e.action, e.outcome, e.actor, e.taskSid]),
    );

    const ends: Record<string, string[]> = {};
    for (const task of [a, b]) {
      const ev = json.filter((e) => e.taskSid === task && e.outcome === 'ok' && ['pause', 'resume', 'auto-resume', 'task-hangup'].includes(e.action));
      const closedBy: string[] = [];
      let open = false;
      for (const e of ev) {
        if (e.action === 'pause') {
          expect(open).toBe(false); // never two pauses without an end between them
          open = true;
          counts.pausesExported++;
        } else if (open) {
          closedBy.push(e.action === 'task-hangup' ? 'call-end' : e.action);
          open = false;
        }
      }
      if (open) counts.pausesWithoutEnd++;
      expect(open).toBe(false);
      ends[task] = closedBy;
    }
    expect(ends).toEqual({ [a]: ['resume', 'auto-resume', 'call-end'], [b]: ['resume'] });
    // And the pause records agree with the export.
    const closed = s.server.db.prepare('SELECT task_sid AS t, close_reason AS r FROM pauses WHERE task_sid IN (?, ?) ORDER BY id').all(a, b) as {
      t: string;
      r: string;
    }[];
    expect(closed.map((p) => [p.t, p.r])).toEqual([
      [a, 'resume'],
      [a, 'auto-resume'],
      [a, 'call-ended'],
      [b, 'resume'],
    ]);
  }, 30_000);
});
