import { AppError, isPauseBehavior, isSid, sidProblem, type CompletionOutcome, type PauseBehavior, type SidKind } from '@pause-recording/core';
import type { FastifyReply } from 'fastify';
import { Type, type Static } from 'typebox';
import type { BearerTokens } from '../auth/bearer-tokens.ts';
import type { FlexTokenValidator } from '../auth/flex-token-validator.ts';
import type { UserDirectory } from '../auth/user-directory.ts';
import type { Api } from '../http/validation.ts';
import { ProviderError, toProviderError } from '../provider/provider-errors.ts';
import type { RetryPolicy } from '../provider/retry.ts';
import type { ProviderRecording, RecordingJson, RecordingOwner, TwilioProvider } from '../provider/twilio-provider.ts';
import type { Actor } from '../pause/actor.ts';
import type { RecordingService } from '../pause/recording-service.ts';
import type { TaskRecord } from '../tasks/task-store.ts';
import type { TaskAccess } from '../tasks/task-access.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

/**
 * The recording as a Twilio Function returns the SDK's `RecordingInstance`: its JSON, camelCase,
 * dates as ISO strings; 18 fields for a call's recording, 17 for a conference's (no `track`).
 */
export const SeedRecording = Type.Object(
  {
    accountSid: Type.String(),
    apiVersion: Nullable(Type.String()),
    callSid: Nullable(Type.String()),
    conferenceSid: Nullable(Type.String()),
    dateCreated: Nullable(Type.String()),
    dateUpdated: Nullable(Type.String()),
    startTime: Nullable(Type.String()),
    duration: Nullable(Type.String()),
    sid: Type.String(),
    price: Type.Unknown({ description: 'Twilio sends a decimal string or null' }),
    uri: Nullable(Type.String()),
    encryptionDetails: Type.Unknown(),
    priceUnit: Nullable(Type.String()),
    status: Type.String(),
    channels: Type.Number(),
    source: Type.String(),
    errorCode: Nullable(Type.Number()),
    track: Type.Optional(Nullable(Type.String())),
  },
  { title: 'SeedRecording' },
);
export type SeedRecording = Static<typeof SeedRecording>;

/**
 * Drop-in routes for the flex-project-template's Twilio Functions (and the Plugin Library's,
 * mounted without the `/features/.../flex` prefix): same paths, form fields (or query
 * parameters, which Functions accept too), `Token` field and response shape
 * `{recording, success, message, twilioErrorCode, twilioDocPage}`.
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
 * token (an unauthenticated caller gets the validator's 403 before any 400), and answered in the
 * template's shape. Other fields (the template's Functions take any) are ignored.
 */
const SeedForm = Type.Object(
  {
    Token: Type.Optional(token),
    callSid: sid('CA… (call routes; required there)'),
    conferenceSid: sid('CF… (conference routes; required there)'),
    recordingSid: sid('RE… or Twilio.CURRENT (required to resume; pausing defaults to the current recording)'),
    pauseBehavior: Type.Optional(Type.String({ description: "skip or silence (default: silence, Twilio's default and the template's)" })),
  },
  { additionalProperties: true },
);
type SeedForm = Static<typeof SeedForm>;
const TokenRefusal = Type.String({
  title: 'SeedTokenRefusal',
  description: "twilio-flex-token-validator's refusal, as the Functions send it: 403 with the reason as plain text",
});
const seedSchema = (summary: string, method: 'GET' | 'POST') => ({
  summary,
  tags: ['seed routes (flex-project-template)'],
  ...(method === 'POST' ? { consumes: ['application/x-www-form-urlencoded', 'application/json'], body: SeedForm } : {}),
  // As a Function's `event`, query parameters count too (the body wins on a clash).
  querystring: SeedForm,
  response: { 200: SeedResponse, 403: TokenRefusal, '4xx': SeedResponse, '5xx': SeedResponse },
});

/**
 * The template's retry handler within a short budget: 5 retries at most, 100–300 ms apart, so an
 * agent learns of a failure within ~1.5 s (the control API keeps the longer TWILIO_RETRY_BUDGET_MS).
 */
export const SEED_RETRY: RetryPolicy = { budgetMs: 1500, baseDelayMs: 100, maxDelayMs: 300, maxRetries: 5 };
/** Twilio's default `PauseBehavior`, which the template's Functions send when the plugin sends none. */
const DEFAULT_PAUSE_BEHAVIOR: PauseBehavior = 'silence';
/** The Functions' paths: the template's, and the Plugin Library's build of the same feature. */
const PREFIXES = [
  { pause: '/features/pause-recording/flex', dual: '/features/dual-channel-recording/flex' },
  { pause: '/pause-recording', dual: '/dual-channel-recording' },
] as const;

interface Deps {
  readonly tokens: BearerTokens;
  readonly users: UserDirectory;
  readonly flex: FlexTokenValidator;
  readonly provider: TwilioProvider;
  /** Who may act on a call: TaskRouter's reservations (tasks/task-access.ts, taskrouter/call-authority.ts). */
  readonly access: TaskAccess;
  readonly service: RecordingService;
}

/** A missing or refused token: the Functions' validator answers 403 with the reason as plain text. */
class TokenRefused extends Error {}

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

/** The SDK's JSON as the response schema types it (its serializer keeps the listed fields). */
function seedRecording(json: RecordingJson): SeedRecording {
  return json as SeedRecording;
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

/** What a Function sees as its `event`: the query parameters, then the form fields over them. */
interface SeedRequest {
  readonly body?: unknown;
  readonly query?: unknown;
  readonly validationError?: Error;
}
function eventOf(request: SeedRequest): SeedForm {
  const part = (v: unknown): SeedForm => (typeof v === 'object' && v !== null ? (v as SeedForm) : {});
  return { ...part(request.query), ...part(request.body) };
}

/** The event, once the caller is known: a form that breaks the schema (a JSON number for a SID, say) is a 400 in the template's shape. */
function checked(request: SeedRequest): SeedForm {
  if (request.validationError !== undefined) throw new SeedFailure(400, request.validationError.message);
  return eventOf(request);
}

export function seedRoutes(app: Api, deps: Deps): void {
  async function actorFrom(request: SeedRequest): Promise<Actor & { readonly workerSid: string | null }> {
    // Read as it came: the schema's verdict waits until the caller is known.
    const token: unknown = eventOf(request).Token;
    if (typeof token !== 'string' || token === '') throw new TokenRefused('Unauthorized: Token was not provided');
    const own = deps.tokens.check(token);
    if (own.ok) {
      const user = deps.users.get(own.claims.sub);
      if (user !== null) return { identity: user.identity, role: user.role, workerSid: null };
    }
    let verdict;
    try {
      verdict = await deps.flex.check(token);
    } catch (e) {
      // The validator library rejects with the transport's message too: still a 403, fail closed.
      throw new TokenRefused(e instanceof Error ? e.message : String(e));
    }
    if (!verdict.ok) throw new TokenRefused(verdict.message);
    const flex = verdict.id;
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

  async function respond(reply: FastifyReply, run: () => Promise<SeedResponse>): Promise<SeedResponse | string> {
    try {
      return await run();
    } catch (e) {
      if (e instanceof TokenRefused) {
        reply.status(403).type('text/plain; charset=utf-8');
        return e.message;
      }
      if (e instanceof SeedFailure) {
        reply.status(e.status);
        return { recording: null, success: false, message: e.message, twilioErrorCode: e.twilioErrorCode, twilioDocPage: e.twilioDocPage };
      }
      const pe = e instanceof ProviderError ? e : toProviderError(e, 'seed route');
      // Twilio's own status, as a Function answers it (`response.setStatusCode(status)`); ours when Twilio gave none.
      reply.status(pe.twilioStatus ?? pe.status);
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

  /** `{pause,resume}-{call,conference}-recording`: one recording changed, recorded in the ledger like the task API's changes. */
  const changeRecording = (kind: 'call' | 'conference', change: 'pause' | 'resume') => async (request: SeedRequest, reply: FastifyReply) =>
    respond(reply, async () => {
      const actor = await actorFrom(request);
      const body = checked(request);
      const owner: RecordingOwner =
        kind === 'call' ? { kind, callSid: requiredSid(body, 'callSid', 'call') } : { kind, conferenceSid: requiredSid(body, 'conferenceSid', 'conference') };
      // The template resumes a named recording; pausing defaults to the current one.
      const recordingSid =
        change === 'resume' ? requiredSid(body, 'recordingSid', 'recording', true) : (optionalSid(body, 'recordingSid', 'recording', true) ?? 'Twilio.CURRENT');
      let behavior: PauseBehavior = DEFAULT_PAUSE_BEHAVIOR;
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
        let answer: { recording: ProviderRecording; json: RecordingJson };
        try {
          answer = await deps.provider.changeRecording(owner, recordingSid, change === 'pause' ? 'paused' : 'in-progress', behavior, SEED_RETRY);
        } catch (e) {
          await completeSeed(key, eventId, 'failed', { error: e instanceof Error ? e.message : String(e) });
          throw e;
        }
        const rec = answer.recording;
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
        return { recording: seedRecording(answer.json), success: true, message: null, twilioErrorCode: null, twilioDocPage: null };
      };
      return task === null ? run() : deps.service.exclusive(task.sid, run);
    });

  /** `create-recording`: a dual-channel recording of a call leg. */
  const createRecording = async (request: SeedRequest, reply: FastifyReply) =>
    respond(reply, async () => {
      const actor = await actorFrom(request);
      const callSid = requiredSid(checked(request), 'callSid', 'call');
      const owner: RecordingOwner = { kind: 'call', callSid };
      const task = await taskGuard(actor, owner);
      let answer: { recording: ProviderRecording; json: RecordingJson };
      const startedAt = Date.now();
      const key = task?.sid ?? `call:${callSid}`;
      deps.service.book.writes.begin(key);
      const eventId = await beginSeed('recording-start', actor, task, owner, '', { channels: 'dual' });
      try {
        answer = await deps.provider.startDualChannelRecording(callSid, SEED_RETRY);
      } catch (e) {
        await completeSeed(key, eventId, 'failed', { error: e instanceof Error ? e.message : String(e) });
        throw e;
      }
      const rec = answer.recording;
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
      return { recording: seedRecording(answer.json), success: true, message: null, twilioErrorCode: null, twilioDocPage: null };
    });

  // Functions answer GET (query parameters) and POST alike.
  for (const prefix of PREFIXES) {
    for (const method of ['POST', 'GET'] as const) {
      for (const kind of ['call', 'conference'] as const) {
        for (const change of ['pause', 'resume'] as const) {
          app.route({
            method,
            url: `${prefix.pause}/${change}-${kind}-recording`,
            attachValidation: true,
            schema: seedSchema(`${change === 'pause' ? 'Pause' : 'Resume'} a ${kind}'s recording (the Function of that path)`, method),
            handler: changeRecording(kind, change),
          });
        }
      }
      app.route({
        method,
        url: `${prefix.dual}/create-recording`,
        attachValidation: true,
        schema: seedSchema('Start a dual-channel recording of a call (the Function of that path)', method),
        handler: createRecording,
      });
    }
  }
}
