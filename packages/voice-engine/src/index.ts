import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sidProblem } from '@pause-recording/core';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './http/app.ts';
import { ManualClock, RealtimeClock, type FrameClock } from './model/clock.ts';
import { Engine } from './model/engine.ts';
import type { AudioKind } from './model/types.ts';
import { FaultInjector } from './support/faults.ts';
import { FlexTokenIssuer, loadOrCreateSigningKey, MIN_KEY_LENGTH } from './support/flex-tokens.ts';
import { CallbackPolicy } from './support/callbacks.ts';
import { EngineStore } from './support/store.ts';

export { Engine } from './model/engine.ts';
export { ManualClock, RealtimeClock } from './model/clock.ts';
export { FaultInjector, globMatch, type FaultRule } from './support/faults.ts';
export { CallbackPolicy, isLoopbackHost } from './support/callbacks.ts';
export { FlexTokenIssuer, SIGNING_KEY_FILE } from './support/flex-tokens.ts';
export { TwilioHttpError } from './http/twilio-error.ts';
export { twilioSignature } from './support/signature.ts';
export type { AudioKind } from './model/types.ts';

export const DEFAULT_ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
export const DEFAULT_AUTH_TOKEN = 'engine-dev-token';
export const DEFAULT_ENGINE_PORT = 4500;

export interface StartEngineOptions {
  /** Folder for engine.db and recordings/ (created if missing). */
  dataDir: string;
  /** 0 picks a free port. Default 0 in-process; the CLI defaults to 4500. */
  port?: number;
  host?: string;
  accountSid?: string;
  authToken?: string;
  /** What simulated parties say: stamped test audio or the demo voice. Default demo. */
  audio?: AudioKind;
  /** Clock speed factor: 10 runs 10 simulated seconds per real second. Default 1. */
  speed?: number;
  /** `manual`: frames advance only through `clock.advance(n)` (unit tests). */
  clock?: 'realtime' | 'manual';
  /** Frames between placing a call and the simulated party answering. Default 1. */
  answerDelayFrames?: number;
  logger?: boolean;
  /**
   * Serve the engine-only `/dev/*` routes (simulated inbound calls, Flex token minting, fault
   * injection, capture logs, health). Off unless asked for; never reachable without credentials.
   */
  devRoutes?: boolean;
  /**
   * Origins (e.g. `https://pause.example.com`) webhooks may go to besides loopback. Any other
   * callback URL is refused when given (400 / 21205) and never requested.
   */
  callbackOrigins?: string[];
  /**
   * The key Flex tokens are signed with (at least 32 characters). Default: a random key kept in
   * `dataDir/flex-signing-key` (0600), made on first start and reused after a restart.
   */
  flexSigningKey?: string;
}

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

export function validateEngineOptions(o: StartEngineOptions): string[] {
  const problems: string[] = [];
  if (typeof o.dataDir !== 'string' || o.dataDir === '') problems.push('dataDir: required');
  if (o.port !== undefined && (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535)) problems.push(`port: must be an integer 0..65535, got ${o.port}`);
  if (o.accountSid !== undefined) {
    const p = sidProblem('account', o.accountSid);
    if (p) problems.push(`accountSid: ${p}`);
  }
  if (o.authToken !== undefined && o.authToken.length < 8) problems.push('authToken: must be at least 8 characters');
  if (o.audio !== undefined && o.audio !== 'stamped' && o.audio !== 'demo') problems.push(`audio: must be stamped or demo, got ${String(o.audio)}`);
  if (o.speed !== undefined && !(Number.isFinite(o.speed) && o.speed > 0 && o.speed <= 1000)) problems.push(`speed: must be a number in (0, 1000], got ${o.speed}`);
  for (const origin of o.callbackOrigins ?? []) {
    try {
      new CallbackPolicy([origin]);
    } catch (e) {
      problems.push(`callbackOrigins: ${(e as Error).message}`);
    }
  }
  if (o.flexSigningKey !== undefined) {
    if (o.flexSigningKey.length < MIN_KEY_LENGTH) problems.push(`flexSigningKey: must be at least ${MIN_KEY_LENGTH} characters`);
    else if (o.authToken !== undefined && o.flexSigningKey.includes(o.authToken)) problems.push('flexSigningKey: must not contain the auth token');
  }
  return problems;
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
  const port = typeof addr === 'object' && addr ? addr.port : opts.port ?? 0;
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
