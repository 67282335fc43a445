/**
 * The PostgreSQL pieces several instances share (issue 14), each against a real throwaway
 * cluster with two "instances" (two pools and listeners): the advisory task lock, the
 * LISTEN/NOTIFY event bus and the replicated tasks.
 */
import type { LiveEvent } from '@pause-recording/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLUSTER_MIGRATIONS } from '../../src/cluster/cluster-schema.ts';
import { migrate } from '../../src/ledger/pg-migrations.ts';
import { PgAdvisoryLock } from '../../src/cluster/pg-advisory-lock.ts';
import { SharedTaskStore } from '../../src/cluster/shared-task-store.ts';
import { openDatabase } from '../../src/storage/database.ts';
import { SqliteTaskStore } from '../../src/tasks/task-store.ts';
import { PgEventBus } from '../../src/events/pg-event-bus.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { startPostgres, type PostgresCluster } from '../support/postgres.ts';
import { waitUntil } from '../support/system.ts';

let cluster: PostgresCluster;
let url: string;
const pools: pg.Pool[] = [];
const buses: PgEventBus[] = [];
const logger = createLogger('silent');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pool(): pg.Pool {
  const p = new pg.Pool({ connectionString: url, max: 4 });
  p.on('error', () => undefined);
  pools.push(p);
  return p;
}

beforeAll(async () => {
  cluster = await startPostgres();
  url = await cluster.createDatabase();
  await migrate(pool(), CLUSTER_MIGRATIONS);
}, 60_000);
afterAll(async () => {
  for (const b of buses) await b.close();
  for (const p of pools) await p.end();
  await cluster?.stop();
});

describe('PgAdvisoryLock', () => {
  it('never lets two instances run on one task at once, and lets other tasks through', async () => {
    const a = new PgAdvisoryLock(pool());
    const b = new PgAdvisoryLock(pool());
    let inside = 0;
    let most = 0;
    const log: string[] = [];
    const op = (who: string) => async () => {
      inside++;
      most = Math.max(most, inside);
      log.push(`${who}+`);
      await sleep(20);
      log.push(`${who}-`);
      inside--;
    };
    await Promise.all([0, 1, 2, 3, 4].flatMap((i) => [a.run('WT1', op(`a${i}`)), b.run('WT1', op(`b${i}`))]));
    expect(most).toBe(1);
    // Strictly nested enter/leave pairs: nobody entered while another was inside.
    for (let i = 0; i < log.length; i += 2) expect(log[i + 1]).toBe(log[i]!.replace('+', '-'));
    expect(log).toHaveLength(20);

    // Another task is not held up by a busy one.
    let release!: () => void;
    const held = a.run('WT1', () => new Promise<void>((r) => (release = r)));
    await waitUntil('a holds WT1', async () => (await b.tryRun('WT1', async () => 'got')) === null);
    expect(await b.run('WT2', async () => 'other task')).toBe('other task');
    release();
    await held;
    expect(await b.tryRun('WT1', async () => 'free again')).toEqual({ value: 'free again' });
  }, 30_000);

  it('an operation that throws gives the lock back', async () => {
    const a = new PgAdvisoryLock(pool());
    const b = new PgAdvisoryLock(pool());
    await expect(a.run('WT3', async () => Promise.reject(new Error('provider said no')))).rejects.toThrow('provider said no');
    expect(await b.tryRun('WT3', async () => 1)).toEqual({ value: 1 });
  });

  it("a dead instance's lock vanishes with its connection", async () => {
    const dying = pool();
    const a = new PgAdvisoryLock(dying);
    const b = new PgAdvisoryLock(pool());
    const admin = pool();
    let pid = 0;
    let wake!: () => void;
    // The op hangs while its connection is cut (as when the process is killed), then finishes late.
    const late = a.run('WT4', async () => {
      pid = (await admin.query<{ pid: number }>("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted LIMIT 1")).rows[0]!.pid;
      await new Promise<void>((r) => (wake = r));
      return 'late';
    });
    await waitUntil('a holds WT4', () => pid !== 0);
    expect(await b.tryRun('WT4', async () => 'stolen')).toBeNull();
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    expect(await b.run('WT4', async () => 'taken over')).toBe('taken over');
    // The late finisher cannot unlock on its dead connection: that client is destroyed, never reused.
    wake();
    expect(await late).toBe('late');
    expect(dying.totalCount).toBe(0);
  }, 30_000);
});

describe('PgEventBus', () => {
  const event = (n: number, extra = ''): LiveEvent => ({ type: 'recording.reminder', taskSid: `WT${n}`, extra }) as unknown as LiveEvent;
  async function instance(): Promise<{ bus: PgEventBus; got: Record<string, string[]> }> {
    const bus = new PgEventBus({ url, pool: pool(), logger, reconnectMs: 50 });
    buses.push(bus);
    await bus.start();
    const got: Record<string, string[]> = { alice: [], bob: [], sam: [] };
    for (const [identity, supervisor] of [
      ['alice', false],
      ['bob', false],
      ['sam', true],
    ] as const) {
      bus.subscribe({ identity, supervisor, send: (e) => got[identity]!.push((e as { taskSid: string }).taskSid) });
    }
    return { bus, got };
  }

  it("delivers each event once to every instance's clients, in publish order, to its audience only", async () => {
    const a = await instance();
    const b = await instance();
    for (let i = 0; i < 30; i++) (i % 2 === 0 ? a : b).bus.publish(event(i), { worker: i % 3 === 0 ? 'bob' : 'alice' });
    await a.bus.flush();
    await b.bus.flush();
    await waitUntil('every event everywhere', () => a.got['sam']!.length === 30 && b.got['sam']!.length === 30);
    await sleep(200); // no duplicate arrives late
    const all = Array.from({ length: 30 }, (_, i) => `WT${i}`);
    for (const x of [a, b]) {
      // Each instance sees its own events in order and the other's in order (the interleaving may differ).
      const mine = x === a ? all.filter((_, i) => i % 2 === 0) : all.filter((_, i) => i % 2 === 1);
      expect(x.got['sam']!.filter((s) => mine.includes(s))).toEqual(mine);
      expect([...x.got['sam']!].sort()).toEqual([...all].sort());
      expect(x.got['alice']!.sort()).toEqual(all.filter((_, i) => i % 3 !== 0).sort());
      expect(x.got['bob']!.sort()).toEqual(all.filter((_, i) => i % 3 === 0).sort());
    }
  }, 30_000);

  it('an event larger than a NOTIFY payload still arrives', async () => {
    const a = await instance();
    const b = await instance();
    const big = 'x'.repeat(20_000);
    let seen = '';
    b.bus.subscribe({ identity: 'sam', supervisor: true, send: (e) => (seen = (e as unknown as { extra: string }).extra) });
    a.bus.publish(event(99, big), { worker: null });
    await a.bus.flush();
    await waitUntil('the large event on b', () => b.got['sam']!.includes('WT99'));
    expect(seen).toBe(big);
    expect(a.got['sam']).toEqual(['WT99']);
  }, 30_000);

  it('the listener reconnects after its connection is cut', async () => {
    const a = await instance();
    const b = await instance();
    const admin = pool();
    await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid()");
    await waitUntil('b listens again', async () => {
      await sleep(100);
      return b.bus.listening;
    });
    await b.bus.whenListening();
    a.bus.publish(event(7), { worker: 'alice' });
    await waitUntil('the event after the reconnect', () => b.got['alice']!.includes('WT7'));
  }, 30_000);
});

describe('SharedTaskStore', () => {
  async function replica(): Promise<{ store: SharedTaskStore; bus: PgEventBus }> {
    const p = pool();
    const bus = new PgEventBus({ url, pool: p, logger, reconnectMs: 50 });
    buses.push(bus);
    const db = openDatabase(':memory:');
    const store = new SharedTaskStore(new SqliteTaskStore(db), db, p, bus, logger);
    await bus.start();
    return { store, bus };
  }
  const attributes = (callSid: string) => ({
    call_sid: callSid,
    from: '+15550001111',
    to: '+15550100000',
    direction: 'inbound' as const,
    client_call: false,
    conference: { sid: null, friendly_name: 'WT', participants: { customer: callSid, worker: null } },
  });

  it('a task made on one instance is read on the other, and concurrent changes converge on the last write everywhere', async () => {
    const a = await replica();
    const b = await replica();
    a.store.create({ sid: 'WT100', queue: 'Everyone', attributes: attributes('CA100') });
    // Read at once, locally, on the instance that wrote it: no stale row comes back while it is sent.
    const reserved = a.store.update('WT100', { status: 'reserved', worker: 'alice' });
    expect(a.store.get('WT100')?.status).toBe('reserved');
    await waitUntil('b has the task', () => b.store.get('WT100')?.worker === 'alice');
    expect(b.store.byCallSid('CA100')?.sid).toBe('WT100');
    expect(b.store.get('WT100')).toEqual(reserved);

    // Both change it at once; whichever commits last, both replicas end equal.
    a.store.update('WT100', { status: 'assigned' });
    b.store.update('WT100', { status: 'wrapping' });
    await a.store.flush();
    await b.store.flush();
    await waitUntil('both agree', async () => {
      await sleep(50);
      await a.store.flush();
      await b.store.flush();
      const [x, y] = [a.store.get('WT100'), b.store.get('WT100')];
      return x !== null && y !== null && JSON.stringify(x) === JSON.stringify(y) && x;
    });
    const truth = (await pools[0]!.query<{ row: { status: string } }>("SELECT row FROM cluster_tasks WHERE sid = 'WT100'")).rows[0]!.row.status;
    expect(a.store.get('WT100')?.status).toBe(truth);
    expect(['assigned', 'wrapping']).toContain(truth);

    // A third instance starting later loads what exists.
    const c = await replica();
    expect(c.store.get('WT100')?.status).toBe(truth);
  }, 30_000);
});
