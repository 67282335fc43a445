/** Helpers shared by the model's unit tests (not used by production code). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineStore } from '../../src/support/store.ts';
import { ManualClock } from '../../src/model/clock.ts';
import { Engine } from '../../src/model/engine.ts';
import type { Call } from '../../src/model/calls/call.ts';

export interface UnitEngine {
  engine: Engine;
  clock: ManualClock;
  dataDir: string;
  /** Closes the engine and its store and removes its folder. */
  close(): Promise<void>;
}

/** The domain alone (no HTTP): a manual clock and a real SQLite store in a temp folder. */
export function unitEngine(): UnitEngine {
  const dataDir = mkdtempSync(join(tmpdir(), 'engine-unit-'));
  const clock = new ManualClock();
  const store = new EngineStore(join(dataDir, 'engine.db'));
  const engine = new Engine({ accountSid: `AC${'0'.repeat(32)}`, authToken: 'unit-token', dataDir, audio: 'stamped', clock, store });
  engine.start();
  return {
    engine,
    clock,
    dataDir,
    async close() {
      await engine.close();
      store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A call that is answered (in-progress) and waits a minute. */
export function answeredCall(u: UnitEngine): Call {
  const c = u.engine.createCall({ from: '+15550000001', to: '+15550000002', twiml: '<Response><Pause length="60"/></Response>' });
  u.clock.advance(1);
  if (c.status !== 'in-progress') throw new Error(`call did not answer: ${c.status}`);
  return c;
}

/** Lets queued `setImmediate` work (a stopped recording's finishing) run. */
export function nextTurn(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

/**
 * A second engine on the same folder, as after `kill -9` and a restart (the first is never
 * closed), restored; `close` closes its store.
 */
export function restarted(u: UnitEngine): { engine: Engine; recovered: string[]; close(): void } {
  const store = new EngineStore(join(u.dataDir, 'engine.db'));
  const engine = new Engine({
    accountSid: u.engine.accountSid,
    authToken: 'unit-token',
    dataDir: u.dataDir,
    audio: 'stamped',
    clock: new ManualClock(),
    store,
  });
  return { engine, recovered: engine.restore().recovered, close: () => store.close() };
}

/** A TaskRouter workspace (no event callback) with one queue for skill `support` and a workflow sending every task to it. */
export function taskCenter(u: UnitEngine) {
  const tr = u.engine.taskrouter;
  const ws = tr.createWorkspace({ friendlyName: 'unit', eventCallbackUrl: null });
  const available = tr.list(tr.activities, ws, (a) => a.available)[0]!;
  const queue = tr.createQueue(ws, { friendlyName: 'q', targetWorkers: "skills HAS 'support'", maxReservedWorkers: 1 });
  const workflow = tr.createWorkflow(ws, {
    friendlyName: 'wf',
    configuration: JSON.stringify({ task_routing: { default_filter: { queue: queue.sid } } }),
    taskReservationTimeout: 120,
    assignmentCallbackUrl: null,
  });
  return { tr, ws, available, queue, workflow };
}
