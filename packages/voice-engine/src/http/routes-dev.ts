import type { FastifyInstance } from 'fastify';
import { TwilioHttpError } from './twilio-error.ts';
import { bodyParams, sidSegment } from './util.ts';
import { callJson } from '../serialize.ts';
import { int, oneOf, required, str } from '../support/params.ts';
import type { Engine } from '../model/engine.ts';
import { MAX_FAULT_PATTERN, type FaultInjector, type FaultRule } from '../support/faults.ts';
import type { FlexTokenIssuer } from '../support/flex-tokens.ts';

/**
 * Engine-only routes (not part of Twilio's API): place a simulated inbound call, issue
 * development Flex tokens, inject faults, read a recording's capture log, check health. They
 * exist only when the engine is started with `devRoutes` (`--dev-routes`): minting tokens and
 * injecting faults are test tools, not something a running contact center should offer.
 * Twilio IAM's token validation is always served (it is what a server's Flex login calls).
 */
export function registerDevRoutes(app: FastifyInstance, engine: Engine, faults: FaultInjector, tokens: FlexTokenIssuer, opts: { devRoutes: boolean }): void {
  registerTokenValidation(app, tokens);
  if (!opts.devRoutes) return;
  app.post('/dev/inbound-calls', async (req, reply) => {
    const p = bodyParams(req);
    const c = engine.inboundCall({
      from: required(p, 'From'),
      to: required(p, 'To'),
      slot: int(p, 'Slot', { min: 0, max: 3 }) ?? null,
      hangupAfterSeconds: int(p, 'HangupAfterSeconds', { min: 1, max: 86_400 }) ?? null,
      ...(str(p, 'Audio') ? { audio: oneOf(p, 'Audio', ['stamped', 'demo'] as const)! } : {}),
    });
    return reply.code(201).send(callJson(c));
  });

  app.post('/dev/flex-tokens', async (req, reply) => {
    const p = bodyParams(req);
    const identity = required(p, 'identity');
    const rolesRaw = p['roles'] ?? ['agent'];
    const roles = (Array.isArray(rolesRaw) ? rolesRaw : String(rolesRaw).split(/[\s,]+/)).map(String).filter((r) => r !== '');
    const ttl = int(p, 'ttlSeconds', { min: -86_400, max: 86_400 }) ?? 3600;
    const workerSid = str(p, 'workerSid') ?? null;
    if (workerSid !== null && !/^WK[0-9a-f]{32}$/.test(workerSid)) throw TwilioHttpError.invalid('workerSid', 'must be WK followed by 32 hex digits');
    const exp = Math.floor(Date.now() / 1000) + ttl;
    const token = tokens.issue({ identity, roles, workerSid, realmUserId: `${identity}@flex`, exp });
    return reply.code(201).send({ token, expiration: new Date(exp * 1000).toISOString(), identity, roles, worker_sid: workerSid });
  });

  app.get('/dev/faults', async () => ({ faults: faults.list() }));

  app.post('/dev/faults', async (req, reply) => {
    const p = bodyParams(req);
    const action = oneOf(p, 'action', ['status', 'hang', 'delay', 'drop', 'lose'] as const);
    if (!action) throw TwilioHttpError.missing('action');
    // Regular expressions are refused: a pathological one would stall the whole process.
    if (p['pathRegex'] !== undefined) throw TwilioHttpError.invalid('pathRegex', 'is not accepted (a regular expression can stall the engine); use path (a substring) or pathGlob (* matches any run of characters)');
    const path = str(p, 'path');
    const pathGlob = str(p, 'pathGlob');
    if (!path && !pathGlob) throw TwilioHttpError.missing('path or pathGlob');
    if (path && pathGlob) throw TwilioHttpError.invalid('pathGlob', 'send either path or pathGlob, not both');
    const pattern = (pathGlob ?? path)!;
    if (pattern.length > MAX_FAULT_PATTERN) throw TwilioHttpError.invalid(pathGlob ? 'pathGlob' : 'path', `must be at most ${MAX_FAULT_PATTERN} characters`);
    const rule: FaultRule = { path: pattern, action, ...(pathGlob ? { glob: true } : {}) };
    const method = str(p, 'method');
    if (method) rule.method = method;
    const status = int(p, 'status', { min: 100, max: 599 });
    if (status !== undefined) rule.status = status;
    const delayMs = int(p, 'delayMs', { min: 0, max: 600_000 });
    if (delayMs !== undefined) rule.delayMs = delayMs;
    const times = int(p, 'times', { min: 0, max: 1_000_000 });
    if (times !== undefined) rule.times = times;
    let id: number;
    try {
      id = faults.add(rule);
    } catch (e) {
      throw TwilioHttpError.invalid(action === 'status' ? 'status' : 'action', (e as Error).message);
    }
    return reply.code(201).send({ id });
  });

  app.delete('/dev/faults', async (_req, reply) => {
    faults.clear();
    return reply.code(204).send();
  });

  app.delete('/dev/faults/:id', async (req, reply) => {
    const id = Number((req.params as { id: string }).id);
    if (!faults.remove(id)) throw TwilioHttpError.notFound(`fault ${String((req.params as { id: string }).id)}`);
    return reply.code(204).send();
  });

  app.get('/dev/recordings/:file', async (req) => {
    const sid = sidSegment((req.params as { file: string }).file, 'recording');
    const r = engine.recordings.get(sid);
    if (!r) throw TwilioHttpError.notFound(`Recording ${sid}`);
    return {
      sid: r.sid,
      status: r.status,
      channels: r.channels,
      startTick: r.startTick,
      fileFrames: r.fileFrames,
      liveFrames: r.liveFrames,
      events: r.events,
    };
  });

  app.get('/dev/health', async () => ({
    ok: true,
    tick: engine.tick,
    speed: engine.clock.speed,
    maxLagFrames: engine.clock.maxLagFrames,
    liveCalls: engine.liveCalls.size,
    liveConferences: engine.liveConferences.size,
    activeRecordings: engine.activeRecordings.size,
    callbacksDelivered: engine.callbacks.delivered,
    callbacksFailed: engine.callbacks.failed,
  }));
}

/** Twilio IAM's Flex token validation, same request and answer shape. */
function registerTokenValidation(app: FastifyInstance, tokens: FlexTokenIssuer): void {
  app.post('/v1/Accounts/:AccountSid/Tokens/validate', async (req) => {
    const p = bodyParams(req);
    const result = tokens.validate(p['token'], Date.now());
    if (!result.valid) {
      return { valid: false, code: result.code, message: result.message, expiration: null, realm_user_id: null, identity: null, roles: null, worker_sid: null };
    }
    const c = result.claims;
    return {
      valid: true,
      code: 0,
      message: null,
      expiration: new Date(c.exp * 1000).toISOString(),
      realm_user_id: c.realmUserId,
      identity: c.identity,
      roles: c.roles,
      worker_sid: c.workerSid,
    };
  });
}
