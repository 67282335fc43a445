import { createHash, timingSafeEqual } from 'node:crypto';
import type { Socket } from 'node:net';
import { TWILIO_ERROR } from '@pause-recording/core';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import formbody from '@fastify/formbody';
import { TwilioHttpError } from './twilio-error.ts';
import { twilioValidatorCompiler, type EngineApp } from './form.ts';
import { registerCallRoutes } from './routes-calls.ts';
import { registerConferenceRoutes } from './routes-conferences.ts';
import { registerRecordingRoutes } from './routes-recordings.ts';
import { registerNumberRoutes } from './routes-numbers.ts';
import { registerDevRoutes } from './routes-dev.ts';
import { registerTaskRouterRoutes } from './routes-taskrouter.ts';
import type { Engine } from '../model/engine.ts';
import type { ActiveFault, FaultInjector } from '../support/faults.ts';
import type { FlexTokenIssuer } from '../support/flex-tokens.ts';
import type { CallbackPolicy } from '../support/callbacks.ts';

export interface AppOptions {
  logger: boolean;
  /** Serve the engine-only `/dev/*` routes (inbound calls, Flex tokens, faults, inspection). */
  devRoutes: boolean;
  /** Where webhooks may go; other URLs are refused when a request names them. */
  callbacks: CallbackPolicy;
}

const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * Basic credentials of the one account, compared in constant time: both sides are hashed first,
 * so the comparison never depends on where they differ or on their lengths. The header every
 * client sends, `Basic base64(sid:token)` in its one standard spelling, is first compared as
 * bytes in constant time (equal lengths only: the length of that header is public, as the SID
 * and the token lengths are), which spares decoding and hashing on each request; any other
 * spelling (a lowercase scheme, other base64 padding) takes the hashed comparison.
 */
export function basicAuthChecker(accountSid: string, authToken: string): (header: string | undefined) => boolean {
  const user = sha256(accountSid);
  const pass = sha256(authToken);
  const canonical = Buffer.from(`Basic ${Buffer.from(`${accountSid}:${authToken}`, 'utf8').toString('base64')}`, 'latin1');
  return (header) => {
    if (typeof header === 'string' && header.length === canonical.length && timingSafeEqual(Buffer.from(header, 'latin1'), canonical)) return true;
    let givenUser = '';
    let givenPass = '';
    let wellFormed = false;
    if (typeof header === 'string' && /^Basic /i.test(header)) {
      const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      if (i >= 0) {
        wellFormed = true;
        givenUser = decoded.slice(0, i);
        givenPass = decoded.slice(i + 1);
      }
    }
    const userOk = timingSafeEqual(sha256(givenUser), user);
    const passOk = timingSafeEqual(sha256(givenPass), pass);
    return wellFormed && userOk && passOk;
  };
}

/**
 * Why a path is not in its one canonical spelling, or null. The router decodes `%32` to `2` and
 * would route it, so an unreserved character sent percent-encoded, an empty segment (`//`) or a
 * dot segment is refused outright rather than served under a spelling no check was written for.
 * (Reserved characters stay encodable: a conference name may hold a space or a slash.)
 */
export function nonCanonical(rawUrl: string): string | null {
  const q = rawUrl.indexOf('?');
  const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
  // Nearly every path has none of what the checks below look for.
  if (path.startsWith('/') && !path.includes('%') && !path.includes('//') && !path.includes('/.')) return null;
  for (const m of path.matchAll(/%([0-9A-Fa-f]{2})/g)) {
    if (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(parseInt(m[1]!, 16)))) return `'${m[0]}' encodes a character that must be sent as is`;
  }
  if (
    path
      .slice(1)
      .split('/')
      .some((seg, i, all) => seg === '' && i < all.length - 1)
  )
    return 'empty path segment (//)';
  if (path.split('/').some((seg) => seg === '.' || seg === '..')) return 'dot segment (. or ..)';
  return null;
}

/** Body parameters that name a URL the engine will call (Url, VoiceUrl, StatusCallback, RecordingStatusCallback...). */
const URL_PARAM = /(Url|StatusCallback)$/;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function sendError(reply: FastifyReply, e: TwilioHttpError): FastifyReply {
  return reply.code(e.status).type('application/json').send(e.body());
}

/** The HTTP face of the engine: Twilio's REST subset, IAM token validation, dev routes. */
export function buildApp(engine: Engine, faults: FaultInjector, tokens: FlexTokenIssuer, opts: AppOptions): EngineApp {
  const app = Fastify({
    logger: opts.logger ? { level: 'info', redact: ['req.headers.authorization'] } : false,
    bodyLimit: 1024 * 1024,
    forceCloseConnections: true,
    // Errors Fastify raises before routing (a malformed URL such as `%ZZ`) get Twilio's shape too.
    frameworkErrors: (err, _req, reply) => {
      void sendError(reply, TwilioHttpError.badRequest(`Bad request: ${err.message}`));
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  // Every route's params, query and body are checked by its TypeBox schema, after Twilio's form
  // decoding (http/form.ts); a failure is Twilio's 400 naming the parameter.
  app.setValidatorCompiler(twilioValidatorCompiler);
  const hung = new Set<Socket>();
  // Requests that are applied normally but whose answer never reaches the client.
  const losing = new WeakSet<object>();

  void app.register(formbody);
  const authenticated = basicAuthChecker(engine.accountSid, engine.authToken);

  // Everything below is decided on the route the router matched (req.routeOptions.url,
  // req.params), never on the raw URL: the router decodes `%32010-04-01` and the like, so a
  // check on the raw spelling could be walked around.
  // An injected fault, applied before anything else; false when the request goes no further.
  const applyFault = async (fault: ActiveFault, req: FastifyRequest, reply: FastifyReply): Promise<boolean> => {
    if (fault.action === 'drop') {
      req.raw.socket.destroy();
      reply.hijack();
      return false;
    }
    if (fault.action === 'hang') {
      hung.add(req.raw.socket);
      await new Promise<void>((resolve) => req.raw.socket.once('close', () => resolve()));
      hung.delete(req.raw.socket);
      reply.hijack();
      return false;
    }
    if (fault.action === 'lose') losing.add(req.raw);
    else if (fault.action === 'delay') await new Promise((r) => setTimeout(r, fault.delayMs ?? 0));
    else {
      const status = fault.status ?? 500;
      const e = status === 429 ? TwilioHttpError.rateLimited() : new TwilioHttpError(status, 20000 + status, `Injected fault: HTTP ${status}`);
      void sendError(reply, e);
      return false;
    }
    return true;
  };

  // Who may go on to the route: a refusal is answered here and the request goes no further.
  const admitted = (req: FastifyRequest, reply: FastifyReply): boolean => {
    const refuse = (e: TwilioHttpError): false => {
      void sendError(reply, e);
      return false;
    };
    // No route is public (as at Twilio with HTTP auth on media): every request, including one for
    // a path that matches nothing, needs the account's credentials, so a 404 tells a stranger nothing.
    if (!authenticated(req.headers.authorization)) return refuse(TwilioHttpError.unauthenticated());
    // The account in the path must be the authenticated one.
    const params: unknown = req.params;
    if (isRecord(params) && 'AccountSid' in params && params['AccountSid'] !== engine.accountSid) return refuse(TwilioHttpError.unauthenticated());
    const odd = nonCanonical(req.url);
    if (odd !== null)
      return refuse(
        new TwilioHttpError(404, TWILIO_ERROR.NOT_FOUND, `The requested resource was not found: the path is not in its canonical spelling (${odd})`),
      );
    return true;
  };

  // A callback-style hook (no promise per request); a request stops here by not calling `done`.
  app.addHook('onRequest', (req, reply, done) => {
    // Dev routes are never faulted, so a test can always clean up.
    const fault = req.routeOptions.url?.startsWith('/dev/') ? null : faults.take(req.method, req.url);
    if (fault === null) {
      if (admitted(req, reply)) done();
      return;
    }
    applyFault(fault, req, reply).then(
      (goOn) => {
        if (goOn && admitted(req, reply)) done();
      },
      (e: unknown) => done(e instanceof Error ? e : new Error(String(e))),
    );
  });

  // A URL the engine would call later is checked when it is given: refused there with Twilio's
  // invalid-URL error rather than silently never called.
  // (Callback-style hooks: no promise per request for what is nearly always a pass-through.)
  app.addHook('preValidation', (req, _reply, done) => {
    const body: unknown = req.body;
    if (!isRecord(body)) return done();
    for (const [name, value] of Object.entries(body)) {
      if (!URL_PARAM.test(name)) continue;
      for (const v of Array.isArray(value) ? value : [value]) {
        if (typeof v !== 'string' || v === '') continue;
        const refused = opts.callbacks.refusal(v);
        if (refused !== null) return done(TwilioHttpError.invalid(name, `'${v}' ${refused}`, TWILIO_ERROR.INVALID_URL));
      }
    }
    return done();
  });

  app.addHook('onSend', (req, _reply, payload, done) => {
    if (losing.has(req.raw)) {
      losing.delete(req.raw);
      req.raw.socket.destroy();
    }
    done(null, payload);
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

  app.setNotFoundHandler((req, reply) => {
    // The onRequest hook has already refused a request without credentials; checked again so
    // the 404 can never answer a stranger, whatever Fastify's hook order becomes.
    if (!authenticated(req.headers.authorization)) return sendError(reply, TwilioHttpError.unauthenticated());
    return sendError(reply, TwilioHttpError.notFound(req.url.split('?')[0]!));
  });

  registerCallRoutes(app, engine);
  registerConferenceRoutes(app, engine);
  registerRecordingRoutes(app, engine);
  registerNumberRoutes(app, engine);
  registerTaskRouterRoutes(app, engine);
  registerDevRoutes(app, engine, faults, tokens, { devRoutes: opts.devRoutes });

  app.addHook('onClose', async () => {
    for (const s of hung) s.destroy();
  });
  return app;
}
