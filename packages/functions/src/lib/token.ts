import { validator } from 'twilio-flex-token-validator';
import type { FunctionsEnv } from './config.ts';

/** What Twilio IAM's `Tokens/validate` answers for a valid Flex token (the fields the functions use). */
export interface TokenResult {
  readonly valid: true;
  readonly identity: string;
  readonly roles: readonly string[];
  readonly worker_sid: string | null;
  readonly realm_user_id?: string | null;
  readonly expiration?: string | null;
}

function isTokenResult(v: unknown): v is TokenResult {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    r['valid'] === true &&
    typeof r['identity'] === 'string' &&
    Array.isArray(r['roles']) &&
    (r['worker_sid'] === null || typeof r['worker_sid'] === 'string' || r['worker_sid'] === undefined)
  );
}

/**
 * The same request twilio-flex-token-validator sends (JSON `{token}`, Basic auth, POST
 * `/v1/Accounts/{AC}/Tokens/validate`), to another base URL: the library's host is hard-coded to
 * iam.twilio.com. Rejects with the validator's messages, which become the 403 body.
 */
async function validateAt(base: string, token: string, accountSid: string, authToken: string): Promise<unknown> {
  const auth = Buffer.from(`${accountSid}:${authToken}`).toString('base64');
  let res: Response;
  try {
    res = await fetch(`${base.replace(/\/+$/, '')}/v1/Accounts/${accountSid}/Tokens/validate`, {
      method: 'POST',
      headers: { authorization: `Basic ${auth}`, 'cache-control': 'no-cache', 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (e) {
    throw e instanceof Error ? e.message : String(e);
  }
  let result: unknown;
  try {
    result = await res.json();
  } catch (e) {
    throw e instanceof Error ? e.message : String(e);
  }
  const r = typeof result === 'object' && result !== null ? (result as Record<string, unknown>) : {};
  if (r['valid'] === true) return result;
  throw typeof r['message'] === 'string' ? r['message'] : `token validation answered HTTP ${res.status}`;
}

/**
 * Validates a Flex token as twilio-flex-token-validator's `functionValidator` does. In production
 * (no `FLEX_TOKEN_VALIDATION_URL`) it is that library; locally the same request goes to the engine.
 * Rejects with a message (a string, as the library does).
 */
export async function validateFlexToken(env: FunctionsEnv, token: unknown): Promise<TokenResult> {
  const accountSid = env.ACCOUNT_SID ?? '';
  const authToken = env.AUTH_TOKEN ?? '';
  if (typeof token !== 'string' || token === '') throw 'Unauthorized: Token was not provided';
  const base = env.FLEX_TOKEN_VALIDATION_URL;
  const region = env.TWILIO_REGION ? env.TWILIO_REGION.split('-')[0] : '';
  const result =
    base !== undefined && base !== '' ? await validateAt(base, token, accountSid, authToken) : await validator(token, accountSid, authToken, region);
  if (!isTokenResult(result)) throw 'Unauthorized: token validation answered an unexpected shape';
  return { ...result, worker_sid: result.worker_sid ?? null };
}
