import { mkdtempSync } from 'node:fs';
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

export async function downloadWav(e: { url: string; accountSid: string; authToken: string }, recordingSid: string): Promise<{ wav: WavData; bytes: Buffer; contentType: string }> {
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
