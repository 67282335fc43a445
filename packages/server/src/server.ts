import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import formbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import { AppError, ErrorBody, HealthResponse, NoFields, UiConfig } from '@pause-recording/core';
import { Type } from 'typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { SqliteAuditStore, type AuditReader } from './audit/audit-store.ts';
import type { PauseLedger } from './ledger/ledger.ts';
import { PostgresLedger } from './ledger/postgres-ledger.ts';
import { joinCluster, type Cluster } from './cluster/cluster.ts';
import { SqliteLedger } from './ledger/sqlite-ledger.ts';
import { auditRoutes } from './audit/routes.ts';
import { sessionFromRequest } from './auth/authenticate.ts';
import { BearerTokens } from './auth/bearer-tokens.ts';
import { FlexBearerAuth } from './auth/flex-bearer.ts';
import { DirectoryBoundFlexValidator, HttpFlexTokenValidator, NoFlexLogin, type FlexTokenValidator } from './auth/flex-token-validator.ts';
import { LoginGuard } from './auth/login-guard.ts';
import { TokenRevocations } from './auth/revocations.ts';
import { authRoutes } from './auth/routes.ts';
import { UserDirectory } from './auth/user-directory.ts';
import type { ServerConfig } from './config/server-config.ts';
import { assertSafeToStart } from './config/startup-safety.ts';
import { EventBus } from './events/event-bus.ts';
import { eventRoutes } from './events/routes.ts';
import { StreamTickets } from './events/tickets.ts';
import { installErrorHandling } from './http/errors.ts';
import { schemaErrorFormatter, typeBoxValidator, type Api } from './http/validation.ts';
import { installWebSecurity, perKeyRateLimit, setSecurityHeaders } from './http/web-security.ts';
import { createLogger } from './logging/logger.ts';
import { defaultInstanceId, ServerMetrics } from './metrics/metrics.ts';
import { opsRoutes } from './metrics/routes.ts';
import { TwilioProvider } from './provider/twilio-provider.ts';
import type { RetryPolicy } from './provider/retry.ts';
import { Reconciler } from './pause/reconcile.ts';
import { RecordingService } from './pause/recording-service.ts';
import { recordingRoutes } from './pause/routes.ts';
import { recordingsRoutes } from './recordings/routes.ts';
import { seedRoutes } from './seed-routes/routes.ts';
import { startDemoCalls } from './simulator/demo-calls.ts';
import { simulatorRoutes } from './simulator/routes.ts';
import { Simulator } from './simulator/simulator.ts';
import { isStorageError, openDatabase, type Db } from './storage/database.ts';
import { ContactCenter } from './tasks/contact-center.ts';
import { taskRoutes } from './tasks/routes.ts';
import { TaskAccess } from './tasks/task-access.ts';
import { SqliteTaskStore, type TaskStore } from './tasks/task-store.ts';
import { webhookRoutes } from './webhooks/routes.ts';
import { TASKROUTER_EVENTS_PATH, taskRouterEventRoutes } from './webhooks/taskrouter-events.ts';
import { CallAuthority } from './taskrouter/call-authority.ts';
import { GrantCache } from './taskrouter/grant-cache.ts';
import { GrantSwitch } from './taskrouter/grant-switch.ts';
import { provisionTaskRouter, type Routing } from './taskrouter/provision.ts';
import { TaskRouterClient } from './taskrouter/taskrouter-client.ts';

/** Knobs for embedding the server (tests shorten the waits; `npm start` turns the demo calls on). */
export interface StartOptions {
  readonly logger?: Logger;
  readonly users?: UserDirectory;
  readonly flexValidator?: FlexTokenValidator;
  readonly retry?: Partial<RetryPolicy>;
  /** How often due reminders and auto-resumes are claimed from the ledger (default 250 ms). */
  readonly deadlinePollMs?: number;
  /** How long accept waits for the caller's conference, the agent's leg and the recordings (default 10 s). */
  readonly acceptWaitMs?: number;
  readonly heartbeatMs?: number;
  /** Audio source of simulated parties (`AUDIO`): `stamped` for tests, `demo` for people. */
  readonly simulatorAudio?: 'stamped' | 'demo';
  /** Place demo customer calls every this many ms (`npm start`); off when undefined. */
  readonly demoCallIntervalMs?: number;
  readonly bodyLimitBytes?: number;
  /** How often tasks with an open pause are compared with the provider (default 10 s). */
  readonly reconcileIntervalMs?: number;
  /** The pause clock (default Date.now): when pauses start and their deadlines fall due; tests move it. */
  readonly now?: () => number;
}

export interface RunningServer {
  readonly url: string;
  readonly app: FastifyInstance;
  readonly db: Db;
  readonly tasks: TaskStore;
  /**
   * Synchronous reads of the SQLite audit trail, for tests of the default build. With DATABASE_URL
   * the audit lives in PostgreSQL: read it through `ledger.audit()` (this reader then refuses).
   */
  readonly audit: AuditReader;
  /** The one writer (and reader) of pause state: recordings seen, spans, pause records, deferred legs, audit rows. */
  readonly ledger: PauseLedger;
  readonly bus: EventBus;
  readonly users: UserDirectory;
  readonly recordingService: RecordingService;
  readonly simulator: Simulator | null;
  /** What /metrics reports (one registry per server). */
  readonly metrics: ServerMetrics;
  /** TaskRouter authorizations reused until an event drops them (on only while events are known to arrive). */
  readonly grants: GrantCache;
  close(): Promise<void>;
}

function authSecret(config: ServerConfig): string {
  if (config.auth.secret !== null) return config.auth.secret;
  const file = join(config.dataDir, 'auth-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}

/** DATABASE_URL selects PostgreSQL (migrated at start); without it the ledger lives in the server's SQLite file. */
async function openLedger(config: ServerConfig, db: Db, logger: Logger): Promise<PauseLedger> {
  if (config.databaseUrl === null) return new SqliteLedger(db);
  const ledger = await PostgresLedger.open(config.databaseUrl, {
    onIdleError: (e) => logger.warn({ err: String(e) }, 'a PostgreSQL connection of the ledger failed; the pool reconnects'),
  });
  logger.info('pause ledger on PostgreSQL (DATABASE_URL); migrations applied');
  return ledger;
}

const notInSqlite = (): never => {
  throw new Error('with DATABASE_URL the audit lives in PostgreSQL: read it through ledger.audit()');
};
const auditInPostgres: AuditReader = { query: notInSqlite, count: notInSqlite, unresolved: notInSqlite };

export async function startServer(config: ServerConfig, opts: StartOptions = {}): Promise<RunningServer> {
  const demoUsers = opts.users === undefined ? config.app.users.length === 0 && config.mode === 'embedded' : opts.users.demo;
  // Before anything is opened or listened on: demo or default credentials must not be exposed.
  assertSafeToStart(config, { demoUsers });
  const logger = opts.logger ?? createLogger(config.logLevel);
  const db = openDatabase(join(config.dataDir, 'server.sqlite'));
  const revocations = new TokenRevocations(db);
  const tokens = new BearerTokens(authSecret(config), config.auth.tokenTtlSeconds, Date.now, (jti) => revocations.isRevoked(jti));
  const users =
    opts.users ??
    (config.app.users.length > 0
      ? new UserDirectory(config.app.users)
      : config.mode === 'embedded'
        ? await UserDirectory.demo(config.auth.demoPassword)
        : new UserDirectory([]));

  const instance = config.ops.instanceId ?? defaultInstanceId();
  // The gauges' sources exist once the ledger and the event routes do (read at scrape time only).
  const gaugeSources = { openPauses: async (): Promise<number> => 0, sseClients: (): number => 0 };
  const metrics = new ServerMetrics(instance, {
    openPauses: () => gaugeSources.openPauses(),
    sseClients: () => gaugeSources.sseClients(),
  });
  const provider = new TwilioProvider({
    accountSid: config.twilio.accountSid,
    authToken: config.twilio.authToken,
    apiBaseUrl: config.twilio.apiBaseUrl,
    requestTimeoutMs: config.twilio.requestTimeoutMs,
    retry: { budgetMs: config.twilio.retryBudgetMs, baseDelayMs: 100, maxDelayMs: 2000, ...opts.retry },
    onRetry: (what, attempt, delayMs, err) => logger.warn({ what, attempt, delayMs, err: String(err) }, 'retrying Twilio API call'),
    observe: metrics.provider,
  });
  const flexSource: FlexTokenValidator = !config.auth.flexLogin
    ? new NoFlexLogin()
    : (opts.flexValidator ??
      new HttpFlexTokenValidator(config.flexValidateUrl, config.twilio.accountSid, config.twilio.authToken, config.twilio.requestTimeoutMs));
  // Embedded: the engine mints Flex tokens with any role claim; the user directory decides roles.
  const flex = config.mode === 'embedded' ? new DirectoryBoundFlexValidator(flexSource, (id) => users.get(id)?.role ?? null) : flexSource;
  // The same validation for Flex tokens on /api (task API, events), briefly cached when valid.
  const flexBearer = config.auth.flexLogin ? new FlexBearerAuth(flex, { cacheSeconds: config.auth.flexTokenCacheSeconds }) : null;

  const localTasks = new SqliteTaskStore(db);
  let ledger: PauseLedger;
  // Several instances on one PostgreSQL share tasks, locks, live events, revocations and tickets (cluster/).
  let cluster: Cluster | null = null;
  const streamsOf = { end: (_jti: string): void => undefined };
  try {
    ledger = await openLedger(config, db, logger);
    if (ledger instanceof PostgresLedger && config.databaseUrl !== null) {
      cluster = await joinCluster({
        url: config.databaseUrl,
        pool: ledger.pool,
        db,
        localTasks,
        localRevocations: revocations,
        revokedElsewhere: (jti) => streamsOf.end(jti),
        logger,
      }).catch(async (e: unknown) => {
        await ledger.close();
        throw e;
      });
    }
  } catch (e) {
    db.close();
    throw e;
  }
  const tasks: TaskStore = cluster?.tasks ?? localTasks;
  const audit: AuditReader = config.databaseUrl === null ? new SqliteAuditStore(db) : auditInPostgres;
  gaugeSources.openPauses = async () => (await ledger.openPauses()).length;
  const bus: EventBus = cluster?.bus ?? new EventBus();
  // This server's base URL as the engine reaches it; known once listening when PUBLIC_URL is unset.
  const urls = { public: config.publicUrl ?? '' };
  const recordingService = new RecordingService({
    provider,
    ledger,
    bus,
    config: config.app,
    logger,
    tasks,
    recordingStatusCallback: () => `${urls.public}/webhooks/recording-status`,
    ...(cluster === null ? {} : { lock: cluster.lock }),
    metrics,
    ...(opts.now === undefined ? {} : { now: opts.now }),
  });

  const reconciler = new Reconciler({ service: recordingService, provider, ledger, tasks, logger });

  const embedded = config.mode === 'embedded';
  // TaskRouter through the SDK: the engine's in embedded mode (provisioned below), TWILIO_WORKSPACE_SID's at Twilio in production.
  const router = new TaskRouterClient({
    accountSid: config.twilio.accountSid,
    authToken: config.twilio.authToken,
    apiBaseUrl: config.twilio.apiBaseUrl,
    requestTimeoutMs: config.twilio.requestTimeoutMs,
    workspaceSid: config.twilio.workspaceSid,
    retry: { budgetMs: config.twilio.retryBudgetMs, baseDelayMs: 100, maxDelayMs: 2000, ...opts.retry },
    onRetry: (what, attempt, delayMs, err) => logger.warn({ what, attempt, delayMs, err: String(err) }, 'retrying a TaskRouter call'),
  });
  // Positive authorizations, reused until TaskRouter's events (or the TTL) drop them; on only while
  // the workspace's events are known to come here (grant-switch.ts). Refusals are never cached.
  const grants = new GrantCache(config.twilio.grantCacheMs, metrics.grantCache);
  router.changed = (sids) => void grants.invalidate(sids, 'write');
  const grantSwitch = new GrantSwitch({
    grants,
    router,
    logger,
    eventsUrl: () => `${urls.public}${TASKROUTER_EVENTS_PATH}`,
    clustered: config.databaseUrl !== null,
  });
  const authority = new CallAuthority(router, grants);
  let routing: Routing | null = null;
  const acceptWaitMs = opts.acceptWaitMs ?? 10_000;
  const contactCenter = embedded
    ? new ContactCenter({
        tasks,
        provider,
        recordingService,
        ledger,
        bus,
        users,
        app: config.app,
        publicUrl: () => urls.public,
        logger,
        acceptWaitMs,
        router,
        workflowSid: () => {
          if (routing === null) throw new AppError('UPSTREAM_UNAVAILABLE', 'TaskRouter is not provisioned yet');
          return routing.workflowSid;
        },
      })
    : null;
  const simulator =
    contactCenter !== null && config.twilio.apiBaseUrl !== null
      ? new Simulator({
          engineUrl: config.twilio.apiBaseUrl,
          basicAuth: provider.basicAuth(),
          phoneNumber: config.phoneNumber,
          contactCenter,
          audio: opts.simulatorAudio,
          taskWaitMs: acceptWaitMs,
        })
      : null;

  const desktopDir = config.desktopDir !== null && existsSync(join(config.desktopDir, 'index.html')) ? resolve(config.desktopDir) : null;
  const app: FastifyInstance = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // Schema violations answer our 400 naming each field (http/validation.ts).
    schemaErrorFormatter,
    bodyLimit: opts.bodyLimitBytes ?? 64 * 1024,
    forceCloseConnections: true,
    // Errors Fastify raises before routing (a malformed URL such as `%ZZ`) get our error shape too.
    // (They skip the hooks, so helmet's headers are set here.)
    frameworkErrors: (err, request, reply) => {
      setSecurityHeaders(request, reply as FastifyReply);
      void (reply as FastifyReply).status(400).send(new AppError('BAD_REQUEST', `path: ${err.message}`, { field: 'path' }).toJSON());
    },
  });
  app.setValidatorCompiler(typeBoxValidator);
  // Response schemas type the handlers and document the API; answers are serialized as they are.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.decorateRequest('user', null);
  app.decorateRequest('session', null);
  await app.register(formbody, { bodyLimit: opts.bodyLimitBytes ?? 64 * 1024 });
  if (desktopDir !== null) await app.register(fastifyStatic, { root: desktopDir, prefix: '/', wildcard: false });
  // Storage refusals answer 503: the SQLite file's (token revocations, tasks) and the ledger's.
  installErrorHandling(app, desktopDir !== null, (e): e is Error => isStorageError(e) || ledger.isUnavailable(e));
  await installWebSecurity(app, config.http.corsOrigins);

  const PUBLIC_API = new Set(['/api/auth/login', '/api/events', '/api/health']);
  // Query strings: a route takes only the parameters its schema names; an `/api` route without a
  // querystring schema takes none, so a parameter there is refused, named, rather than silently
  // ignored. Credentials never travel in a URL (logs, proxies, history): `?token=` is refused with
  // its own message (http/validation.ts). Registered before swagger, which documents the default too.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/api/') && route.schema?.querystring === undefined) route.schema = { ...route.schema, querystring: NoFields };
  });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'pause-recording control server',
        version: '0.1.0',
        description: 'Generated from the route schemas; docs/api.md is rendered from this document.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    // The same rule as the authentication hook below: every /api route but the public ones needs a bearer token.
    transform: ({ schema, url }) => ({
      schema: url.startsWith('/api/') && !PUBLIC_API.has(url) ? { ...schema, security: [{ bearer: [] }] } : schema,
      url,
    }),
  });
  const api: Api = app.withTypeProvider();

  const perIdentity = await perKeyRateLimit(app, config.http.rateLimitPerMinute, 'authorization', cluster?.rateLimitStore);
  app.addHook('onRequest', async (request, reply) => {
    const route = request.routeOptions.url;
    if (route === undefined || !route.startsWith('/api/') || PUBLIC_API.has(route)) return;
    const { user, claims } = await sessionFromRequest(request, tokens, users, flexBearer);
    request.user = user;
    request.session = claims;
    await perIdentity(request, reply, request.user.identity);
  });

  const errors = { '4xx': ErrorBody };
  // Load balancers and uptime probes may add their own query parameters: the health check ignores them.
  api.get(
    '/api/health',
    {
      schema: {
        summary: 'Liveness and mode (no token)',
        tags: ['health'],
        querystring: Type.Object({}, { additionalProperties: true }),
        response: { 200: HealthResponse },
      },
    },
    async () => ({ ok: true as const, mode: config.mode }),
  );
  api.get(
    '/api/config',
    { schema: { summary: 'What the desktop needs of the configuration', tags: ['health'], response: { 200: UiConfig, ...errors } } },
    async () => ({
      pauseRecording: config.app.pauseRecording,
      dualChannelRecording: { enabled: config.app.dualChannelRecording.enabled, channel: config.app.dualChannelRecording.channel },
      callRecordingEnabled: config.app.callRecordingEnabled,
      mode: config.mode,
    }),
  );
  // The OpenAPI document of these routes, for a logged-in caller like every other /api route (the
  // public surface stays login and health; docs/api.md is rendered from it for everyone else).
  api.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  const guardOptions = {
    freeFailures: config.http.loginFailuresPerMinute,
    backoffMs: config.http.loginBackoffSeconds * 1000,
    maxBackoffMs: config.http.loginBackoffMaxSeconds * 1000,
    globalPerMinute: config.http.loginAttemptsPerMinute,
  };
  const guard = cluster?.loginGuard(guardOptions) ?? new LoginGuard(guardOptions);
  const streams = eventRoutes(api, {
    bus,
    tokens,
    users,
    flex: flexBearer,
    tickets: cluster?.tickets ?? new StreamTickets(),
    heartbeatMs: opts.heartbeatMs ?? 15_000,
    streamsPerIdentity: config.http.sseStreamsPerIdentity,
  });
  streamsOf.end = (jti) => streams.endStreams(jti);
  // Events other instances published while this one's listener was away never arrive: its streams
  // end once it listens again, and their clients reconnect and reload what they show.
  cluster?.bus.onListening(async () => streams.endAll('live events were interrupted; reconnect and reload'));
  gaugeSources.sseClients = () => streams.clients();
  opsRoutes(api, {
    metrics,
    instance,
    mode: config.mode,
    metricsToken: config.ops.metricsToken,
    healthTimeoutMs: config.ops.healthTimeoutMs,
    pingLedger: () => ledger.ping(),
    pingProvider: (ms) => provider.ping(ms),
  });
  authRoutes(api, { tokens, users, guard, revocations: cluster?.revocations ?? revocations, onLogout: (jti) => streams.endSession(jti) });
  const access = new TaskAccess({ tasks, router, authority, production: !embedded });
  taskRoutes(api, { access, contactCenter });
  recordingRoutes(api, { access, service: recordingService, app: config.app });
  auditRoutes(api, { audit: ledger, tasks });
  recordingsRoutes(api, { ledger, tasks, provider });
  simulatorRoutes(api, { simulator, users });
  seedRoutes(api, { tokens, users, flex, provider, access, service: recordingService });
  webhookRoutes(api, {
    publicUrl: () => urls.public,
    authToken: config.twilio.authToken,
    contactCenter,
    tasks,
    ledger,
    reconcileTask: (taskSid) => void reconciler.task(taskSid, 'status-callback'),
  });
  taskRouterEventRoutes(api, {
    publicUrl: () => urls.public,
    authToken: config.twilio.authToken,
    invalidate: (sids) => grants.invalidate(sids, 'event'),
    received: (resource) => metrics.taskRouterEvent(resource),
    failuresPerMinute: config.http.rateLimitPerMinute,
  });

  const address = await app.listen({ host: config.host, port: config.port });
  const url = address.replace('://[::1]', '://localhost');
  if (config.publicUrl === null) urls.public = url;

  // Point the number at us. The engine may start later than we do: keep trying until it answers.
  let numberTimer: NodeJS.Timeout | undefined;
  let closed = false;
  const registerNumber = async (): Promise<void> => {
    try {
      routing ??= await provisionTaskRouter(router, users.agents(), grantSwitch.provisionUrl());
      await grantSwitch.check();
      await provider.ensureIncomingNumber(config.phoneNumber, `${urls.public}/webhooks/voice`, `${urls.public}/webhooks/call-status`);
      logger.info({ phoneNumber: config.phoneNumber }, 'phone number routes to this server');
    } catch (e) {
      logger.warn({ err: String(e) }, 'could not register the phone number yet; retrying in 2 s');
      if (!closed) numberTimer = setTimeout(() => void registerNumber(), 2000);
    }
  };
  if (embedded) await registerNumber();
  else await grantSwitch.check();
  grantSwitch.start();

  // Reminders and auto-resumes of stored pauses are claimed from the ledger (one instance each).
  recordingService.book.startDeadlines(opts.deadlinePollMs ?? 250);
  const rearmed = await recordingService.book.rearmAll();
  if (rearmed > 0) logger.info({ pauses: rearmed }, 'reloaded open pauses and their timers');
  // Audit events an earlier process left pending (it stopped between asking and recording the answer).
  const resolved = await reconciler.pendingFromEarlier();
  if (resolved > 0) logger.warn({ events: resolved }, 'completed audit events left pending by an earlier run from what the provider reports');
  reconciler.start(opts.reconcileIntervalMs ?? 10_000);

  const stopDemo =
    simulator !== null && opts.demoCallIntervalMs !== undefined
      ? startDemoCalls({ simulator, tasks, users, intervalMs: opts.demoCallIntervalMs, logger })
      : () => undefined;

  return {
    url,
    app,
    db,
    tasks,
    audit,
    ledger,
    bus,
    users,
    recordingService,
    simulator,
    metrics,
    grants,
    async close() {
      closed = true;
      clearTimeout(numberTimer);
      grantSwitch.stop();
      stopDemo();
      reconciler.stop();
      recordingService.stop();
      await app.close();
      await cluster?.close();
      await ledger.close();
      db.close();
    },
  };
}
