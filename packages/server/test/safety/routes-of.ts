/**
 * Every route a Fastify instance serves, read from `printRoutes({ commonPrefix: false })`, so the
 * fuzz and authorization tests cover routes added later without being told.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { BearerTokens } from '../../src/auth/bearer-tokens.ts';

export interface RouteInfo {
  readonly method: string;
  /** Fastify's pattern, e.g. `/api/tasks/:taskSid/recording`. */
  readonly url: string;
  readonly params: readonly string[];
}

export function routesOf(app: FastifyInstance): RouteInfo[] {
  const out: RouteInfo[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^((?:│ {3}| {4})*)(?:├── |└── )(\S+)(?: \(([^)]*)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    // `:file|:CallSid`: one segment that routes declare with different parameter names.
    const segment = m[2]!.replace(/:([A-Za-z_]+)(?:\|:[A-Za-z_]+)+/g, ':$1');
    stack.length = depth;
    const url = (stack[depth - 1] ?? '') + segment;
    stack[depth] = url;
    for (const method of (m[3] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '' && s !== 'HEAD')) {
      out.push({ method, url, params: [...url.matchAll(/:([A-Za-z_]+)/g)].map((x) => x[1]!) });
    }
  }
  return out;
}

/** A token the server signed, for `identity`, that expired a minute ago. */
export function expiredToken(serverDataDir: string, identity: string, role: 'agent' | 'supervisor'): string {
  const secret = readFileSync(join(serverDataDir, 'auth-secret'), 'utf8').trim();
  return new BearerTokens(secret, -60).issue(identity, [role]).token;
}
