import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import twilio from 'twilio';
import { startEngine, type RunningEngine, type StartEngineOptions } from '../src/index.ts';
import { readWav, type WavData } from '../src/audio/wav-read.ts';

export function tempDir(prefix = 'engine-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function testEngine(opts: Partial<StartEngineOptions> = {}): Promise<RunningEngine> {
  // Tests drive inbound calls and read capture logs through the dev routes.
  return startEngine({ dataDir: tempDir(), audio: 'stamped', devRoutes: true, ...opts });
}

/** The official SDK pointed at the engine, exactly as the server does it. */
export function sdkFor(e: { url: string; accountSid: string; authToken: string }): twilio.Twilio {
  const client = twilio(e.accountSid, e.authToken, { region: '', edge: '' });
  client.api.baseUrl = e.url;
  return client;
}

export async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Simulated seconds on the engine's clock, in real time. */
export function sleepSim(e: RunningEngine, seconds: number): Promise<void> {
  return new Promise((r) => setTimeout(r, e.clock.wallMsFor(seconds * 50)));
}

export async function downloadWav(
  e: { url: string; accountSid: string; authToken: string },
  recordingSid: string,
): Promise<{ wav: WavData; bytes: Buffer; contentType: string }> {
  const res = await fetch(`${e.url}/2010-04-01/Accounts/${e.accountSid}/Recordings/${recordingSid}.wav`, {
    headers: { authorization: `Basic ${Buffer.from(`${e.accountSid}:${e.authToken}`).toString('base64')}` },
  });
  if (res.status !== 200) throw new Error(`media answered ${res.status}: ${await res.text()}`);
  const bytes = Buffer.from(await res.arrayBuffer());
  return { wav: readWav(bytes), bytes, contentType: res.headers.get('content-type') ?? '' };
}

/** Raw form-encoded request with Basic auth, for paths and parameters the SDK will not send. */
export async function api(
  e: { url: string; accountSid: string; authToken: string },
  method: string,
  path: string,
  params?: Record<string, string | string[]>,
  auth: string = `${e.accountSid}:${e.authToken}`,
): Promise<{ status: number; body: unknown; text: string }> {
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) for (const x of Array.isArray(v) ? v : [v]) form.append(k, x);
  const res = await fetch(`${e.url}${path}`, {
    method,
    headers: {
      authorization: `Basic ${Buffer.from(auth).toString('base64')}`,
      ...(params ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
    },
    ...(params ? { body: form.toString() } : {}),
  });
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  return { status: res.status, body, text };
}

export const STAY = '<Response><Pause length="3600"/></Response>';

export interface EngineRoute {
  method: string;
  /** Fastify's pattern, e.g. `/2010-04-01/Accounts/:AccountSid/Calls/:CallSid/Recordings.json`. */
  url: string;
}

/**
 * Every route (HEAD included) the engine's Fastify instance serves, read from its router, so a
 * route added later is covered by the security tests without being named in them.
 */
export function routesOf(e: RunningEngine): EngineRoute[] {
  const out: EngineRoute[] = [];
  const stack: string[] = [];
  for (const line of e.app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^((?:│ {3}| {4})*)(?:├── |└── )(\S+)(?: \(([^)]*)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    // `:file|:CallSid`: one segment that routes declare with different parameter names.
    const segment = m[2]!.replace(/:([A-Za-z_]+)(?:\|:[A-Za-z_]+)+/g, ':$1');
    stack.length = depth;
    const url = (stack[depth - 1] ?? '') + segment;
    stack[depth] = url;
    for (const method of (m[3] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''))
      out.push({ method, url });
  }
  return out;
}

/** A request exactly as given: no URL normalisation on the client side (fetch would undo `..`). */
export function rawRequest(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; text: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        method,
        path,
        headers: { ...headers, ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

export const basicAuth = (user: string, pass: string): Record<string, string> => ({
  authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`,
});
