import { AppError, isPauseBehavior, isSid, sidProblem, type CompletionOutcome, type PauseBehavior, type SidKind } from '@pause-recording/core';
import type { FastifyReply } from 'fastify';
import { Type, type Static } from 'typebox';
import type { BearerTokens } from '../auth/bearer-tokens.ts';
import type { FlexTokenValidator } from '../auth/flex-token-validator.ts';
import type { UserDirectory } from '../auth/user-directory.ts';
import type { Api } from '../http/validation.ts';
import { ProviderError, toProviderError } from '../provider/provider-errors.ts';
import type { ProviderRecording, RecordingOwner, TwilioProvider } from '../provider/twilio-provider.ts';
import type { Actor } from '../pause/actor.ts';
import type { RecordingService } from '../pause/recording-service.ts';
import type { TaskRecord } from '../tasks/task-store.ts';
import type { TaskAccess } from '../tasks/task-access.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const SeedRecording = Type.Object(
  {
    sid: Type.String(),
    status: Type.String(),
    callSid: Nullable(Type.String()),
    conferenceSid: Nullable(Type.String()),
    channels: Type.Number(),
    source: Type.String(),
    track: Nullable(Type.String()),
    startTime: Nullable(Type.String()),
    duration: Nullable(Type.String()),
  },
  { title: 'SeedRecording' },
);
export type SeedRecording = Static<typeof SeedRecording>;

/**
 * Drop-in routes for the flex-project-template's Twilio Functions: same paths, form fields,
 * `Token` field and response shape `{recording, success, message, twilioErrorCode, twilioDocPage}`.
 */
export const SeedResponse = Type.Object(
  {
    recording: Nullable(SeedRecording),
    success: Type.Boolean(),
    message: Nullable(Type.String()),
    twilioErrorCode: Nullable(Type.Number()),
    twilioDocPage: Nullable(Type.String()),
  },
  { title: 'SeedResponse', description: "The template's answer, for successes and failures alike (the HTTP status tells them apart)." },
);
export type SeedResponse = Static<typeof SeedResponse>;

const token = Type.String({ description: "The caller's Flex token (or this server's bearer token)" });
const sid = (what: string) => Type.Optional(Type.String({ description: what }));
/**
 * The template's form fields. Required fields and SID shapes are checked by the handler, after the
 * token (an unauthenticated caller gets 401 before any 400), and answered in the template's shape.
 * Other fields (the template's Functions take any) are ignored.
 */
const SeedForm = Type.Object(
  {
    Token: Type.Optional(token),
    callSid: sid('CA… (call routes; required there)'),
    conferenceSid: sid('CF… (conference routes; required there)'),
    recordingSid: sid('RE… or Twilio.CURRENT (required to resume; pausing defaults to the current recording)'),
    pauseBehavior: Type.Optional(Type.String({ description: 'skip or silence (default: the configuration)' })),
  },
  { additionalProperties: true },
);
type SeedForm = Static<typeof SeedForm>;
const seedSchema = (summary: string) => ({
  summary,
  tags: ['seed routes (flex-project-template)'],
  consumes: ['application/x-www-form-urlencoded', 'application/json'],
  body: SeedForm,
  response: { 200: SeedResponse, '4xx': SeedResponse, '5xx': SeedResponse },
});

interface Deps {
  readonly tokens: BearerTokens;
  readonly users: UserDirectory;
  readonly flex: FlexTokenValidator;
  readonly provider: TwilioProvider;
  /** Who may act on a call: TaskRouter's reservations (tasks/task-access.ts, taskrouter/call-authority.ts). */
  readonly access: TaskAccess;
  readonly service: RecordingService;
}

class SeedFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly twilioErrorCode: number | null = null,
    readonly twilioDocPage: string | null = null,
  ) {
    super(message);
  }
}

function seedRecording(r: ProviderRecording): SeedRecording {
  return {
    sid: r.sid,
    status: r.status,
    callSid: r.callSid,
    conferenceSid: r.conferenceSid,
    channels: r.channels,
    source: r.source,
    track: r.track,
    startTime: r.startTime,
    duration: r.duration,
  };
}

type SidKey = 'callSid' | 'conferenceSid' | 'recordingSid';

function optionalSid(body: SeedForm, key: SidKey, kind: SidKind, allowCurrent = false): string | undefined {
  const v = body[key];
  if (v === undefined || v === '') return undefined;
  if (allowCurrent && v === 'Twilio.CURRENT') return v;
  if (!isSid(kind, v)) throw new SeedFailure(400, `${key}: ${sidProblem(kind, v)}`);
  return v;
}

function requiredSid(body: SeedForm, key: SidKey, kind: SidKind, allowCurrent = false): string {
  const v = optionalSid(body, key, kind, allowCurrent);
  if (v === undefined) throw new SeedFailure(400, `Missing parameter; please provide: '${key}'`);
  return v;
}

/** The body, once the caller is known: a form that breaks the schema (a JSON number for a SID, say) is a 400 in the template's shape. */
function checked(request: { readonly body: SeedForm; readonly validationError?: Error }): SeedForm {
  if (request.validationError !== undefined) throw new SeedFailure(400, request.validationError.message);
  return request.body;
}

export function seedRoutes(app: Api, deps: Deps): void {
  async function actorFrom(body: SeedForm): Promise<Actor & { readonly workerSid: string | null }> {
    // Read as it came: the schema's verdict waits until the caller is known.
    const token: unknown = body.Token;
    if (typeof token !== 'string' || token === '') throw new SeedFailure(401, "Missing parameter; please provide: 'Token'");
    const own = deps.tokens.check(token);
    if (own.ok) {
      const user = deps.users.get(own.claims.sub);
      if (user !== null) return { identity: user.identity, role: user.role, workerSid: null };
    }
    let flex;
    try {
      flex = await deps.flex.validate(token);
    } catch (e) {
      throw new SeedFailure(502, `Token: could not be validated (${e instanceof Error ? e.message : String(e)})`);
    }
    if (flex === null) throw new SeedFailure(401, 'Token: not valid');
    return {
      identity: flex.identity,
      role: flex.roles.includes('supervisor') || flex.roles.includes('admin') ? 'supervisor' : 'flex',
      workerSid: flex.workerSid,
    };
  }

  /** The caller may act on this call or conference (TaskRouter decides; 403 otherwise); its task as this server knows it. */
  async function taskGuard(actor: Actor & { readonly workerSid: string | null }, owner: RecordingOwner): Promise<TaskRecord | null> {
    try {
      return (await deps.access.forCall(actor, owner)).task;
    } catch (e) {
      if (e instanceof AppError && e.code === 'FORBIDDEN') throw new SeedFailure(403, e.message);
      throw e;
    }
  }

  async function respond(reply: FastifyReply, run: () => Promise<SeedResponse>): Promise<SeedResponse> {
    try {
      return await run();
    } catch (e) {
      if (e instanceof SeedFailure) {
        reply.status(e.status);
        return { recording: null, success: false, message: e.message, twilioErrorCode: e.twilioErrorCode, twilioDocPage: e.twilioDocPage };
      }
      const pe = e instanceof ProviderError ? e : toProviderError(e, 'seed route');
      reply.status(pe.twilioStatus !== null && pe.twilioStatus < 500 ? pe.twilioStatus : pe.status);
      return { recording: null, success: false, message: pe.message, twilioErrorCode: pe.twilioErrorCode, twilioDocPage: pe.moreInfo };
    }
  }

  /** Written before the provider is asked (refused with a 503 when storage cannot keep it: nothing is done then). */
  async function beginSeed(
    action: 'pause' | 'resume' | 'recording-start',
    actor: Actor,
    task: TaskRecord | null,
    owner: RecordingOwner,
    recordingSid: string,
    details: Record<string, unknown>,
  ): Promise<number> {
    try {
      return (await auditSeed(action, actor, task, owner, recordingSid, details)).id;
    } catch (e) {
      if (!deps.service.ledger.isUnavailable(e)) throw e;
      throw new SeedFailure(503, `nothing was changed: the audit could not be written before asking Twilio (${e.message})`);
    }
  }

  /** The outcome of a begun action; a storage refusal is kept to retry and reported. */
  async function completeSeed(key: string, eventId: number, outcome: CompletionOutcome, details: Record<string, unknown>): Promise<void> {
    await deps.service.book.store(key, { taskSid: null, complete: { eventId, outcome, details } }, 'audit outcome');
  }

  function auditSeed(
    action: 'pause' | 'resume' | 'recording-start',
    actor: Actor,
    task: TaskRecord | null,
    owner: RecordingOwner,
    recordingSid: string,
    details: Record<string, unknown>,
  ) {
    return deps.service.ledger.begin({
      action,
      actor: actor.identity,
      role: actor.role,
      taskSid: task?.sid ?? null,
      callSid: owner.kind === 'call' ? owner.callSid : (task?.attributes.call_sid ?? null),
      conferenceSid: owner.kind === 'conference' ? owner.conferenceSid : (task?.conferenceSid ?? null),
      recordingSids: recordingSid === '' ? [] : [recordingSid],
      details: { ...details, via: 'seed-route' },
    });
  }

  for (const kind of ['call', 'conference'] as const) {
    for (const change of ['pause', 'resume'] as const) {
      const path = `/features/pause-recording/flex/${change}-${kind}-recording`;
      app.post(
        path,
        { attachValidation: true, schema: seedSchema(`${change === 'pause' ? 'Pause' : 'Resume'} a ${kind}'s recording (the template's Function)`) },
        async (request, reply) =>
          respond(reply, async () => {
            const actor = await actorFrom(request.body);
            const body = checked(request);
            const owner: RecordingOwner =
              kind === 'call'
                ? { kind, callSid: requiredSid(body, 'callSid', 'call') }
                : { kind, conferenceSid: requiredSid(body, 'conferenceSid', 'conference') };
            // The template resumes a named recording; pausing defaults to the current one.
            const recordingSid =
              change === 'resume'
                ? requiredSid(body, 'recordingSid', 'recording', true)
                : (optionalSid(body, 'recordingSid', 'recording', true) ?? 'Twilio.CURRENT');
            let behavior: PauseBehavior = deps.service.pauseBehavior;
            const pb = body.pauseBehavior;
            if (pb !== undefined && pb !== '') {
              if (!isPauseBehavior(pb)) throw new SeedFailure(400, 'pauseBehavior: must be skip or silence');
              behavior = pb;
            }
            const task = await taskGuard(actor, owner);
            // Under the task's lock: the reconcile never mistakes this change for someone else's.
            const run = async (): Promise<SeedResponse> => {
              const key = task?.sid ?? (owner.kind === 'call' ? owner.callSid : owner.conferenceSid);
              deps.service.book.writes.begin(key);
              const eventId = await beginSeed(change, actor, task, owner, recordingSid, change === 'pause' ? { pauseBehavior: behavior } : {});
              let rec: ProviderRecording;
              try {
                rec = await deps.provider.updateRecording(owner, recordingSid, change === 'pause' ? 'paused' : 'in-progress', behavior);
              } catch (e) {
                await completeSeed(key, eventId, 'failed', { error: e instanceof Error ? e.message : String(e) });
                throw e;
              }
              // The completion, the span and the pause record: one ledger call (settleSingleChange).
              const failed = await deps.service.afterSingleChange(task, actor, rec, change, behavior, key, {
                eventId,
                outcome: 'ok',
                details: { changed: [rec.sid] },
              });
              if (failed !== null) {
                throw new SeedFailure(
                  503,
                  `the recording ${rec.sid} is ${rec.status} at Twilio, but the audit (event ${eventId}, pending) could not be completed: ${failed.message}. The server retries the record when storage is back`,
                );
              }
              return { recording: seedRecording(rec), success: true, message: null, twilioErrorCode: null, twilioDocPage: null };
            };
            return task === null ? run() : deps.service.exclusive(task.sid, run);
          }),
      );
    }
  }

  app.post(
    '/features/dual-channel-recording/flex/create-recording',
    { attachValidation: true, schema: seedSchema("Start a dual-channel recording of a call (the template's Function)") },
    async (request, reply) =>
      respond(reply, async () => {
        const actor = await actorFrom(request.body);
        const callSid = requiredSid(checked(request), 'callSid', 'call');
        const owner: RecordingOwner = { kind: 'call', callSid };
        const task = await taskGuard(actor, owner);
        let rec: ProviderRecording;
        const startedAt = Date.now();
        const key = task?.sid ?? `call:${callSid}`;
        deps.service.book.writes.begin(key);
        const eventId = await beginSeed('recording-start', actor, task, owner, '', { channels: 'dual' });
        try {
          rec = await deps.provider.createCallRecording(callSid, { channels: 'dual' });
        } catch (e) {
          await completeSeed(key, eventId, 'failed', { error: e instanceof Error ? e.message : String(e) });
          throw e;
        }
        await deps.service.book.store(
          key,
          { taskSid: task?.sid ?? null, remember: [rec], firstSeenAt: startedAt, complete: { eventId, outcome: 'ok', details: { recordingSid: rec.sid } } },
          'recording started',
        );
        const failed = deps.service.book.writes.error(key);
        if (failed !== null) {
          throw new SeedFailure(
            503,
            `the recording ${rec.sid} was started at Twilio, but the audit (event ${eventId}, pending) could not be completed: ${failed.message}. The server retries the record when storage is back`,
          );
        }
        return { recording: seedRecording(rec), success: true, message: null, twilioErrorCode: null, twilioDocPage: null };
      }),
  );
}
