import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './http/app.ts';
import { ManualClock, RealtimeClock, type FrameClock } from './model/clock.ts';
import { Engine } from './model/engine.ts';
import { FaultInjector } from './support/faults.ts';
import { FlexTokenIssuer, loadOrCreateSigningKey } from './support/flex-tokens.ts';
import { CallbackPolicy } from './support/callbacks.ts';
import { EngineStore } from './support/store.ts';
import { validateEngineOptions, type StartEngineOptions } from './options.ts';

export { Engine } from './model/engine.ts';
export { ManualClock, RealtimeClock } from './model/clock.ts';
export { FaultInjector, globMatch, type FaultRule } from './support/faults.ts';
export { CallbackPolicy, isLoopbackHost } from './support/callbacks.ts';
export { FlexTokenIssuer, SIGNING_KEY_FILE } from './support/flex-tokens.ts';
export { TwilioHttpError } from './http/twilio-error.ts';
export { twilioSignature } from './support/signature.ts';
export type { AudioKind } from './model/types.ts';
export { EngineOptionsSchema, isEngineOptions, validateEngineOptions, type StartEngineOptions } from './options.ts';

export const DEFAULT_ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
export const DEFAULT_AUTH_TOKEN = 'engine-dev-token';
export const DEFAULT_ENGINE_PORT = 4500;

export interface RunningEngine {
  url: string;
  /** Whether `/dev/*` routes are served. */
  devRoutes: boolean;
  accountSid: string;
  authToken: string;
  engine: Engine;
  faults: FaultInjector;
  clock: FrameClock;
  app: FastifyInstance;
  /** SIDs of recordings a previous run left open and this start finished. */
  recovered: string[];
  /** Hangs up live calls, finishes open recordings, stops the server. */
  close(): Promise<void>;
}

/** Starts the engine: restores what an earlier run left, then serves HTTP and runs the clock. */
export async function startEngine(opts: StartEngineOptions): Promise<RunningEngine> {
  const problems = validateEngineOptions(opts);
  if (problems.length) throw new Error(`invalid engine options:\n  - ${problems.join('\n  - ')}`);
  const dataDir = resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const accountSid = opts.accountSid ?? DEFAULT_ACCOUNT_SID;
  const authToken = opts.authToken ?? DEFAULT_AUTH_TOKEN;
  const clock: FrameClock = opts.clock === 'manual' ? new ManualClock() : new RealtimeClock(opts.speed ?? 1);
  const store = new EngineStore(join(dataDir, 'engine.db'));
  const engine = new Engine({
    accountSid,
    authToken,
    dataDir,
    audio: opts.audio ?? 'demo',
    clock,
    store,
    ...(opts.answerDelayFrames !== undefined ? { answerDelayFrames: opts.answerDelayFrames } : {}),
    // A manual clock's tests read WAVs right after stepping frames: on this thread unless asked.
    audioThreads: opts.audioThreads ?? (opts.clock === 'manual' ? 0 : Math.min(2, availableParallelism())),
  });
  const callbacks = new CallbackPolicy(opts.callbackOrigins ?? []);
  engine.callbacks.policy = callbacks;
  const { recovered } = engine.restore();
  const faults = new FaultInjector();
  // A secret of its own, never derived from the (public default) account SID or auth token.
  const tokens = new FlexTokenIssuer(opts.flexSigningKey ?? loadOrCreateSigningKey(dataDir));
  const devRoutes = opts.devRoutes === true;
  const app = buildApp(engine, faults, tokens, { logger: opts.logger ?? false, devRoutes, callbacks });
  const host = opts.host ?? '127.0.0.1';
  await app.listen({ port: opts.port ?? 0, host });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : (opts.port ?? 0);
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  engine.origin = url;
  engine.start();
  let closing: Promise<void> | null = null;
  return {
    url,
    devRoutes,
    accountSid,
    authToken,
    engine,
    faults,
    clock,
    app,
    recovered,
    close() {
      closing ??= (async () => {
        await engine.close();
        await app.close();
        store.close();
      })();
      return closing;
    },
  };
}
