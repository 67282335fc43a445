import type { FnContext } from './config.ts';

/** The client the runtime gives; pointed at `TWILIO_API_BASE_URL` for local runs against the embedded engine. */
export function twilioClient(context: FnContext): ReturnType<FnContext['getTwilioClient']> {
  const client = context.getTwilioClient();
  const base = context.TWILIO_API_BASE_URL;
  if (base !== undefined && base !== '') {
    client.api.baseUrl = base;
    client.taskrouter.baseUrl = base;
  }
  return client;
}

/** What the SDK's RestException (or a network error) carries. */
interface ErrorLike {
  readonly status?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly moreInfo?: unknown;
  readonly response?: { readonly status?: unknown };
}

export type Attempt<T> =
  | { readonly success: true; readonly status: 200; readonly data: T }
  | {
      readonly success: false;
      readonly status: number;
      readonly message: string;
      readonly twilioErrorCode: number | string | undefined;
      readonly twilioDocPage: string | undefined;
    };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The flex-project-template's retry handler: 412 retried at once, 429 and 503 and connection
 * resets/timeouts after a random 100–300 ms (by default), up to the retry limit; anything else
 * (a single 500, a 4xx) is answered at once with Twilio's status, code and doc page.
 */
export async function withRetry<T>(retry: { limit: number; minMs: number; maxMs: number }, op: () => Promise<T>): Promise<Attempt<T>> {
  for (let attempts = 0; ; attempts++) {
    try {
      return { success: true, status: 200, data: await op() };
    } catch (caught) {
      const e: ErrorLike = typeof caught === 'object' && caught !== null ? caught : { message: String(caught) };
      const status = typeof e.status === 'number' ? e.status : typeof e.response?.status === 'number' ? e.response.status : 500;
      const code = typeof e.code === 'number' || typeof e.code === 'string' ? e.code : undefined;
      const retryable = status === 412 || status === 429 || status === 503 || code === 'ECONNRESET' || code === 'ETIMEDOUT';
      if (retryable && attempts < retry.limit) {
        if (status !== 412) await sleep(retry.minMs + Math.random() * (retry.maxMs - retry.minMs));
        continue;
      }
      return {
        success: false,
        status,
        message: typeof e.message === 'string' ? e.message : String(caught),
        twilioErrorCode: code,
        twilioDocPage: typeof e.moreInfo === 'string' ? e.moreInfo : undefined,
      };
    }
  }
}
