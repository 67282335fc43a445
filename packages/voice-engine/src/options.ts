import Type from 'typebox';
import { fieldPath, schemaProblems, sidProblem } from '@pause-recording/core';
import { CallbackPolicy } from './support/callbacks.ts';
import { MIN_KEY_LENGTH } from './support/flex-tokens.ts';
import type { AudioKind } from './model/types.ts';

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
  /**
   * Worker threads that render and write recordings' audio (calls partitioned by conference);
   * 0 renders on the engine's own thread. Default min(2, CPUs) on a real-time clock, 0 on a manual one.
   */
  audioThreads?: number;
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

/**
 * The options as TypeBox checks them (in-process callers and the CLI alike); each field's problem
 * text is what `startEngine` and the CLI print.
 */
export const EngineOptionsSchema = Type.Object({
  dataDir: Type.String({ minLength: 1, problem: 'required' }),
  port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535, problem: (v: unknown) => `must be an integer 0..65535, got ${String(v)}` })),
  host: Type.Optional(Type.String()),
  accountSid: Type.Optional(
    Type.String({ pattern: '^AC[0-9a-f]{32}$', problem: (v: unknown) => (typeof v === 'string' ? sidProblem('account', v) : null) ?? 'must be a string' }),
  ),
  authToken: Type.Optional(Type.String({ minLength: 8, problem: 'must be at least 8 characters' })),
  audio: Type.Optional(Type.Enum(['stamped', 'demo'], { problem: (v: unknown) => `must be stamped or demo, got ${String(v)}` })),
  speed: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1000, problem: (v: unknown) => `must be a number in (0, 1000], got ${String(v)}` })),
  clock: Type.Optional(Type.Enum(['realtime', 'manual'])),
  answerDelayFrames: Type.Optional(Type.Integer({ minimum: 0 })),
  audioThreads: Type.Optional(Type.Integer({ minimum: 0, maximum: 64, problem: (v: unknown) => `must be an integer 0..64, got ${String(v)}` })),
  logger: Type.Optional(Type.Boolean()),
  devRoutes: Type.Optional(Type.Boolean()),
  callbackOrigins: Type.Optional(Type.Array(Type.String())),
  flexSigningKey: Type.Optional(Type.String({ minLength: MIN_KEY_LENGTH, problem: `must be at least ${MIN_KEY_LENGTH} characters` })),
});

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every problem of the options, as `name: problem` lines (the CLI renames them to its flags). */
export function validateEngineOptions(o: unknown): string[] {
  const problems = schemaProblems(EngineOptionsSchema, o, { got: (v) => `, got ${String(v)}` }).map((p) => `${fieldPath(p.path)}: ${p.problem}`);
  if (!isRecord(o)) return problems;
  // What a schema cannot say: an origin is one CallbackPolicy accepts; the signing key is not the auth token.
  for (const origin of Array.isArray(o['callbackOrigins']) ? o['callbackOrigins'] : []) {
    if (typeof origin !== 'string') continue;
    try {
      new CallbackPolicy([origin]);
    } catch (e) {
      problems.push(`callbackOrigins: ${(e as Error).message}`);
    }
  }
  const key = o['flexSigningKey'];
  const token = o['authToken'];
  if (typeof key === 'string' && key.length >= MIN_KEY_LENGTH && typeof token === 'string' && key.includes(token)) {
    problems.push('flexSigningKey: must not contain the auth token');
  }
  return problems;
}

export function isEngineOptions(o: unknown): o is StartEngineOptions {
  return validateEngineOptions(o).length === 0;
}
