import { createHash, timingSafeEqual } from 'node:crypto';
import { AppError, ErrorBody } from '@pause-recording/core';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Api } from '../http/validation.ts';
import type { ServerMetrics } from './metrics.ts';

/** One readiness check: what answered, how fast, and what went wrong. */
const Check = Type.Object({
  ok: Type.Boolean(),
  ms: Type.Number(),
  error: Type.Optional(Type.String()),
});
const Ready = Type.Object({
  status: Type.Enum(['ready', 'unready']),
  instance: Type.String(),
  checks: Type.Object({ ledger: Check, provider: Check }),
});
const Live = Type.Object({ status: Type.Literal('live'), instance: Type.String() });
const AnyQuery = Type.Object({}, { additionalProperties: true });

export interface OpsDeps {
  readonly metrics: ServerMetrics;
  readonly instance: string;
  readonly mode: 'embedded' | 'production';
  /** Bearer token that may read /metrics; null: loopback only in embedded mode, nobody in production. */
  readonly metricsToken: string | null;
  /** Longest a readiness check waits for each of the ledger and the provider. */
  readonly healthTimeoutMs: number;
  pingLedger(): Promise<void>;
  pingProvider(timeoutMs: number): Promise<void>;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;
const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/**
 * Who may read /metrics (they name tasks' counts and the provider's error codes, never a caller
 * or a SID): with METRICS_TOKEN set, whoever sends it as a bearer token; without it, in embedded
 * mode, clients on this host (loopback); in production mode nobody — it fails closed until a
 * token is configured. Throws the refusal.
 */
export function checkMetricsAccess(request: FastifyRequest, deps: Pick<OpsDeps, 'mode' | 'metricsToken'>): void {
  if (deps.metricsToken !== null) {
    const m = /^Bearer (.+)$/.exec(request.headers.authorization ?? '');
    // Digests of both sides: equal lengths for timingSafeEqual whatever was sent.
    if (m === null || !timingSafeEqual(digest(m[1]!), digest(deps.metricsToken))) {
      throw new AppError('UNAUTHENTICATED', 'metrics need the METRICS_TOKEN as a bearer token', { field: 'authorization' });
    }
    return;
  }
  if (deps.mode === 'production') {
    throw new AppError('FORBIDDEN', 'metrics are closed: set METRICS_TOKEN to read them in production mode', { field: 'authorization' });
  }
  if (!LOOPBACK.test(request.socket.remoteAddress ?? '')) {
    throw new AppError('FORBIDDEN', 'metrics without METRICS_TOKEN are for clients on this host only', { field: 'authorization' });
  }
}

async function timed(fn: () => Promise<void>): Promise<{ ok: boolean; ms: number; error?: string }> {
  const started = performance.now();
  try {
    await fn();
    return { ok: true, ms: Math.round(performance.now() - started) };
  } catch (e) {
    const error = (e instanceof Error ? e.message : String(e)).slice(0, 300);
    return { ok: false, ms: Math.round(performance.now() - started), error };
  }
}

function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** `/metrics`, `/health/live` and `/health/ready`: outside /api, no user session (load balancers, Prometheus). */
export function opsRoutes(app: Api, deps: OpsDeps): void {
  app.get(
    '/health/live',
    { schema: { summary: 'The process is up (no token)', tags: ['health'], querystring: AnyQuery, response: { 200: Live } } },
    async () => ({ status: 'live' as const, instance: deps.instance }),
  );
  app.get(
    '/health/ready',
    {
      schema: {
        summary: 'Ready for traffic: the ledger and the provider answer (no token); 503 names what failed',
        tags: ['health'],
        querystring: AnyQuery,
        response: { 200: Ready, 503: Ready },
      },
    },
    async (_request, reply) => {
      const t = deps.healthTimeoutMs;
      const [ledger, provider] = await Promise.all([
        timed(() => within(t, 'the ledger', deps.pingLedger())),
        timed(() => within(t, 'the provider', deps.pingProvider(t))),
      ]);
      const ready = ledger.ok && provider.ok;
      void reply.status(ready ? 200 : 503);
      return { status: ready ? ('ready' as const) : ('unready' as const), instance: deps.instance, checks: { ledger, provider } };
    },
  );
  app.get(
    '/metrics',
    {
      schema: {
        summary:
          'Prometheus metrics; the bearer token is METRICS_TOKEN (not a user token); without one set: loopback clients in embedded mode, nobody in production',
        tags: ['health'],
        security: [{ bearer: [] }],
        querystring: AnyQuery,
        response: { 200: Type.String({ description: 'Prometheus text exposition format' }), '4xx': ErrorBody },
      },
    },
    async (request, reply) => {
      checkMetricsAccess(request, deps);
      const { contentType, body } = await deps.metrics.scrape();
      void reply.header('content-type', contentType).header('cache-control', 'no-store');
      return body;
    },
  );
}
