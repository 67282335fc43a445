import type { Socket } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import { TWILIO_ERROR } from '@pause-recording/core';
import { TwilioHttpError } from './twilio-error.ts';
import { registerCallRoutes } from './routes-calls.ts';
import { registerConferenceRoutes } from './routes-conferences.ts';
import { registerRecordingRoutes } from './routes-recordings.ts';
import { registerNumberRoutes } from './routes-numbers.ts';
import { registerDevRoutes } from './routes-dev.ts';
import type { Engine } from '../model/engine.ts';
import type { FaultInjector } from '../support/faults.ts';
import type { FlexTokenIssuer } from '../support/flex-tokens.ts';

export interface AppOptions {
  logger: boolean;
}

const PROTECTED = /^\/(2010-04-01|v1|dev)\//;

function credentialsOk(req: FastifyRequest, engine: Engine): boolean {
  const h = req.headers.authorization;
  if (!h || !h.startsWith('Basic ')) return false;
  const decoded = Buffer.from(h.slice(6), 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return false;
  return decoded.slice(0, i) === engine.accountSid && decoded.slice(i + 1) === engine.authToken;
}

function sendError(reply: FastifyReply, e: TwilioHttpError): FastifyReply {
  return reply.code(e.status).type('application/json').send(e.body());
}

/** The HTTP face of the engine: Twilio's REST subset, IAM token validation, dev routes. */
export function buildApp(engine: Engine, faults: FaultInjector, tokens: FlexTokenIssuer, opts: AppOptions): FastifyInstance {
  const app = Fastify({
    logger: opts.logger ? { level: 'info', redact: ['req.headers.authorization'] } : false,
    bodyLimit: 1024 * 1024,
    forceCloseConnections: true,
    // Errors Fastify raises before routing (a malformed URL such as `%ZZ`) get Twilio's shape too.
    frameworkErrors: (err, _req, reply) => {
      void sendError(reply, TwilioHttpError.badRequest(`Bad request: ${err.message}`));
    },
  });
  const hung = new Set<Socket>();
  // Requests that are applied normally but whose answer never reaches the client.
  const losing = new WeakSet<object>();

  void app.register(formbody);

  app.addHook('onRequest', async (req, reply) => {
    if (!req.url.startsWith('/dev/')) {
      const fault = faults.take(req.method, req.url);
      if (fault) {
        if (fault.action === 'drop') {
          req.raw.socket.destroy();
          return reply.hijack();
        }
        if (fault.action === 'hang') {
          hung.add(req.raw.socket);
          await new Promise<void>((resolve) => req.raw.socket.once('close', () => resolve()));
          hung.delete(req.raw.socket);
          return reply.hijack();
        }
        if (fault.action === 'lose') {
          losing.add(req.raw);
        } else if (fault.action === 'delay') {
          await new Promise((r) => setTimeout(r, fault.delayMs ?? 0));
        } else {
          const status = fault.status ?? 500;
          const e =
            status === 429
              ? TwilioHttpError.rateLimited()
              : new TwilioHttpError(status, 20000 + status, `Injected fault: HTTP ${status}`);
          return sendError(reply, e);
        }
      }
    }
    if (PROTECTED.test(req.url)) {
      if (!credentialsOk(req, engine)) return sendError(reply, TwilioHttpError.unauthenticated());
      const m = /^\/(?:2010-04-01|v1)\/Accounts\/([^/]+)/.exec(req.url);
      if (m && m[1] !== engine.accountSid) return sendError(reply, TwilioHttpError.unauthenticated());
    }
    return undefined;
  });

  app.addHook('onSend', async (req, _reply, payload) => {
    if (losing.has(req.raw)) {
      losing.delete(req.raw);
      req.raw.socket.destroy();
    }
    return payload;
  });

  app.setErrorHandler((err, req, reply) => {
    // Twilio-shaped errors of the routes, and the domain's errors mapped to Twilio's.
    const known = TwilioHttpError.from(err);
    if (known) return sendError(reply, known);
    const status = typeof (err as { statusCode?: unknown }).statusCode === 'number' ? (err as { statusCode: number }).statusCode : 500;
    if (status >= 400 && status < 500) {
      return sendError(reply, new TwilioHttpError(status, TWILIO_ERROR.INVALID_PARAMETER, `Bad request: ${err instanceof Error ? err.message : String(err)}`));
    }
    req.log.error({ err }, 'engine error');
    return sendError(reply, new TwilioHttpError(500, TWILIO_ERROR.INTERNAL_SERVER_ERROR, 'Internal Server Error'));
  });

  app.setNotFoundHandler((req, reply) => sendError(reply, TwilioHttpError.notFound(req.url.split('?')[0]!)));

  registerCallRoutes(app, engine);
  registerConferenceRoutes(app, engine);
  registerRecordingRoutes(app, engine);
  registerNumberRoutes(app, engine);
  registerDevRoutes(app, engine, faults, tokens);

  app.addHook('onClose', async () => {
    for (const s of hung) s.destroy();
  });
  return app;
}
