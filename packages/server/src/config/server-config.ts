import Type, { type Static } from 'typebox';
import Value from 'typebox/value';
import { parseAppConfig, schemaProblems, ValidationError, type AppConfig } from '@pause-recording/core';

/**
 * Everything the server needs to run, read once at start (from the environment and the
 * settings file) and passed down. Nothing below this module reads `process.env`.
 */
export interface ServerConfig {
  /** `embedded`: the Twilio API is the local voice-engine, with the local contact center and simulator. */
  readonly mode: 'embedded' | 'production';
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  /** DATABASE_URL: the pause ledger lives in this PostgreSQL database (shared by every instance); null: SQLite in DATA_DIR. */
  readonly databaseUrl: string | null;
  /** Base URL at which the voice engine (or Twilio) reaches this server's webhooks; null: the address it listens on. */
  readonly publicUrl: string | null;
  readonly twilio: {
    readonly accountSid: string;
    readonly authToken: string;
    /** Where the Twilio REST API lives: the engine's URL in embedded mode, null for api.twilio.com. */
    readonly apiBaseUrl: string | null;
    /** Per-request timeout to the Twilio API. */
    readonly requestTimeoutMs: number;
    /** Total time a transient failure (429, 5xx, reset, timeout) is retried before giving up. */
    readonly retryBudgetMs: number;
    /**
     * The TaskRouter workspace whose reservations decide who may act on a call (TWILIO_WORKSPACE_SID,
     * production); null in embedded mode, where the server provisions the engine's own.
     */
    readonly workspaceSid: string | null;
    /**
     * How long a positive TaskRouter authorization is reused (TASKROUTER_GRANT_CACHE_MS, 0-10000; 0: off),
     * dropped at once by the workspace's event callbacks naming its task, reservation or worker. Default
     * 2000 in embedded mode; 0 in production unless set (the operator opts in, and the workspace's
     * EventCallbackUrl must point at this server: checked at start).
     */
    readonly grantCacheMs: number;
  };
  /** Base URL of Twilio's token-validate endpoint (iam.twilio.com; the engine emulates it). */
  readonly flexValidateUrl: string;
  readonly auth: {
    /** HMAC secret for bearer tokens; null means: generate one and keep it in DATA_DIR. */
    readonly secret: string | null;
    readonly tokenTtlSeconds: number;
    /** Password of the demo users of embedded mode. */
    readonly demoPassword: string;
    /** The seed routes accept Flex tokens (FLEX_LOGIN=on, the default). */
    readonly flexLogin: boolean;
    /** How long a valid Flex token's validation is reused on `/api` (FLEX_TOKEN_CACHE_SECONDS, 0-60; 0: never). */
    readonly flexTokenCacheSeconds: number;
  };
  /** NODE_ENV as given: `production` there gets the same safe-default checks as SERVER_MODE=production. */
  readonly nodeEnv: string | null;
  /** The number simulated customers dial (embedded mode). */
  readonly phoneNumber: string;
  /** The built agent desktop to serve at `/`, when it exists. */
  readonly desktopDir: string | null;
  /** Port `npm start` runs the embedded engine on (ENGINE_PORT). */
  readonly enginePort: number;
  readonly simulator: {
    /** `npm start` places demo customer calls (SIMULATOR=on, the default). */
    readonly autoCalls: boolean;
    /** Seconds between demo calls. */
    readonly intervalSeconds: number;
    /** Audio of simulated parties (AUDIO): null leaves the engine's default. */
    readonly audio: 'stamped' | 'demo' | null;
  };
  readonly http: {
    /** Origins allowed to call the server from a browser (CORS_ORIGINS, comma-separated). */
    readonly corsOrigins: readonly string[];
    /** Requests per minute per logged-in identity (0 = no limit). */
    readonly rateLimitPerMinute: number;
    /** Failed logins per identity and client address before each further one waits (LOGIN_FAILURES_PER_MINUTE). */
    readonly loginFailuresPerMinute: number;
    /** The first wait after those; it doubles with each further failure ... */
    readonly loginBackoffSeconds: number;
    /** ... up to this. */
    readonly loginBackoffMaxSeconds: number;
    /** Unsuccessful logins per minute on the whole server (successes give their slot back). */
    readonly loginAttemptsPerMinute: number;
    /** Event streams one identity may hold open at once. */
    readonly sseStreamsPerIdentity: number;
  };
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** What an operator watches: /metrics and /health/*. */
  readonly ops: {
    /** The `instance` label of every metric (INSTANCE_ID; default hostname:pid). */
    readonly instanceId: string | null;
    /** Bearer token that may read /metrics (METRICS_TOKEN); null: loopback only (embedded), closed (production). */
    readonly metricsToken: string | null;
    /** How long /health/ready waits for the ledger and for the provider (HEALTH_TIMEOUT_MS). */
    readonly healthTimeoutMs: number;
  };
  readonly app: AppConfig;
}

export type Env = Readonly<Record<string, string | undefined>>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** voice-engine's default credentials and port, used in embedded mode when none are given. */
export const ENGINE_DEFAULT_ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
export const ENGINE_DEFAULT_AUTH_TOKEN = 'engine-dev-token';
export const ENGINE_DEFAULT_PORT = 4500;
/** The origin Flex UI is served from: allowed by CORS in production mode unless CORS_ORIGINS is set. */
export const FLEX_ORIGIN = 'https://flex.twilio.com';

const whole = (min: number, max: number) =>
  Type.Optional(
    Type.Integer({
      minimum: min,
      maximum: max,
      problem: (v: unknown) => `must be a whole number from ${min} to ${max}, got ${JSON.stringify(typeof v === 'number' ? String(v) : v)}`,
    }),
  );
const httpUrl = () =>
  Type.Optional(Type.String({ pattern: '^[Hh][Tt][Tt][Pp][Ss]?://[^\\s/?#]+', problem: (v: unknown) => `must be an http(s) URL, got ${JSON.stringify(v)}` }));
const choice = <const T extends string>(values: readonly T[], say = values.join(', ')) =>
  Type.Optional(Type.Enum([...values], { problem: (v: unknown) => `must be ${say}, got ${JSON.stringify(v)}` }));
const onOff = () => choice(['on', 'off'], 'on or off');

/**
 * The environment as TypeBox checks it, one property per variable, in the order problems are
 * listed. An empty variable counts as unset (but for LOG_LEVEL). What a schema cannot say (production needs, the
 * settings file, CORS origins, one limit against another) is checked in `loadServerConfig`.
 */
export const ServerEnvSchema = Type.Object({
  // Not `MODE`: Vite and vitest set that one for themselves.
  SERVER_MODE: choice(['embedded', 'production'], 'embedded or production'),
  PORT: whole(0, 65535),
  HOST: Type.Optional(Type.String()),
  DATA_DIR: Type.Optional(Type.String()),
  // The value may hold a password: problems never repeat it.
  DATABASE_URL: Type.Optional(
    Type.String({
      pattern: '^postgres(ql)?://[^\\s/?#]+([/?][^\\s]*)?$',
      problem: 'must be a postgres:// or postgresql:// URL (postgres://user:password@host:5432/db)',
    }),
  ),
  ENGINE_PORT: whole(1, 65535),
  ENGINE_URL: httpUrl(),
  PUBLIC_URL: httpUrl(),
  FLEX_VALIDATE_URL: httpUrl(),
  TWILIO_API_URL: httpUrl(),
  TWILIO_ACCOUNT_SID: Type.Optional(Type.String({ pattern: '^AC[0-9a-f]{32}$', problem: 'must be AC followed by 32 lowercase hex digits' })),
  TWILIO_AUTH_TOKEN: Type.Optional(Type.String()),
  TWILIO_WORKSPACE_SID: Type.Optional(Type.String({ pattern: '^WS[0-9a-f]{32}$', problem: 'must be WS followed by 32 lowercase hex digits' })),
  TASKROUTER_GRANT_CACHE_MS: whole(0, 10_000),
  LOG_LEVEL: Type.Optional(Type.Enum([...LOG_LEVELS], { problem: (v: unknown) => `must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(v)}` })),
  AUTH_SECRET: Type.Optional(Type.String({ minLength: 32, problem: 'must be at least 32 characters' })),
  PHONE_NUMBER: Type.Optional(
    Type.String({ pattern: '^\\+[1-9]\\d{6,14}$', problem: (v: unknown) => `must be E.164 (+ and 7-15 digits), got ${JSON.stringify(v)}` }),
  ),
  CONFIG: Type.Optional(Type.String()),
  TWILIO_TIMEOUT_MS: whole(50, 120_000),
  TWILIO_RETRY_BUDGET_MS: whole(0, 300_000),
  TOKEN_TTL_SECONDS: whole(60, 30 * 24 * 3600),
  SIMULATOR: onOff(),
  AUDIO: choice(['stamped', 'demo'], 'stamped or demo'),
  SIMULATOR_INTERVAL_SECONDS: whole(1, 3600),
  CORS_ORIGINS: Type.Optional(Type.String()),
  RATE_LIMIT_PER_MINUTE: whole(0, 1_000_000),
  LOGIN_FAILURES_PER_MINUTE: whole(1, 10_000),
  LOGIN_BACKOFF_SECONDS: whole(1, 86_400),
  LOGIN_BACKOFF_MAX_SECONDS: whole(1, 86_400),
  LOGIN_ATTEMPTS_PER_MINUTE: whole(1, 1_000_000),
  SSE_STREAMS_PER_IDENTITY: whole(1, 1000),
  FLEX_LOGIN: onOff(),
  FLEX_TOKEN_CACHE_SECONDS: whole(0, 60),
  DEMO_PASSWORD: Type.Optional(Type.String()),
  NODE_ENV: Type.Optional(Type.String()),
  DESKTOP_DIR: Type.Optional(Type.String()),
  INSTANCE_ID: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9._:@-]{1,100}$', problem: 'must be 1-100 letters, digits or . _ : @ -' })),
  METRICS_TOKEN: Type.Optional(Type.String({ minLength: 16, problem: 'must be at least 16 characters' })),
  HEALTH_TIMEOUT_MS: whole(50, 60_000),
});

type ServerEnv = Static<typeof ServerEnvSchema>;
type EnvKey = keyof ServerEnv;
const ENV_KEYS = Object.keys(ServerEnvSchema.properties) as EnvKey[];

/** The variables the schema knows, empty ones left out, whole numbers read as numbers. */
function envView(env: Env): Record<string, string | number> {
  const view: Record<string, string | number> = {};
  for (const key of ENV_KEYS) {
    const raw = env[key];
    // An empty LOG_LEVEL is refused rather than read as the default, as it always was.
    if (raw === undefined || (raw === '' && key !== 'LOG_LEVEL')) continue;
    const n = Number(raw);
    view[key] = Type.IsInteger(ServerEnvSchema.properties[key]) && Number.isInteger(n) ? n : raw;
  }
  return view;
}

function originProblem(o: string): boolean {
  try {
    const u = new URL(o);
    return !((u.protocol === 'http:' || u.protocol === 'https:') && u.origin === o);
  } catch {
    return true;
  }
}

function validDatabaseUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return (u.protocol === 'postgres:' || u.protocol === 'postgresql:') && u.hostname !== '';
  } catch {
    return false;
  }
}

/**
 * Builds the server's configuration from the environment and the settings file named by
 * `CONFIG`. `readText` reads a file (injected so tests need no files). Throws one
 * ValidationError listing every problem found.
 */
export function loadServerConfig(env: Env, readText: (path: string) => string): ServerConfig {
  const view = envView(env);
  const byKey = new Map<string, string[]>();
  const note = (key: EnvKey, problem: string): void => {
    byKey.set(key, [...(byKey.get(key) ?? []), problem]);
  };
  for (const p of schemaProblems(ServerEnvSchema, view)) {
    const key = String(p.path[0]);
    if ((ENV_KEYS as string[]).includes(key)) note(key as EnvKey, `${key}: ${p.problem}`);
  }

  const production = view['SERVER_MODE'] === 'production';
  if (production) {
    // Listed with TWILIO_ACCOUNT_SID, in this order.
    if (view['TWILIO_ACCOUNT_SID'] === undefined) note('TWILIO_ACCOUNT_SID', 'TWILIO_ACCOUNT_SID: required in production mode');
    if (view['TWILIO_AUTH_TOKEN'] === undefined) note('TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN: required in production mode');
    if (env['PUBLIC_URL'] === undefined) note('TWILIO_ACCOUNT_SID', 'PUBLIC_URL: required in production mode (Twilio must reach the webhooks)');
  }

  let app: AppConfig | null = null;
  const configPath = env['CONFIG'];
  let fileValue: unknown = undefined;
  if (configPath !== undefined && configPath !== '') {
    try {
      fileValue = JSON.parse(readText(configPath));
    } catch (e) {
      note('CONFIG', `CONFIG: cannot read ${configPath} as JSON (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  try {
    app = parseAppConfig(fileValue);
  } catch (e) {
    if (e instanceof ValidationError) for (const p of e.problems) note('CONFIG', p);
    else throw e;
  }

  // Production serves Flex: its origin is allowed unless CORS_ORIGINS says otherwise (an empty list: `CORS_ORIGINS=none`).
  const corsRaw = env['CORS_ORIGINS'] ?? '';
  const corsSetting = corsRaw.trim() === '' ? (production ? FLEX_ORIGIN : '') : corsRaw;
  const corsOrigins = (corsSetting.trim() === 'none' ? '' : corsSetting)
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '');
  for (const o of corsOrigins) {
    if (originProblem(o))
      note('CORS_ORIGINS', `CORS_ORIGINS: ${JSON.stringify(o)} is not an origin like https://flex.twilio.com (scheme, host, optional port; no path)`);
  }
  const numberAt = (key: EnvKey, dflt: number): number => {
    const v = view[key];
    return typeof v === 'number' ? v : dflt;
  };
  const backoff = numberAt('LOGIN_BACKOFF_SECONDS', 60);
  const backoffMax = numberAt('LOGIN_BACKOFF_MAX_SECONDS', 900);
  if (backoffMax < backoff) {
    note('LOGIN_BACKOFF_MAX_SECONDS', 'LOGIN_BACKOFF_MAX_SECONDS: must not be less than LOGIN_BACKOFF_SECONDS');
  }

  const databaseUrl = typeof view['DATABASE_URL'] === 'string' ? view['DATABASE_URL'] : null;
  if (databaseUrl !== null && !byKey.has('DATABASE_URL') && !validDatabaseUrl(databaseUrl)) {
    note('DATABASE_URL', 'DATABASE_URL: must be a postgres:// or postgresql:// URL with a host (postgres://user:password@host:5432/db)');
  }

  const problems = ENV_KEYS.flatMap((k) => byKey.get(k) ?? []);
  if (problems.length > 0 || app === null || !Value.Check(ServerEnvSchema, view)) throw new ValidationError('Invalid server configuration', problems);
  const e: ServerEnv = view;

  const mode = e.SERVER_MODE ?? 'embedded';
  const enginePort = e.ENGINE_PORT ?? ENGINE_DEFAULT_PORT;
  const strip = (u: string | undefined): string | null => (u === undefined ? null : u.replace(/\/+$/, ''));
  const engineUrl = strip(e.ENGINE_URL);
  const flexValidateUrl = strip(e.FLEX_VALIDATE_URL);
  const apiBaseUrl = mode === 'embedded' ? (engineUrl ?? `http://127.0.0.1:${enginePort}`) : strip(e.TWILIO_API_URL);
  return {
    mode,
    host: e.HOST ?? '127.0.0.1',
    port: e.PORT ?? 4400,
    dataDir: e.DATA_DIR ?? './data',
    databaseUrl: e.DATABASE_URL ?? null,
    publicUrl: strip(e.PUBLIC_URL),
    twilio: {
      accountSid: e.TWILIO_ACCOUNT_SID ?? (production ? '' : ENGINE_DEFAULT_ACCOUNT_SID),
      authToken: e.TWILIO_AUTH_TOKEN ?? ENGINE_DEFAULT_AUTH_TOKEN,
      apiBaseUrl,
      requestTimeoutMs: e.TWILIO_TIMEOUT_MS ?? 5000,
      retryBudgetMs: e.TWILIO_RETRY_BUDGET_MS ?? 8000,
      workspaceSid: mode === 'embedded' ? null : (e.TWILIO_WORKSPACE_SID ?? null),
      grantCacheMs: e.TASKROUTER_GRANT_CACHE_MS ?? (mode === 'embedded' ? 2000 : 0),
    },
    flexValidateUrl: flexValidateUrl ?? (mode === 'embedded' ? (apiBaseUrl ?? '') : 'https://iam.twilio.com'),
    auth: {
      secret: e.AUTH_SECRET ?? null,
      tokenTtlSeconds: e.TOKEN_TTL_SECONDS ?? 12 * 3600,
      demoPassword: e.DEMO_PASSWORD ?? 'demo',
      flexLogin: e.FLEX_LOGIN !== 'off',
      flexTokenCacheSeconds: e.FLEX_TOKEN_CACHE_SECONDS ?? 30,
    },
    nodeEnv: e.NODE_ENV ?? null,
    phoneNumber: e.PHONE_NUMBER ?? '+15550100000',
    desktopDir: e.DESKTOP_DIR ?? null,
    enginePort,
    http: {
      corsOrigins,
      rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE ?? 1200,
      loginFailuresPerMinute: e.LOGIN_FAILURES_PER_MINUTE ?? 10,
      loginBackoffSeconds: backoff,
      loginBackoffMaxSeconds: backoffMax,
      loginAttemptsPerMinute: e.LOGIN_ATTEMPTS_PER_MINUTE ?? 300,
      sseStreamsPerIdentity: e.SSE_STREAMS_PER_IDENTITY ?? 5,
    },
    simulator: { autoCalls: e.SIMULATOR !== 'off', intervalSeconds: e.SIMULATOR_INTERVAL_SECONDS ?? 20, audio: e.AUDIO ?? null },
    logLevel: e.LOG_LEVEL ?? 'info',
    ops: { instanceId: e.INSTANCE_ID ?? null, metricsToken: e.METRICS_TOKEN ?? null, healthTimeoutMs: e.HEALTH_TIMEOUT_MS ?? 2000 },
    app,
  };
}
