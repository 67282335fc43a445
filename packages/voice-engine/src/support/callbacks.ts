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

/**
 * Where the engine may send webhooks: loopback addresses (any port), plus the origins the operator
 * configured (a server behind a public URL). Anything else is refused, so a client that can
 * create a call cannot make the engine reach into the network it runs in (SSRF).
 */
export class CallbackPolicy {
  readonly origins: readonly string[];

  /** `origins`: absolute http(s) URLs; only their origin (scheme, host, port) counts. */
  constructor(origins: readonly string[] = []) {
    this.origins = origins.map((o) => {
      const problem = urlProblem(o);
      if (problem) throw new Error(`callback origin '${o}': ${problem}`);
      return new URL(o).origin;
    });
  }

  /** Why `url` may not be called, or null when it may. */
  refusal(url: string): string | null {
    const problem = urlProblem(url);
    if (problem) return problem;
    const u = new URL(url);
    if (u.username !== '' || u.password !== '') return 'must not carry credentials';
    if (isLoopbackHost(u.hostname) || this.origins.includes(u.origin)) return null;
    return `is not an allowed callback URL (allowed: loopback${this.origins.length ? `, ${this.origins.join(', ')}` : ''})`;
  }

  describe(): string {
    return ['loopback', ...this.origins].join(', ');
  }
}

function urlProblem(v: string): string | null {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return 'must be an absolute http(s) URL';
  }
  return u.protocol === 'http:' || u.protocol === 'https:' ? null : 'must be an http or https URL';
}

/** 127.0.0.0/8, ::1 and localhost, as WHATWG URL parsing spells them (it normalises 0x7f.1 etc.). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost') || h === '[::1]') return true;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)) return true;
  // IPv4-mapped IPv6 loopback, e.g. [::ffff:127.0.0.1] (normalised to [::ffff:7f00:1]).
  return /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(h);
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
  /** Set by whoever starts the engine; loopback-only until then (fail closed). */
  policy = new CallbackPolicy();

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
    const refused = this.policy.refusal(cb.url);
    for (let attempt = 1; refused === null && attempt <= this.opts.attempts; attempt++) {
      log.attempts = attempt;
      try {
        const res = await postForm(cb, params, this.opts.authToken, this.opts.timeoutMs, this.policy);
        log.status = res.status;
        if (res.status < 500 && res.status !== 429) {
          // A redirect is not followed, and not retried: the receiver must answer itself.
          log.ok = res.status < 300;
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
    if (refused !== null) log.error = `not sent: ${cb.url} ${refused}`;
    if (log.ok) this.delivered++;
    else this.failed++;
    this.opts.onResult?.(log);
  }
}

/**
 * One signed webhook request; the body (TwiML for voice URLs) is returned as text. Redirects are
 * never followed (a 3xx is answered as is): an allowed URL must not hand the request on to one
 * that is not. A URL the policy refuses is not requested at all.
 */
export async function postForm(
  cb: Callback,
  params: Record<string, string>,
  authToken: string,
  timeoutMs: number,
  policy: CallbackPolicy,
): Promise<{ status: number; body: string; contentType: string }> {
  const refused = policy.refusal(cb.url);
  if (refused !== null) throw new Error(`not sent: ${cb.url} ${refused}`);
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
  const res = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  const body = await res.text();
  return { status: res.status, body, contentType: res.headers.get('content-type') ?? '' };
}
