import { readFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import twilio from 'twilio';
import type SdkRequestClient from 'twilio/lib/base/RequestClient.js';
import type SdkResponse from 'twilio/lib/http/response.js';

/**
 * The HTTP transport under the official `twilio` SDK (its documented `httpClient` hook): the SDK
 * still builds every request (URL, form fields, headers, auth) and reads every answer (pages,
 * instances, RestException); this only carries the request over node:http/https with keep-alive
 * pools, without axios (whose per-request config merging, interceptors and redirect wrapper were
 * ~20% of the server's CPU per pause). What it sends is byte-for-byte what the SDK's own
 * RequestClient sends for method, path, query, body, Content-Type and Authorization
 * (test/provider/request-client.test.ts holds both against a capture server).
 *
 * The SDK's own axios path still serves what this does not do: a proxy (`HTTP_PROXY`, read once at
 * construction, as the SDK does: HTTPS requests tunnel through it; `HTTPS_PROXY` is not read, by
 * the SDK either), redirects (`allowRedirects`, which no REST call asks for) and debug request
 * logging (`TWILIO_LOG_LEVEL=debug`). `lastRequest`/`lastResponse` are not kept.
 */

/**
 * One provider HTTP request as /metrics counts it: `route` is the REST path with SIDs replaced
 * by their two-letter prefix (`/2010-04-01/Accounts/AC…/Calls/CA…/Recordings/RE….json`), `status`
 * the HTTP status or, when no answer came, the network error's code (`ECONNREFUSED`, `ECONNABORTED`
 * for a timeout), `twilioCode` the Twilio error code in an error answer ('' when none).
 */
export type ProviderObserver = (o: { method: string; route: string; seconds: number; status: string; twilioCode: string }) => void;

export interface LeanRequestClientOptions {
  /** Whole-request deadline in ms unless a request names its own (the SDK's default: 30 s). */
  readonly timeout?: number;
  /** Sockets per host, and idle ones kept (a burst of pauses is 4 requests each). */
  readonly maxSockets?: number;
  /** Retry 429 answers with jittered backoff inside the transport, as the SDK's `autoRetry` does (off: retry.ts decides). */
  readonly autoRetry?: boolean;
  readonly maxRetries?: number;
  readonly maxRetryDelay?: number;
  /** Told of every HTTP request (each retry attempt is one). */
  readonly observe?: ProviderObserver;
}

/** A REST path with its SIDs (two letters and 32 hex digits) shortened to their kind. */
export function routeOf(uri: string): string {
  // The SDK's URIs are absolute and already normalized (it builds them with URL): cut out the path.
  let path = uri;
  const scheme = uri.indexOf('://');
  if (scheme !== -1) {
    const slash = uri.indexOf('/', scheme + 3);
    path = slash === -1 ? '/' : uri.slice(slash);
  }
  const end = path.search(/[?#]/);
  if (end !== -1) path = path.slice(0, end);
  return path.replace(/\b([A-Z]{2})[0-9a-f]{32}\b/g, '$1…');
}

function twilioCodeOf(body: unknown): string {
  let b = body;
  if (typeof b === 'string') {
    try {
      b = JSON.parse(b);
    } catch {
      return '';
    }
  }
  const code = typeof b === 'object' && b !== null ? (b as { code?: unknown }).code : undefined;
  return typeof code === 'number' || typeof code === 'string' ? String(code) : '';
}

/** qs's RFC 3986 encoding (what the SDK's `qs.stringify` does): encodeURIComponent plus `!'()*`. */
function enc(s: string): string {
  let out: string;
  try {
    out = encodeURIComponent(s);
  } catch {
    // A lone surrogate: encode what UTF-8 makes of it rather than failing the request.
    out = encodeURIComponent(Buffer.from(s, 'utf8').toString('utf8'));
  }
  return /[!'()*]/.test(out) ? out.replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase()) : out;
}

function addField(parts: string[], key: string, v: unknown): void {
  if (v === undefined) return;
  if (Array.isArray(v)) {
    for (const item of v) addField(parts, key, item); // arrayFormat "repeat": Key=a&Key=b
  } else if (v instanceof Date) {
    parts.push(enc(key) + '=' + enc(v.toISOString()));
  } else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) addField(parts, `${key}[${k}]`, x);
  } else {
    parts.push(enc(key) + '=' + (v === null ? '' : enc(String(v))));
  }
}

/** `qs.stringify(o, { arrayFormat: 'repeat' })`, as the SDK encodes form bodies and query strings. */
export function formEncode(o: object): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(o)) addField(parts, k, v);
  return parts.join('&');
}

/** What the SDK's Response is (its `toString` included), without the SDK's class. */
class LeanResponse<T> implements SdkResponse.default<T> {
  constructor(
    readonly statusCode: number,
    readonly body: T,
    readonly headers: IncomingHttpHeaders,
  ) {}
  toString(): string {
    return 'HTTP ' + this.statusCode + ' ' + String(this.body);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A network error as node:http gives it, for the provider errors' classification: the timeout one named as axios named it. */
function timeoutError(ms: number): Error {
  return Object.assign(new Error(`timeout of ${ms}ms exceeded`), { code: 'ECONNABORTED' });
}

function decoded(res: IncomingMessage): NodeJS.ReadableStream {
  const encoding = res.headers['content-encoding'];
  if (encoding === 'gzip' || encoding === 'x-gzip') return res.pipe(createGunzip());
  if (encoding === 'deflate') return res.pipe(createInflate());
  if (encoding === 'br') return res.pipe(createBrotliDecompress());
  return res;
}

// The SDK types `httpClient` as its RequestClient class (private members included), so this extends it;
// the inherited axios instance serves only the fallbacks named above.
export class LeanRequestClient extends twilio.RequestClient {
  private readonly httpAgent: HttpAgent;
  private readonly httpsAgent: HttpsAgent;
  private readonly viaSdk: boolean;
  private readonly observer: ProviderObserver | undefined;

  constructor(opts: LeanRequestClientOptions = {}) {
    super({
      timeout: opts.timeout,
      autoRetry: opts.autoRetry,
      ...(opts.maxRetries === undefined ? {} : { maxRetries: opts.maxRetries }),
      ...(opts.maxRetryDelay === undefined ? {} : { maxRetryDelay: opts.maxRetryDelay }),
    });
    this.observer = opts.observe;
    this.viaSdk = Boolean(process.env['HTTP_PROXY']);
    const max = opts.maxSockets ?? 64;
    // Idle sockets close after 4 s, before a Node server's default 5 s keep-alive drops them under a
    // request; the request deadline is our own timer, not a socket timeout.
    const pool = { keepAlive: true, keepAliveMsecs: 1000, maxSockets: max, maxFreeSockets: max, scheduling: 'lifo' as const, timeout: 4000 };
    this.httpAgent = new HttpAgent(pool);
    // TLS verification stays on (Node's default); TWILIO_CA_BUNDLE adds a CA file as the SDK does.
    const caFile = process.env['TWILIO_CA_BUNDLE'];
    this.httpsAgent = new HttpsAgent({ ...pool, ...(caFile === undefined ? {} : { ca: readFileSync(caFile) }) });
  }

  override async request<TData>(opts: SdkRequestClient.RequestOptions<TData>): Promise<SdkResponse.default<TData>> {
    const observe = this.observer;
    if (observe === undefined) return this.dispatch(opts);
    const started = performance.now();
    const seen = (status: string, twilioCode: string): void =>
      observe({ method: opts.method.toUpperCase(), route: routeOf(opts.uri), seconds: (performance.now() - started) / 1000, status, twilioCode });
    try {
      const res = await this.dispatch(opts);
      seen(String(res.statusCode), res.statusCode >= 400 ? twilioCodeOf(res.body) : '');
      return res;
    } catch (e) {
      const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
      seen(typeof code === 'string' && code !== '' ? code : 'error', '');
      throw e;
    }
  }

  /** Stops keeping idle sockets (they would hold a test's server open for 4 s). */
  destroy(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private async dispatch<TData>(opts: SdkRequestClient.RequestOptions<TData>): Promise<SdkResponse.default<TData>> {
    if (this.viaSdk || opts.allowRedirects === true || opts.logLevel === 'debug') return super.request(opts);
    if (!opts.method) throw new Error('http method is required');
    if (!opts.uri) throw new Error('uri is required');
    const url = new URL(opts.uri);
    let path = url.pathname + url.search;
    if (opts.params !== undefined && opts.params !== null) {
      const query = formEncode(opts.params);
      if (query !== '') path += (url.search === '' ? '?' : '&') + query;
    }
    const headers: OutgoingHttpHeaders = { ...opts.headers };
    if (headers['Connection'] === undefined && headers['connection'] === undefined) headers['Connection'] = 'keep-alive';
    if (opts.username && opts.password) headers['Authorization'] = 'Basic ' + Buffer.from(opts.username + ':' + opts.password).toString('base64');
    else if (opts.authStrategy) headers['Authorization'] = await opts.authStrategy.getAuthString();
    // As the SDK: a body only in the two content types it encodes.
    let body: string | undefined;
    const type = headers['Content-Type'];
    if (opts.data) {
      if (type === 'application/x-www-form-urlencoded') body = formEncode(opts.data);
      else if (type === 'application/json') body = JSON.stringify(opts.data);
    }
    if (body !== undefined) headers['Content-Length'] = Buffer.byteLength(body);
    const timeout = opts.timeout || this.defaultTimeout;
    for (let retry = 1; ; retry++) {
      const res = await this.send(url, path, opts.method.toUpperCase(), headers, body, timeout);
      if (res.statusCode !== 429 || !this.autoRetry || retry > this.maxRetries) return new LeanResponse(res.statusCode, res.body as TData, res.headers);
      // The SDK's autoRetry: full-jitter backoff from 200 ms, capped at maxRetryDelay.
      await sleep(Math.floor(Math.min(this.maxRetryDelay, 100 * 2 ** retry) * Math.random()));
    }
  }

  private send(
    url: URL,
    path: string,
    method: string,
    headers: OutgoingHttpHeaders,
    body: string | undefined,
    timeout: number,
  ): Promise<{ statusCode: number; body: string; headers: IncomingHttpHeaders }> {
    const https = url.protocol === 'https:';
    if (!https && url.protocol !== 'http:') return Promise.reject(new Error(`unsupported protocol ${url.protocol} in ${url.origin}`));
    return new Promise((resolve, reject) => {
      const req = (https ? httpsRequest : httpRequest)({
        protocol: url.protocol,
        hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
        port: url.port,
        path,
        method,
        headers,
        agent: https ? this.httpsAgent : this.httpAgent,
      });
      // The whole exchange has one deadline; its error wins over the reset that destroying causes.
      const timer = setTimeout(() => {
        const e = timeoutError(timeout);
        reject(e);
        req.destroy(e);
      }, timeout);
      const fail = (e: Error): void => {
        clearTimeout(timer);
        reject(e);
      };
      req.on('error', fail);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        const stream = decoded(res);
        stream.on('data', (c: Buffer) => chunks.push(c));
        // A connection lost mid-answer errors the response (ECONNRESET, "aborted"); a bad encoding errors the decoder.
        res.on('error', fail);
        if (stream !== res) stream.on('error', fail);
        stream.on('end', () => {
          clearTimeout(timer);
          const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
          resolve({ statusCode: res.statusCode ?? 0, body: text, headers: res.headers });
        });
      });
      req.end(body);
    });
  }
}
