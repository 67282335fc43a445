import Type from 'typebox';
import { TwilioHttpError } from './twilio-error.ts';
import { Form, type EngineApp } from './form.ts';
import { sidSegment } from './util.ts';
import { callJson } from '../serialize.ts';
import type { Engine } from '../model/engine.ts';
import { MAX_FAULT_PATTERN, type FaultInjector, type FaultRule } from '../support/faults.ts';
import type { FlexTokenIssuer } from '../support/flex-tokens.ts';

const InboundCall = Type.Object({
  From: Form.text(),
  To: Form.text(),
  Slot: Type.Optional(Form.int(0, 3)),
  HangupAfterSeconds: Type.Optional(Form.int(1, 86_400)),
  Audio: Type.Optional(Form.oneOf(['stamped', 'demo'])),
});

const FlexToken = Type.Object({
  identity: Form.text(),
  /** Repeated keys or one space- or comma-separated value. */
  roles: Type.Optional(Type.Array(Type.String())),
  ttlSeconds: Type.Optional(Form.int(-86_400, 86_400)),
  workerSid: Type.Optional(Type.String({ pattern: '^WK[0-9a-f]{32}$', problem: 'must be WK followed by 32 hex digits' })),
});

const AddFault = Type.Object({
  action: Form.oneOf(['status', 'hang', 'delay', 'drop', 'lose']),
  // The problem does not echo the (possibly huge) value.
  path: Type.Optional(Type.String({ maxLength: MAX_FAULT_PATTERN, problem: () => `must be at most ${MAX_FAULT_PATTERN} characters` })),
  pathGlob: Type.Optional(Type.String({ maxLength: MAX_FAULT_PATTERN, problem: () => `must be at most ${MAX_FAULT_PATTERN} characters` })),
  method: Type.Optional(Type.String()),
  status: Type.Optional(Form.int(100, 599)),
  delayMs: Type.Optional(Form.int(0, 600_000)),
  times: Type.Optional(Form.int(0, 1_000_000)),
});

/**
 * Engine-only routes (not part of Twilio's API): place a simulated inbound call, issue
 * development Flex tokens, inject faults, read a recording's capture log, check health. They
 * exist only when the engine is started with `devRoutes` (`--dev-routes`): minting tokens and
 * injecting faults are test tools, not something a running contact center should offer.
 * Twilio IAM's token validation is always served (it is what a server's Flex login calls).
 */
export function registerDevRoutes(app: EngineApp, engine: Engine, faults: FaultInjector, tokens: FlexTokenIssuer, opts: { devRoutes: boolean }): void {
  registerTokenValidation(app, tokens);
  if (!opts.devRoutes) return;
  app.post('/dev/inbound-calls', { schema: { body: InboundCall } }, async (req, reply) => {
    const p = req.body;
    const c = engine.inboundCall({
      from: p.From,
      to: p.To,
      slot: p.Slot ?? null,
      hangupAfterSeconds: p.HangupAfterSeconds ?? null,
      ...(p.Audio ? { audio: p.Audio } : {}),
    });
    return reply.code(201).send(callJson(c));
  });

  app.post('/dev/flex-tokens', { schema: { body: FlexToken } }, async (req, reply) => {
    const p = req.body;
    const identity = p.identity;
    const roles = p.roles ?? ['agent'];
    const ttl = p.ttlSeconds ?? 3600;
    const workerSid = p.workerSid ?? null;
    const exp = Math.floor(Date.now() / 1000) + ttl;
    const token = tokens.issue({ identity, roles, workerSid, realmUserId: `${identity}@flex`, exp });
    return reply.code(201).send({ token, expiration: new Date(exp * 1000).toISOString(), identity, roles, worker_sid: workerSid });
  });

  app.get('/dev/faults', async () => ({ faults: faults.list() }));

  app.post('/dev/faults', { schema: { body: AddFault } }, async (req, reply) => {
    const p = req.body;
    const action = p.action;
    // Regular expressions are refused: a pathological one would stall the whole process.
    if ('pathRegex' in p)
      throw TwilioHttpError.invalid(
        'pathRegex',
        'is not accepted (a regular expression can stall the engine); use path (a substring) or pathGlob (* matches any run of characters)',
      );
    const { path, pathGlob } = p;
    // "One of path or pathGlob" is not a per-field rule, so it is checked here.
    if (!path && !pathGlob) throw TwilioHttpError.missing('path or pathGlob');
    if (path && pathGlob) throw TwilioHttpError.invalid('pathGlob', 'send either path or pathGlob, not both');
    const rule: FaultRule = { path: (pathGlob ?? path)!, action, ...(pathGlob ? { glob: true } : {}) };
    if (p.method) rule.method = p.method;
    if (p.status !== undefined) rule.status = p.status;
    if (p.delayMs !== undefined) rule.delayMs = p.delayMs;
    if (p.times !== undefined) rule.times = p.times;
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

  app.delete('/dev/faults/:id', { schema: { params: Type.Object({ id: Type.String() }) } }, async (req, reply) => {
    const id = Number(req.params.id);
    if (!faults.remove(id)) throw TwilioHttpError.notFound(`fault ${req.params.id}`);
    return reply.code(204).send();
  });

  app.get('/dev/recordings/:file', { schema: { params: Type.Object({ file: Type.String() }) } }, async (req) => {
    const sid = sidSegment(req.params.file, 'recording');
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
function registerTokenValidation(app: EngineApp, tokens: FlexTokenIssuer): void {
  const Validate = Type.Object({ token: Type.Optional(Type.String()) });
  app.post('/v1/Accounts/:AccountSid/Tokens/validate', { schema: { params: Type.Object({ AccountSid: Type.String() }), body: Validate } }, async (req) => {
    const result = tokens.validate(req.body.token, Date.now());
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
