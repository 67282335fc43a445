/**
 * Long soak of the leak property (issue 5): `npm run soak:leak -- --cases 2000 [--seed N] [--max-steps 16]`.
 * Runs the same check as packages/server/test/safety/leak.property.test.ts, spread over the eight
 * configurations (conference × dual-channel × skip/silence), and writes its figures to
 * .tmp/reliability/leak-soak.json (rendered by `npm run reliability-report`).
 */
import fc from 'fast-check';
import { ALL_CONFIGS, configName, emptyStats, LEAK_SPEED, runLeakSequence, sequenceArb, startLeakRig } from '../packages/server/test/safety/leak-harness.ts';
import { writeCounts } from '../packages/server/test/safety/reliability-counts.ts';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 0) {
    console.error(`--${name}: must be a whole number, got ${process.argv[i + 1] ?? '(nothing)'}`);
    process.exit(2);
  }
  return v;
}

const cases = flag('cases', 400);
const seed = flag('seed', Date.now() % 2 ** 31);
const maxSteps = flag('max-steps', 16);
const stats = emptyStats();
const started = Date.now();
let failed: unknown = null;
const perConfig = Math.ceil(cases / ALL_CONFIGS.length);
for (const [i, config] of ALL_CONFIGS.entries()) {
  const rig = await startLeakRig(config);
  try {
    await fc.assert(
      fc.asyncProperty(sequenceArb(maxSteps), (steps) => runLeakSequence(rig, steps, stats)),
      { numRuns: perConfig, seed: seed + i, endOnFailure: true },
    );
    console.log(`${configName(config)}: ${perConfig} sequences ok (${stats.framesChecked} frames checked so far)`);
  } catch (e) {
    failed = e;
    console.error(`${configName(config)}: FAILED\n${String(e)}`);
  } finally {
    await rig.close();
  }
  if (failed !== null) break;
}
const seconds = Math.round((Date.now() - started) / 1000);
writeCounts('leak-soak', {
  command: `npm run soak:leak -- --cases ${cases} --seed ${seed} --max-steps ${maxSteps}`,
  speed: LEAK_SPEED,
  seconds,
  failed: failed !== null,
  ...stats,
});
console.log(
  `soak: ${stats.sequences} sequences, ${stats.steps} steps, ${stats.requests} requests, ${stats.recordings} recordings, ${stats.framesChecked} frames checked, ` +
    `${stats.pausedTicksChecked} paused ticks, ${stats.silenceFramesChecked} silence frames; leaks ${stats.leaks}, lost events ${stats.lostEvents}, 5xx ${stats.server5xx} (${seconds} s, seed ${seed})`,
);
process.exit(failed === null ? 0 : 1);
