/**
 * Test support: the Functions under the real `twilio-run start` (a child process on a free
 * loopback port), pointed at a running voice engine for their REST calls and Flex token
 * validation. For other packages' tests (the Flex plugin's Functions backend):
 *
 *   const fns = await startFunctions({ engineUrl: engine.url, accountSid: engine.accountSid, authToken: engine.authToken });
 *   // POST `${fns.url}/features/pause-recording/flex/pause-call-recording` ...
 *   await fns.stop();
 *
 * The engine must run with a Twilio-shaped auth token (32 letters and digits): `engineAuthToken()`.
 */
import { randomBytes } from 'node:crypto';
import { startFunctions as start, type RunningFunctions, type StartFunctionsOptions } from '../../src/local/start.ts';

export type { RunningFunctions, StartFunctionsOptions };

/** A fresh auth token of Twilio's shape, for `startEngine({ authToken })`. */
export function engineAuthToken(): string {
  return randomBytes(16).toString('hex');
}

export interface FunctionsForEngine {
  readonly engineUrl: string;
  readonly accountSid: string;
  readonly authToken: string;
  /** More variables, e.g. `{ VALIDATE_WORKER_TASK: 'false' }` (the check is on by default and needs TaskRouter). */
  readonly env?: Readonly<Record<string, string>>;
  /** twilio-run's per-request process (its default, as Twilio runs Functions); false is faster. */
  readonly forkProcess?: boolean;
}

/** Starts the Functions against the engine; `stop()` ends the twilio-run process. */
export async function startFunctions(o: FunctionsForEngine): Promise<RunningFunctions> {
  try {
    return await start({
      accountSid: o.accountSid,
      authToken: o.authToken,
      engineUrl: o.engineUrl,
      ...(o.env ? { env: o.env } : {}),
      ...(o.forkProcess !== undefined ? { forkProcess: o.forkProcess } : {}),
    });
  } catch (e) {
    throw new Error(`could not start the Functions under twilio-run: ${e instanceof Error ? e.message : String(e)}`);
  }
}
