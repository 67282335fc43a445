/**
 * Test support (Node only: it loads esbuild, which jsdom breaks): the real system plus the
 * Functions under twilio-run, for the Functions backend's contract.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engineAuthToken, startFunctions, type RunningFunctions } from '@pause-recording/functions/test-support';
import { startSystem, type System } from '@pause-recording/server/test-support';
import { startEngine } from '@pause-recording/voice-engine';
import { CONTRACT_SETTINGS } from './real-system.ts';

/**
 * The real system plus the Functions (packages/functions) under the real `twilio-run start`,
 * pointed at the same engine for their REST calls and Flex token validation. The engine gets a
 * Twilio-shaped auth token (twilio-run refuses any other). The worker-to-task check is off: the
 * local contact center's tasks here are not TaskRouter tasks (packages/functions tests the check).
 */
export async function startRealSystemWithFunctions(
  settings: unknown = CONTRACT_SETTINGS,
): Promise<{ s: System; fns: RunningFunctions; close(): Promise<void> }> {
  const engine = await startEngine({
    dataDir: mkdtempSync(join(tmpdir(), 'flex-functions-engine-')),
    audio: 'stamped',
    devRoutes: true,
    authToken: engineAuthToken(),
  });
  let s: System | null = null;
  try {
    s = await startSystem({ settings, engine });
    const fns = await startFunctions({
      engineUrl: engine.url,
      accountSid: engine.accountSid,
      authToken: engine.authToken,
      env: { VALIDATE_WORKER_TASK: 'false' },
    });
    const system = s;
    return {
      s: system,
      fns,
      async close() {
        await fns.stop();
        await system.close();
        await engine.close();
      },
    };
  } catch (e) {
    await s?.close();
    await engine.close();
    throw e;
  }
}
