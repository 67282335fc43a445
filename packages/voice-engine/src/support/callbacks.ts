import type { Callback } from '../model/types.ts';
import { twilioSignature } from './signature.ts';

export interface CallbackLog {
  url: string;
  params: Record<string, string>;
  attempts: number;
  ok: boolean;
  status: number | null;
  error: string | null;
}

export interface CallbackOptions {
  authToken: string;
  /** Tries per callback (first try included). */
  attempts?: number;
  timeoutMs?: number;
  backoffMs?: number;
  onResult?: (log: CallbackLog) => void;
}

/**
 * Delivers status callbacks (form POSTs, or GET with a query) off the audio clock:
 * `send` only queues. Callbacks with the same key (a call, a conference, a recording)
 * go out in order; different keys go out in parallel. Failures are retried with backoff.
 */
export class CallbackDispatcher {
  private readonly chains = new Map<string, Promise<void>>();
  private readonly opts: Required<Omit<CallbackOptions, 'onResult'>> & Pick<CallbackOptions, 'onResult'>;
  private closed = false;
  private retrying = true;
  delivered = 0;
  failed = 0;

  constructor(opts: CallbackOptions) {
    this.opts = { attempts: 3, timeoutMs: 5000, backoffMs: 250, ...opts };
  }

  send(key: string, cb: Callback, params: Record<string, string>): void {
    if (this.closed) return;
    const prev = this.chains.get(key) ?? Promise.resolve();
    const next = prev.then(() => this.deliver(cb, params));
    this.chains.set(key, next);
    void next.finally(() => {
      if (this.chains.get(key) === next) this.chains.delete(key);
    });
  }

  /** Waits until every queued callback has been delivered or given up. */
  async drain(): Promise<void> {
    while (this.chains.size > 0) await Promise.allSettled([...this.chains.values()]);
  }

  close(): void {
    this.closed = true;
  }

  /** Shutting down: queued callbacks get one try each, no backoff waits. */
  stopRetrying(): void {
    this.retrying = false;
  }

  private async deliver(cb: Callback, params: Record<string, string>): Promise<void> {
    const log: CallbackLog = { url: cb.url, params, attempts: 0, ok: false, status: null, error: null };
    for (let attempt = 1; attempt <= this.opts.attempts; attempt++) {
      log.attempts = attempt;
      try {
        const res = await postForm(cb, params, this.opts.authToken, this.opts.timeoutMs);
        log.status = res.status;
        if (res.status < 500 && res.status !== 429) {
          log.ok = res.status < 400;
          log.error = log.ok ? null : `HTTP ${res.status}`;
          break;
        }
        log.error = `HTTP ${res.status}`;
      } catch (e) {
        log.error = e instanceof Error ? e.message : String(e);
      }
      if (!this.retrying || this.closed) break;
      if (attempt < this.opts.attempts) {
        await new Promise((r) => setTimeout(r, this.opts.backoffMs * 2 ** (attempt - 1)));
      }
    }
    if (log.ok) this.delivered++;
    else this.failed++;
    this.opts.onResult?.(log);
  }
}

/** One signed webhook request; the body (TwiML for voice URLs) is returned as text. */
export async function postForm(
  cb: Callback,
  params: Record<string, string>,
  authToken: string,
  timeoutMs: number,
): Promise<{ status: number; body: string; contentType: string }> {
  const form = new URLSearchParams(params).toString();
  let url = cb.url;
  let init: RequestInit;
  if (cb.method === 'GET') {
    url += (url.includes('?') ? '&' : '?') + form;
    init = { method: 'GET', headers: { 'X-Twilio-Signature': twilioSignature(authToken, url, {}) } };
  } else {
    init = {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        'X-Twilio-Signature': twilioSignature(authToken, url, params),
        'User-Agent': 'TwilioProxy/1.1 (pause-recording voice-engine)',
      },
      body: form,
    };
  }
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  const body = await res.text();
  return { status: res.status, body, contentType: res.headers.get('content-type') ?? '' };
}
