import { ValidationError } from '@pause-recording/core';
import { ENGINE_DEFAULT_AUTH_TOKEN, type ServerConfig } from './server-config.ts';

/**
 * Safe defaults: the demo users (known names, known password) and the engine's default auth
 * token (published in the docs, so anyone could sign webhooks with it) are for a loopback demo.
 * The server refuses to start where they would be exposed, with one message listing why.
 */

/** Secrets that are published somewhere (docs, examples, the engine's defaults). */
export const KNOWN_DEFAULT_SECRETS: readonly string[] = [ENGINE_DEFAULT_AUTH_TOKEN, 'demo', 'changeme', 'change-me', 'secret', 'password', 'example'];

export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || /^::ffff:127(\.\d{1,3}){3}$/.test(h);
}

function weakSecret(secret: string): boolean {
  const s = secret.toLowerCase();
  // A published value, or one with too little variety to be random (e.g. 32 times the same letter).
  return KNOWN_DEFAULT_SECRETS.some((k) => s.includes(k)) || new Set(secret).size < 10;
}

export interface StartFacts {
  /** The server would use the demo users (no `users` configured). */
  readonly demoUsers: boolean;
}

/** Why the server must not start with `config` (empty when it may). */
export function startupProblems(config: ServerConfig, facts: StartFacts): string[] {
  const problems: string[] = [];
  const production = config.mode === 'production';
  const nodeProd = config.nodeEnv === 'production';
  const exposedBy = [
    ...(isLoopbackHost(config.host) ? [] : [`HOST=${config.host} is not a loopback address`]),
    ...(production ? ['SERVER_MODE=production'] : []),
    ...(nodeProd ? ['NODE_ENV=production'] : []),
  ];
  const why = exposedBy.join(' and ');
  if (exposedBy.length > 0 && facts.demoUsers) {
    problems.push(
      `users: the demo users (alice, bob, sam) with a published password would be reachable (${why}); list real users in the settings file's "users" (docs/configuration.md)`,
    );
  }
  if (exposedBy.length > 0 && config.twilio.authToken === ENGINE_DEFAULT_AUTH_TOKEN) {
    problems.push(
      `TWILIO_AUTH_TOKEN: the engine's default token "${ENGINE_DEFAULT_AUTH_TOKEN}" is public, so anyone could sign webhooks (${why}); set a secret token (and start the engine with the same --auth-token)`,
    );
  }
  if ((production || nodeProd) && config.auth.secret !== null && weakSecret(config.auth.secret)) {
    problems.push(
      'AUTH_SECRET: is a known default or not random (fewer than 10 different characters); use e.g. `openssl rand -base64 32`, or unset it to have one generated',
    );
  }
  if ((production || nodeProd) && config.twilio.authToken !== ENGINE_DEFAULT_AUTH_TOKEN && KNOWN_DEFAULT_SECRETS.includes(config.twilio.authToken)) {
    problems.push("TWILIO_AUTH_TOKEN: is a known default value; use the account's real auth token");
  }
  if (production && config.app.users.length === 0 && !config.auth.flexLogin) {
    problems.push('users: production mode has no users in the settings file and FLEX_LOGIN=off, so no one could sign in; add "users" or turn FLEX_LOGIN on');
  }
  return problems;
}

/** Throws one ValidationError naming every reason the server must not start. */
export function assertSafeToStart(config: ServerConfig, facts: StartFacts): void {
  const problems = startupProblems(config, facts);
  if (problems.length > 0) throw new ValidationError('Refusing to start: demo or default credentials would be exposed', problems);
}
