/**
 * Storage failures (issue 9, item 5): the audit is written before the provider is asked, so a disk
 * that fills up between asking and recording leaves the pause on record (`pending`), answers a
 * truthful 503 naming the state at the provider, keeps the auto-resume armed, and loses nothing
 * once space is back. Reads never write, so they keep answering with a full, read-only or
 * foreign-locked database; writes then answer 503 quickly instead of hanging.
 *
 * The disk is a real 4 MB tmpfs when this process may mount one (root); otherwise SQLite's own
 * `query_only` refusal stands in for it.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { sdk, startSystem, waitUntil, type System } from '../support/system.ts';
import { writeCounts } from './reliability-counts.ts';

const systems: System[] = [];
const mounts: string[] = [];
const counts = { disk: 'none', storage503s: 0, pendingKept: 0, readsWhileRefused: 0, providerCallsWhileRefused: 0 };
afterAll(async () => {
  writeCounts('storage', { command: 'npx vitest run packages/server/test/safety/storage-faults.test.ts', ...counts });
  for (const s of systems) await s.close();
  for (const m of mounts) {
    execFileSync('umount', [m]);
    rmSync(m, { recursive: true, force: true });
  }
});

function tmpfs(): string | null {
  const dir = mkdtempSync(join(tmpdir(), 'server-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir], { stdio: 'ignore' });
    mounts.push(dir);
    return dir;
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
}

/** Fills the disk to the last byte (or makes SQLite refuse writes); returns how to undo it. */
function fillStorage(s: System, dir: string | null): () => void {
  if (dir === null) {
    s.server.db.pragma('query_only = ON');
    return () => s.server.db.pragma('query_only = OFF');
  }
  // An empty WAL: the next write has to grow it, and there is no room left to grow into.
  s.server.db.pragma('wal_checkpoint(TRUNCATE)');
  const file = join(dir, 'filler');
  const fd = openSync(file, 'w');
  for (const size of [65536, 4096, 512, 1]) {
    const chunk = Buffer.alloc(size);
    try {
      for (let i = 0; i < 1024; i++) writeSync(fd, chunk);
    } catch {
      // ENOSPC: on to smaller chunks.
    }
  }
  closeSync(fd);
  return () => unlinkSync(file);
}

async function engineStatuses(s: System, taskSid: string): Promise<string[]> {
  const t = s.server.tasks.get(taskSid)!;
  const recs = await sdk(s).recordings.list();
  return recs
    .filter((r) => r.callSid === t.workerCallSid || r.conferenceSid === t.conferenceSid)
    .map((r) => r.status)
    .sort();
}

describe('storage failures', () => {
  it('disk full during a pause: pending audit row, truthful 503, reads work, auto-resume still runs, nothing lost', async () => {
    const dir = tmpfs();
    counts.disk = dir === null ? 'sqlite query_only (no permission to mount a tmpfs)' : 'tmpfs 4 MB, filled';
    const s = await startSystem({
      settings: { features: { pause_recording: { reminder_seconds: 0, max_pause_seconds: 4 } } },
      env: { RATE_LIMIT_PER_MINUTE: '0', ...(dir === null ? {} : { DATA_DIR: dir }) },
      server: { reconcileIntervalMs: 300 },
    });
    systems.push(s);
    const { token, taskSid } = await s.acceptedCall('alice');
    // The provider takes its time: the disk fills up while it works.
    s.engine.faults.add({ method: 'POST', path: '/Recordings/', action: 'delay', delayMs: 1500, times: 0 });
    const pressing = s.api('POST', `/api/tasks/${taskSid}/recording/pause`, { token });
    const pending = await waitUntil('the pending audit row, before the provider answers', () =>
      s.server.audit.query({ taskSid }).find((e) => e.action === 'pause' && e.outcome === 'pending'),
    );
    const free = fillStorage(s, dir);
    const r = await pressing;
    s.engine.faults.clear();

    expect(r.status).toBe(503);
    counts.storage503s++;
    expect(r.body.error?.code).toBe('STORAGE_UNAVAILABLE');
    expect(r.body.error?.message).toMatch(new RegExp(`are paused at the provider, but the audit \\(event ${pending.id}, pending\\) could not be completed`));
    expect(r.body.error?.message).toMatch(/auto-resume stays armed/);
    expect(await engineStatuses(s, taskSid)).toEqual(['paused']);
    // The attempt is on record although its outcome could not be stored.
    expect(
      s.server.audit
        .query({ taskSid })
        .filter((e) => e.action === 'pause')
        .map((e) => e.outcome),
    ).toEqual(['pending']);
    counts.pendingKept++;

    // Reads answer with the disk full.
    const state = await s.api('GET', `/api/tasks/${taskSid}/recording`, { token });
    expect([state.status, state.body['status']]).toEqual([200, 'paused']);
    expect(state.body['autoResumeAt']).not.toBeNull();
    expect((await s.api('GET', '/api/recordings', { token })).status).toBe(200);
    expect((await s.api('GET', `/api/tasks/${taskSid}`, { token })).status).toBe(200);
    counts.readsWhileRefused += 4;

    // Space comes back: the kept writes land, the pause completes, the auto-resume (armed from memory) runs.
    free();
    await waitUntil('the auto-resume', () => s.server.audit.query({ taskSid }).some((e) => e.action === 'auto-resume' && e.outcome === 'ok'), 15_000);
    expect(await engineStatuses(s, taskSid)).toEqual(['in-progress']);
    const events = s.server.audit.query({ taskSid }).filter((e) => e.action === 'pause' || e.action === 'auto-resume');
    expect(events.map((e) => [e.action, e.outcome])).toEqual([
      ['pause', 'ok'],
      ['auto-resume', 'ok'],
    ]);
    expect(events[0]!.id).toBe(pending.id);
    const closed = s.server.db.prepare('SELECT close_reason AS r FROM pauses WHERE task_sid = ?').all(taskSid) as { r: string }[];
    expect(closed).toEqual([{ r: 'auto-resume' }]);
  }, 40_000);

  it('reads never write: a read-only database still answers every read; a write is refused with 503 before the provider is asked', async () => {
    const s = await startSystem({ env: { RATE_LIMIT_PER_MINUTE: '0' } });
    systems.push(s);
    const { token, taskSid } = await s.acceptedCall('alice');
    expect((await s.api('POST', `/api/tasks/${taskSid}/recording/pause`, { token })).status).toBe(200);
    const recordingSid = ((await s.api('GET', `/api/tasks/${taskSid}/recording`, { token })).body['recordings'] as { sid: string }[])[0]!.sid;
    const before = s.server.audit.count();
    s.server.db.pragma('query_only = ON');
    try {
      for (const path of [`/api/tasks/${taskSid}/recording`, '/api/recordings', `/api/recordings/${recordingSid}`, `/api/tasks/${taskSid}`, '/api/tasks']) {
        const r = await s.api('GET', path, { token });
        expect([path, r.status]).toEqual([path, 200]);
        counts.readsWhileRefused++;
      }
      const w = await s.api('POST', `/api/tasks/${taskSid}/recording/resume`, { token });
      expect([w.status, w.body.error?.code]).toEqual([503, 'STORAGE_UNAVAILABLE']);
      counts.storage503s++;
      expect(w.body.error?.message).toMatch(/nothing was changed: the audit could not be written before asking the provider .*still paused/);
      expect(await engineStatuses(s, taskSid)).toEqual(['paused']);
    } finally {
      s.server.db.pragma('query_only = OFF');
    }
    expect(s.server.audit.count()).toBe(before);
  }, 30_000);

  it('an external write lock on the SQLite file: reads go on, writes answer 503 instead of waiting seconds', async () => {
    const s = await startSystem({ env: { RATE_LIMIT_PER_MINUTE: '0' } });
    systems.push(s);
    const { token, taskSid } = await s.acceptedCall('alice');
    const other = new Database(join(s.dataDir, 'server', 'server.sqlite'));
    other.exec('BEGIN IMMEDIATE');
    try {
      const r = await s.api('GET', `/api/tasks/${taskSid}/recording`, { token });
      expect([r.status, r.body['status']]).toEqual([200, 'recording']);
      counts.readsWhileRefused++;
      const hits = s.engine.faults.hits;
      s.engine.faults.add({ method: 'POST', path: '/Recordings/', action: 'delay', delayMs: 0, times: 0 });
      const w = await s.api('POST', `/api/tasks/${taskSid}/recording/pause`, { token });
      expect([w.status, w.body.error?.code]).toEqual([503, 'STORAGE_UNAVAILABLE']);
      counts.storage503s++;
      // Refused before the provider was asked: no update reached the engine.
      counts.providerCallsWhileRefused += s.engine.faults.hits - hits;
      expect(s.engine.faults.hits).toBe(hits);
      s.engine.faults.clear();
      expect(await engineStatuses(s, taskSid)).toEqual(['in-progress']);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    const again = await s.api('POST', `/api/tasks/${taskSid}/recording/pause`, { token });
    expect([again.status, again.body['status']]).toEqual([200, 'paused']);
  }, 30_000);
});
