import fastifyHelmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import { AppError } from '@pause-recording/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * What helmet sends. The CSP is strict: everything from our own origin only, no inline script,
 * inline style only (React's style props), media and images also from blob: (the waveform's audio).
 */
export const HELMET_OPTIONS = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      imgSrc: ["'self'", 'data:', 'blob:'],
      mediaSrc: ["'self'", 'blob:'],
      styleSrc: ["'self'", "'unsafe-inline'"],
      connectSrc: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
    },
  },
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
  crossOriginOpenerPolicy: { policy: 'same-origin' },
} as const satisfies HelmetOptions;

/**
 * The headers every answer promises, written out by hand so the tests check what helmet sends
 * against this promise rather than against helmet's own configuration. (helmet adds more:
 * HSTS, Cross-Origin-Resource-Policy, Origin-Agent-Cluster, X-DNS-Prefetch-Control, ...)
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'content-security-policy':
    "default-src 'self';img-src 'self' data: blob:;media-src 'self' blob:;style-src 'self' 'unsafe-inline';connect-src 'self';frame-ancestors 'none';base-uri 'self';form-action 'self'",
};

const applyHelmet = helmet(HELMET_OPTIONS);

/** For answers Fastify gives before routing (hooks do not run for them, so helmet's does not either). */
export function setSecurityHeaders(request: FastifyRequest, reply: FastifyReply): void {
  applyHelmet(request.raw, reply.raw, () => undefined);
}

/**
 * Security headers on every answer (helmet), and CORS for the origins config allows (CORS_ORIGINS;
 * none by default in embedded mode, where the desktop is served from the same origin;
 * https://flex.twilio.com by default in production mode, for a Flex plugin calling the seed routes).
 */
export async function installWebSecurity(app: FastifyInstance, corsOrigins: readonly string[]): Promise<void> {
  await app.register(fastifyHelmet, { ...HELMET_OPTIONS, global: true });
  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    if (typeof origin !== 'string' || !corsOrigins.includes(origin)) return;
    reply.header('access-control-allow-origin', origin);
    reply.header('vary', 'Origin');
    if (request.method === 'OPTIONS') {
      reply.header('access-control-allow-methods', 'GET, POST, OPTIONS');
      reply.header('access-control-allow-headers', 'authorization, content-type');
      reply.header('access-control-max-age', '600');
      return reply.status(204).send();
    }
  });
}

/**
 * Per-key request limit over a fixed one-minute window (@fastify/rate-limit's in-process store:
 * with several instances each counts its own share). Throws RATE_LIMITED with Retry-After once a
 * key has used up its window; a limit of 0 turns it off.
 */
export async function perKeyRateLimit(
  app: FastifyInstance,
  perMinute: number,
  field: string,
): Promise<(request: FastifyRequest, reply: FastifyReply, key: string) => Promise<void>> {
  if (perMinute <= 0) return async () => undefined;
  // Registered with `global: false`: only the routes that call the returned check are limited,
  // after authentication has named the key.
  await app.register(rateLimit, { global: false });
  const keys = new WeakMap<FastifyRequest, string>();
  const limit = app.createRateLimit({ max: perMinute, timeWindow: 60_000, keyGenerator: (req) => keys.get(req) ?? '' });
  return async (request, reply, key) => {
    keys.set(request, key);
    const r = await limit(request);
    if (r.isAllowed || !r.isExceeded) return;
    reply.header('retry-after', String(Math.max(1, r.ttlInSeconds)));
    throw new AppError('RATE_LIMITED', `too many requests from ${key}; retry in ${Math.max(1, r.ttlInSeconds)} s`, { field });
  };
}
