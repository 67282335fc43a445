/**
 * Item 5, audit rows: the server's real audit store (SqliteAuditStore on openDatabase, WAL, the
 * server's schema and indexes) in a file, grown to 10k, 100k and 1M rows of pause/resume events
 * spread over 1,000 agents and their tasks. At each size: one append as the server does it
 * (autocommit), the queries behind GET /api/audit (by task; an agent's own events; a
 * supervisor's time window), count(), and the file size.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewAuditEvent } from '@pause-recording/core';
import { SqliteAuditStore } from '../packages/server/src/audit/audit-store.ts';
import { openDatabase } from '../packages/server/src/storage/database.ts';
import { f, summary, table, type BenchOptions } from './lib/report.ts';

const AGENTS = 1000;
const EVENTS_PER_TASK = 10;

export interface AuditRow {
  rows: number;
  fillSeconds: number;
  appendUs: ReturnType<typeof summary>;
  byTaskMs: ReturnType<typeof summary>;
  agentOwnMs: ReturnType<typeof summary>;
  supervisorWindowMs: ReturnType<typeof summary>;
  supervisorAllMs: ReturnType<typeof summary>;
  countMs: ReturnType<typeof summary>;
  fileBytes: number;
}

const hex = (n: number): string => randomBytes(n).toString('hex');

function timeEach(n: number, fn: (i: number) => void, budgetMs: number): number[] {
  const out: number[] = [];
  const until = performance.now() + budgetMs;
  for (let i = 0; i < n && performance.now() < until; i++) {
    const t = performance.now();
    fn(i);
    out.push(performance.now() - t);
  }
  return out;
}

export async function runAuditGrowth(opts: BenchOptions, log: (s: string) => void): Promise<{ rows: AuditRow[]; markdown: string }> {
  const sizes = opts.quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000];
  const dir = mkdtempSync(join(tmpdir(), 'bench-audit-'));
  const file = join(dir, 'server.sqlite');
  const db = openDatabase(file);
  // Timestamps: one event per second ending now, so "the last hour" holds 3,600 events.
  let clock = Date.now() - sizes[sizes.length - 1]! * 1000;
  const store = new SqliteAuditStore(db, () => clock);
  const tasks: { sid: string; agent: string }[] = [];
  let written = 0;
  const event = (i: number): NewAuditEvent => {
    if (i % EVENTS_PER_TASK === 0) tasks.push({ sid: `WT${hex(16)}`, agent: `agent-${tasks.length % AGENTS}` });
    const t = tasks[tasks.length - 1]!;
    return {
      action: i % 2 === 0 ? 'pause' : 'resume',
      outcome: 'ok',
      actor: t.agent,
      role: 'agent',
      taskSid: t.sid,
      callSid: `CA${hex(16)}`,
      conferenceSid: `CF${hex(16)}`,
      recordingSids: [`RE${hex(16)}`],
      details: { reason: 'card details', behavior: 'skip' },
    };
  };
  const rows: AuditRow[] = [];
  try {
    for (const size of sizes) {
      const t0 = performance.now();
      const fill = db.transaction((from: number, to: number) => {
        for (let i = from; i < to; i++) {
          clock += 1000;
          store.append(event(i));
        }
      });
      for (let from = written; from < size; from += 50_000) fill(from, Math.min(size, from + 50_000));
      written = size;
      const fillSeconds = (performance.now() - t0) / 1000;
      const appendUs = timeEach(opts.quick ? 500 : 2000, (i) => store.append(event(written + i)), 5000).map((ms) => ms * 1000);
      written += appendUs.length;
      const pick = (i: number): { sid: string; agent: string } => tasks[(i * 7919) % tasks.length]!;
      const byTaskMs = timeEach(200, (i) => store.query({ taskSid: pick(i).sid }), 3000);
      // An agent's view: own actions or tasks they hold (the route passes their current tasks).
      const agentOwnMs = timeEach(20, (i) => store.query({ actor: pick(i).agent, orTaskSids: [pick(i).sid] }), 8000);
      const now = new Date(clock).toISOString();
      const hourAgo = new Date(clock - 3_600_000).toISOString();
      const supervisorWindowMs = timeEach(20, () => store.query({ from: hourAgo, to: now }), 8000);
      const supervisorAllMs = timeEach(10, () => store.query({}), 8000);
      const countMs = timeEach(20, () => store.count(), 5000);
      db.pragma('wal_checkpoint(TRUNCATE)');
      const row: AuditRow = {
        rows: written,
        fillSeconds,
        appendUs: summary(appendUs),
        byTaskMs: summary(byTaskMs),
        agentOwnMs: summary(agentOwnMs),
        supervisorWindowMs: summary(supervisorWindowMs),
        supervisorAllMs: summary(supervisorAllMs),
        countMs: summary(countMs),
        fileBytes: statSync(file).size,
      };
      rows.push(row);
      log(
        `audit ${written} rows: append p50 ${f(row.appendUs.p50, 0)} µs p99 ${f(row.appendUs.p99, 0)} µs, by task ${f(row.byTaskMs.p50, 2)} ms, ` +
          `agent own ${f(row.agentOwnMs.p50, 1)} ms, supervisor hour ${f(row.supervisorWindowMs.p50, 1)} ms, all ${f(row.supervisorAllMs.p50, 1)} ms, count ${f(row.countMs.p50, 1)} ms, ${f(row.fileBytes / written, 0)} B/row`,
      );
    }
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return { rows, markdown: auditMarkdown(rows) };
}

function auditMarkdown(rows: AuditRow[]): string {
  const first = rows[0]!;
  const t = table(
    [
      'audit rows',
      'append p50 / p99 (µs)',
      'by task p50 (ms)',
      "agent's own events p50 (ms)",
      '× at first size',
      'supervisor, last hour (3,600 rows) p50 (ms)',
      'supervisor, no filter (first 10,000 rows) p50 (ms)',
      'count() p50 (ms)',
      'file bytes per row',
      'fill (s)',
    ],
    rows.map((r) => [
      r.rows.toLocaleString('en-US'),
      `${f(r.appendUs.p50, 0)} / ${f(r.appendUs.p99, 0)}`,
      f(r.byTaskMs.p50, 3),
      f(r.agentOwnMs.p50, 1),
      f(r.agentOwnMs.p50 / first.agentOwnMs.p50, 1),
      f(r.supervisorWindowMs.p50, 1),
      f(r.supervisorAllMs.p50, 1),
      f(r.countMs.p50, 1),
      f(r.fileBytes / r.rows, 0),
      f(r.fillSeconds, 1),
    ]),
  );
  const last = rows[rows.length - 1]!;
  return `**Calls and agents.** The other tables grow in calls (engine section: 100 → 3,000 calls; control
section: 10 → 1,000 live calls, one agent each). Read across them for the cost curve: the engine's
CPU per call stays flat (its "× CPU/call at 100" column) and so does its memory per call (JS heap +
buffers, ~80 KiB), the server's CPU per pause/resume does not grow with live calls, and setting up calls
(log in, place, accept) costs about the same per call at every level — though the contact center's
\`offer()\` lists every busy task and scans the agent list to find a free agent, so placing a call is
O(live tasks + agents): quadratic to fill up, small at these sizes (an in-memory free-agent set would
make it constant). The engine's \`Twilio.CURRENT\` lookup scans all active recordings (O(live
recordings) per request); the server addresses recordings by SID, so it does not pay that.

**Audit rows.** The server's own audit store and schema (packages/server/src/audit, storage/database.ts) in a
SQLite file (WAL), filled with pause/resume events of ${AGENTS.toLocaleString('en-US')} agents, ${EVENTS_PER_TASK} events per task, one per second.

${t}

**What grows.** Appends stay flat (B-tree inserts on the primary key and two indexes: logarithmic).
Lookups by task use the \`audit_task\` index and stay flat; the supervisor's time window uses
\`audit_at\`. Two queries grow **linearly** with the table: an **agent's own view**
(\`actor = ? OR task_sid IN (…)\`: there is no index on \`actor\`, so SQLite scans every row — ${f(last.agentOwnMs.p50, 0)} ms at
${last.rows.toLocaleString('en-US')} rows, and it runs on every GET /api/audit by an agent, blocking the server's event loop for that long)
and \`count()\` (a full scan of the primary key). Fix: \`CREATE INDEX audit_actor ON audit_events(actor, id)\`
(and answer the agent's view as a UNION of the actor index and the task index), and keep a row
counter instead of \`COUNT(*)\`. Note also that an unfiltered query returns the **oldest** 10,000
events (\`ORDER BY id LIMIT 10000\`); a supervisor would expect the newest — \`ORDER BY id DESC\`
or keyset paging would fix both the meaning and the cost.`;
}
