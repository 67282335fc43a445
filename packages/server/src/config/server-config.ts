import { isSid, parseAppConfig, ValidationError, type AppConfig } from '@pause-recording/core';

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
  readonly app: AppConfig;
}

export type Env = Readonly<Record<string, string | undefined>>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** voice-engine's default credentials and port, used in embedded mode when none are given. */
export const ENGINE_DEFAULT_ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
export const ENGINE_DEFAULT_AUTH_TOKEN = 'engine-dev-token';
export const ENGINE_DEFAULT_PORT = 4500;

function intIn(env: Env, key: string, dflt: number, min: number, max: number, problems: string[]): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    problems.push(`${key}: must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
    return dflt;
  }
  return n;
}

function url(env: Env, key: string, problems: string[]): string | null {
  const raw = env[key];
  if (raw === undefined || raw === '') return null;
  try {
    const u = new URL(raw);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
    return raw.replace(/\/+$/, '');
  } catch {
    problems.push(`${key}: must be an http(s) URL, got ${JSON.stringify(raw)}`);
    return null;
  }
}

/**
 * Builds the server's configuration from the environment and the settings file named by
 * `CONFIG`. `readText` reads a file (injected so tests need no files). Throws one
 * ValidationError listing every problem found.
 */
export function loadServerConfig(env: Env, readText: (path: string) => string): ServerConfig {
  const problems: string[] = [];

  // Not `MODE`: Vite and vitest set that one for themselves.
  const modeRaw = env['SERVER_MODE'] || 'embedded';
  let mode: ServerConfig['mode'] = 'embedded';
  if (modeRaw === 'production' || modeRaw === 'embedded') mode = modeRaw;
  else problems.push(`SERVER_MODE: must be embedded or production, got ${JSON.stringify(modeRaw)}`);

  const port = intIn(env, 'PORT', 4400, 0, 65535, problems);
  const host = env['HOST'] || '127.0.0.1';
  const dataDir = env['DATA_DIR'] || './data';
  const enginePort = intIn(env, 'ENGINE_PORT', ENGINE_DEFAULT_PORT, 1, 65535, problems);
  const engineUrl = url(env, 'ENGINE_URL', problems);
  const publicUrl = url(env, 'PUBLIC_URL', problems);
  const flexValidateUrl = url(env, 'FLEX_VALIDATE_URL', problems);
  const twilioApiUrl = url(env, 'TWILIO_API_URL', problems);

  const accountSid = env['TWILIO_ACCOUNT_SID'] || (modeRaw === 'production' ? '' : ENGINE_DEFAULT_ACCOUNT_SID);
  const authToken = env['TWILIO_AUTH_TOKEN'] ?? '';
  if (accountSid !== '' && !isSid('account', accountSid)) {
    problems.push('TWILIO_ACCOUNT_SID: must be AC followed by 32 lowercase hex digits');
  }
  if (mode === 'production') {
    if (accountSid === '') problems.push('TWILIO_ACCOUNT_SID: required in production mode');
    if (authToken === '') problems.push('TWILIO_AUTH_TOKEN: required in production mode');
    if (env['PUBLIC_URL'] === undefined) problems.push('PUBLIC_URL: required in production mode (Twilio must reach the webhooks)');
  }

  const logLevelRaw = env['LOG_LEVEL'] ?? 'info';
  let logLevel: ServerConfig['logLevel'] = 'info';
  if ((LOG_LEVELS as readonly string[]).includes(logLevelRaw)) logLevel = logLevelRaw as ServerConfig['logLevel'];
  else problems.push(`LOG_LEVEL: must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(logLevelRaw)}`);

  const secret = env['AUTH_SECRET'] || null;
  if (secret !== null && secret.length < 32) problems.push('AUTH_SECRET: must be at least 32 characters');

  const phoneNumber = env['PHONE_NUMBER'] || '+15550100000';
  if (!/^\+[1-9]\d{6,14}$/.test(phoneNumber)) problems.push(`PHONE_NUMBER: must be E.164 (+ and 7-15 digits), got ${JSON.stringify(phoneNumber)}`);

  let app: AppConfig | null = null;
  const configPath = env['CONFIG'];
  let fileValue: unknown = undefined;
  if (configPath !== undefined && configPath !== '') {
    try {
      fileValue = JSON.parse(readText(configPath));
    } catch (e) {
      problems.push(`CONFIG: cannot read ${configPath} as JSON (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  try {
    app = parseAppConfig(fileValue);
  } catch (e) {
    if (e instanceof ValidationError) problems.push(...e.problems);
    else throw e;
  }

  const requestTimeoutMs = intIn(env, 'TWILIO_TIMEOUT_MS', 5000, 50, 120_000, problems);
  const retryBudgetMs = intIn(env, 'TWILIO_RETRY_BUDGET_MS', 8000, 0, 300_000, problems);
  const tokenTtlSeconds = intIn(env, 'TOKEN_TTL_SECONDS', 12 * 3600, 60, 30 * 24 * 3600, problems);

  const simRaw = env['SIMULATOR'] || 'on';
  if (simRaw !== 'on' && simRaw !== 'off') problems.push(`SIMULATOR: must be on or off, got ${JSON.stringify(simRaw)}`);
  const audioRaw = env['AUDIO'] || null;
  if (audioRaw !== null && audioRaw !== 'stamped' && audioRaw !== 'demo') problems.push(`AUDIO: must be stamped or demo, got ${JSON.stringify(audioRaw)}`);
  const intervalSeconds = intIn(env, 'SIMULATOR_INTERVAL_SECONDS', 20, 1, 3600, problems);

  const corsOrigins = (env['CORS_ORIGINS'] ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '');
  for (const o of corsOrigins) {
    let ok = false;
    try {
      const u = new URL(o);
      ok = (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === o;
    } catch {
      ok = false;
    }
    if (!ok) problems.push(`CORS_ORIGINS: ${JSON.stringify(o)} is not an origin like https://flex.twilio.com (scheme, host, optional port; no path)`);
  }
  const rateLimitPerMinute = intIn(env, 'RATE_LIMIT_PER_MINUTE', 1200, 0, 1_000_000, problems);
  const loginFailuresPerMinute = intIn(env, 'LOGIN_FAILURES_PER_MINUTE', 10, 1, 10_000, problems);
  const loginBackoffSeconds = intIn(env, 'LOGIN_BACKOFF_SECONDS', 60, 1, 86_400, problems);
  const loginBackoffMaxSeconds = intIn(env, 'LOGIN_BACKOFF_MAX_SECONDS', 900, 1, 86_400, problems);
  if (loginBackoffMaxSeconds < loginBackoffSeconds) problems.push('LOGIN_BACKOFF_MAX_SECONDS: must not be less than LOGIN_BACKOFF_SECONDS');
  const loginAttemptsPerMinute = intIn(env, 'LOGIN_ATTEMPTS_PER_MINUTE', 300, 1, 1_000_000, problems);
  const sseStreamsPerIdentity = intIn(env, 'SSE_STREAMS_PER_IDENTITY', 5, 1, 1000, problems);
  const flexLoginRaw = env['FLEX_LOGIN'] || 'on';
  if (flexLoginRaw !== 'on' && flexLoginRaw !== 'off') problems.push(`FLEX_LOGIN: must be on or off, got ${JSON.stringify(flexLoginRaw)}`);

  if (problems.length > 0 || app === null) throw new ValidationError('Invalid server configuration', problems);

  const apiBaseUrl = mode === 'embedded' ? (engineUrl ?? `http://127.0.0.1:${enginePort}`) : twilioApiUrl;
  return {
    mode,
    host,
    port,
    dataDir,
    publicUrl,
    twilio: {
      accountSid,
      authToken: authToken || ENGINE_DEFAULT_AUTH_TOKEN,
      apiBaseUrl,
      requestTimeoutMs,
      retryBudgetMs,
    },
    flexValidateUrl: flexValidateUrl ?? (mode === 'embedded' ? apiBaseUrl ?? '' : 'https://iam.twilio.com'),
    auth: { secret, tokenTtlSeconds, demoPassword: env['DEMO_PASSWORD'] || 'demo', flexLogin: flexLoginRaw !== 'off' },
    nodeEnv: env['NODE_ENV'] || null,
    phoneNumber,
    desktopDir: env['DESKTOP_DIR'] || null,
    enginePort,
    http: { corsOrigins, rateLimitPerMinute, loginFailuresPerMinute, loginBackoffSeconds, loginBackoffMaxSeconds, loginAttemptsPerMinute, sseStreamsPerIdentity },
    simulator: { autoCalls: simRaw !== 'off', intervalSeconds, audio: audioRaw === 'stamped' || audioRaw === 'demo' ? audioRaw : null },
    logLevel,
    app,
  };
}
