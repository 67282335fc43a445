/**
 * Leak and UI-truth property (issue 5): for every combination of conference recording,
 * dual-channel recording and `skip`/`silence`, fast-check runs random sequences of pause, resume,
 * toggle, double presses, hold, transfer and hang-up on a fresh call (stamped audio, engine clock
 * ×10) and `runLeakSequence` decodes every WAV against the acknowledged pauses and the engine's
 * capture log (see leak-harness.ts). CI runs RUNS_PER_CONFIG × 8 sequences; the soak script
 * (`npm run soak:leak -- --cases N`) runs as many as asked.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ALL_CONFIGS, configName, emptyStats, LEAK_SPEED, runLeakSequence, sequenceArb, startLeakRig, type LeakConfig } from './leak-harness.ts';
import { writeCounts } from './reliability-counts.ts';
import { ledgerBackend } from '../support/ledgers.ts';

/** Sequences per configuration in CI: 8 configurations × 10 = 80 sequences. */
const RUNS_PER_CONFIG = 10;
/** On the PostgreSQL ledger, a CI-sized sample: the configurations with the most recordings per task and with deferred legs. */
const POSTGRES_CONFIGS: readonly LeakConfig[] = [
  { conference: true, dual: true, silence: true },
  { conference: false, dual: true, silence: false },
];
const POSTGRES_RUNS_PER_CONFIG = 3;
const stats = emptyStats();
const pgStats = emptyStats();

afterAll(() => {
  writeCounts('leak', { command: 'npx vitest run packages/server/test/safety/leak.property.test.ts', speed: LEAK_SPEED, ...stats });
  writeCounts('leak-postgres', { command: 'npx vitest run packages/server/test/safety/leak.property.test.ts', speed: LEAK_SPEED, ...pgStats });
});

describe('leak property', () => {
  for (const config of ALL_CONFIGS) {
    it(`${configName(config)}: no acknowledged pause leaks, silence is exact, the audit and the UI tell the truth`, async () => {
      const rig = await startLeakRig(config);
      try {
        await fc.assert(
          fc.asyncProperty(sequenceArb(10), async (steps) => {
            await runLeakSequence(rig, steps, stats);
          }),
          { numRuns: RUNS_PER_CONFIG, endOnFailure: true },
        );
      } finally {
        await rig.close();
      }
      expect(stats.leaks).toBe(0);
    }, 120_000);
  }
});

describe('leak property on the PostgreSQL ledger (CI sample)', () => {
  const backend = ledgerBackend('postgres');
  for (const config of POSTGRES_CONFIGS) {
    it(`${configName(config)}: no acknowledged pause leaks, the audit and the UI tell the truth`, async () => {
      const rig = await startLeakRig(config, await backend.env());
      try {
        await fc.assert(
          fc.asyncProperty(sequenceArb(10), async (steps) => {
            await runLeakSequence(rig, steps, pgStats);
          }),
          { numRuns: POSTGRES_RUNS_PER_CONFIG, endOnFailure: true },
        );
      } finally {
        await rig.close();
      }
      expect(pgStats.leaks).toBe(0);
      expect(pgStats.sequences).toBeGreaterThan(0);
    }, 120_000);
  }
});
