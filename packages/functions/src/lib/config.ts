import type { Context } from '@twilio-labs/serverless-runtime-types/types.js';

/**
 * The Functions' environment (`.env` locally, the service's variables when deployed). Everything
 * is read from `context`, which twilio-run and Twilio's runtime fill from the same variables.
 */
export interface FunctionsEnv {
  readonly ACCOUNT_SID?: string;
  readonly AUTH_TOKEN?: string;
  readonly TWILIO_REGION?: string;
  /** The template's retry settings (retries of 412/429/503/ECONNRESET/ETIMEDOUT). */
  readonly TWILIO_SERVICE_RETRY_LIMIT?: string;
  readonly TWILIO_SERVICE_MIN_BACKOFF?: string;
  readonly TWILIO_SERVICE_MAX_BACKOFF?: string;
  /** The Flex TaskRouter workspace; found by listing when the account has exactly one. */
  readonly TWILIO_WORKSPACE_SID?: string;
  /** `false` turns the worker-to-task check off (the template's behaviour: any agent may act on any call). */
  readonly VALIDATE_WORKER_TASK?: string;
  /** Local runs only: the REST base URL (the embedded engine) instead of api.twilio.com and taskrouter.twilio.com. */
  readonly TWILIO_API_BASE_URL?: string;
  /** Local runs only: where `/v1/Accounts/{AC}/Tokens/validate` is asked instead of iam.twilio.com (the real library is used when unset). */
  readonly FLEX_TOKEN_VALIDATION_URL?: string;
}

export type FnContext = Context<FunctionsEnv>;

/** Twilio auth tokens are 32 letters and digits; twilio-run and the runtime refuse anything else at the first client call. */
export function authTokenProblem(token: string | undefined): string | null {
  if (token === undefined || token === '') return 'AUTH_TOKEN: missing; set it to the account auth token (32 letters and digits)';
  if (!/^[A-Za-z0-9]{32}$/.test(token)) return `AUTH_TOKEN: must be 32 letters and digits (a Twilio auth token), got ${token.length} characters`;
  return null;
}

export function accountSidProblem(sid: string | undefined): string | null {
  if (sid === undefined || sid === '') return 'ACCOUNT_SID: missing; set it to the account SID (AC followed by 32 hex digits)';
  if (!/^AC[0-9a-f]{32}$/.test(sid)) return 'ACCOUNT_SID: must be AC followed by 32 lowercase hex digits';
  return null;
}

/** On unless explicitly turned off: a security control fails closed. */
export function workerTaskCheckEnabled(env: FunctionsEnv): boolean {
  const v = (env.VALIDATE_WORKER_TASK ?? '').trim().toLowerCase();
  return !['false', '0', 'off', 'no'].includes(v);
}

function whole(v: string | undefined, fallback: number): number {
  const n = Number(v);
  return v !== undefined && v !== '' && Number.isInteger(n) && n >= 0 ? n : fallback;
}

/** The template's defaults (its `.env.example`): 5 retries, 100–300 ms apart, so a persistent failure is known within ~1.5 s. */
export function retrySettings(env: FunctionsEnv): { limit: number; minMs: number; maxMs: number } {
  const minMs = whole(env.TWILIO_SERVICE_MIN_BACKOFF, 100);
  return { limit: whole(env.TWILIO_SERVICE_RETRY_LIMIT, 5), minMs, maxMs: Math.max(minMs, whole(env.TWILIO_SERVICE_MAX_BACKOFF, 300)) };
}
