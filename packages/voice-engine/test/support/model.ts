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
