/**
 * Test support: a real voice engine and a real control server on loopback ports, real SQLite
 * files in a temp folder, real HTTP between them. Used by the server's integration tests.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import twilio from 'twilio';
import { startEngine, type RunningEngine } from '@pause-recording/voice-engine';
import { loadServerConfig } from '../../src/config/server-config.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { startServer, type RunningServer, type StartOptions } from '../../src/server.ts';

export interface System {
  readonly engine: RunningEngine;
  readonly server: RunningServer;
  readonly url: string;
  readonly dataDir: string;
  login(identity: string, password?: string): Promise<string>;
  api(
    method: string,
    path: string,
    o?: { token?: string; json?: unknown; form?: Record<string, string>; raw?: string; contentType?: string },
  ): Promise<ApiResult>;
  /** Posts a callback as Twilio would: form-encoded, signed with the account's auth token for this URL. */
  webhook(path: string, params: Record<string, string>): Promise<ApiResult>;
  /** Places a simulated call routed to `agent` and returns its task SID. */
  call(token: string, agent: string, durationSeconds?: number): Promise<string>;
  /** Places a call to `agent`, logs them in, accepts. */
  acceptedCall(agent: string): Promise<{ token: string; taskSid: string }>;
  close(): Promise<void>;
}

export interface ApiResult {
  readonly status: number;
  // Tests read into the JSON freely.
  readonly body: Record<string, unknown> & { error?: { code: string; message: string; field?: string } };
  readonly text: string;
  readonly headers: Headers;
}

export interface SystemOptions {
  /** The flex-config settings file's content. */
  readonly settings?: unknown;
  readonly env?: Record<string, string>;
  readonly speed?: number;
  readonly server?: StartOptions;
  /** Reuse a data folder (restart tests). */
  readonly dataDir?: string;
  /** Reuse a running engine (restart tests). */
  readonly engine?: RunningEngine;
  /** The engine's audio threads (default: the engine's own default). */
  readonly audioThreads?: number;
}

export async function startSystem(o: SystemOptions = {}): Promise<System> {
  const dataDir = o.dataDir ?? mkdtempSync(join(tmpdir(), 'server-test-'));
  // Production mode refuses the engine's public default token (startup-safety.ts): a secret one there.
  const production = o.env?.['SERVER_MODE'] === 'production' || o.env?.['NODE_ENV'] === 'production';
  const engine =
    o.engine ??
    (await startEngine({
      dataDir: join(dataDir, 'engine'),
      audio: 'stamped',
      speed: o.speed ?? 1,
      devRoutes: true,
      ...(o.audioThreads !== undefined ? { audioThreads: o.audioThreads } : {}),
      ...(production ? { authToken: randomBytes(18).toString('base64url') } : {}),
    }));
  const config = loadServerConfig(
    {
      PORT: '0',
      DATA_DIR: join(dataDir, 'server'),
      ENGINE_URL: engine.url,
      // Production-mode tests address the engine as "Twilio" and as the token validator.
      TWILIO_API_URL: engine.url,
      FLEX_VALIDATE_URL: engine.url,
      TWILIO_ACCOUNT_SID: engine.accountSid,
      TWILIO_AUTH_TOKEN: engine.authToken,
      // Generous enough for a loaded CI machine; tests of timeouts set their own.
      TWILIO_TIMEOUT_MS: '2000',
      TWILIO_RETRY_BUDGET_MS: '3000',
      CONFIG: 'settings.json',
      ...o.env,
    },
    () => JSON.stringify(o.settings ?? {}),
  );
  const server = await startServer(config, {
    logger: createLogger(process.env['TEST_LOG_LEVEL'] ?? 'silent'),
    retry: { baseDelayMs: 20, maxDelayMs: 200 },
    acceptWaitMs: 5000,
    ...o.server,
  });
  const url = server.url;
  let closed = false;
  const closeServer = server.close.bind(server);
  // Closing the server alone (restart tests) must not make the system close it twice.
  const running: RunningServer = Object.assign(Object.create(Object.getPrototypeOf(server) as object) as RunningServer, server, {
    close: async () => {
      if (closed) return;
      closed = true;
      await closeServer();
    },
  });

  const api: System['api'] = async (method, path, a = {}) => {
    const headers: Record<string, string> = {};
    if (a.token !== undefined) headers['authorization'] = `Bearer ${a.token}`;
    let body: string | undefined;
    if (a.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(a.json);
    } else if (a.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(a.form).toString();
    } else if (a.raw !== undefined) {
      headers['content-type'] = a.contentType ?? 'application/json';
      body = a.raw;
    }
    const res = await fetch(url + path, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await res.text();
    let parsed: ApiResult['body'] = {};
    try {
      parsed = text ? (JSON.parse(text) as ApiResult['body']) : {};
    } catch {
      parsed = {};
    }
    return { status: res.status, body: parsed, text, headers: res.headers };
  };

  const webhook: System['webhook'] = async (path, params) => {
    const signature = twilio.getExpectedTwilioSignature(engine.authToken, url + path, params);
    const res = await fetch(url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams(params).toString(),
    });
    const text = await res.text();
    return { status: res.status, body: {}, text, headers: res.headers };
  };

  const login = async (identity: string, password = 'demo'): Promise<string> => {
    const r = await api('POST', '/api/auth/login', { json: { identity, password } });
    if (r.status !== 200) throw new Error(`login ${identity}: ${r.status} ${r.text}`);
    return r.body['token'] as string;
  };

  const call = async (token: string, agent: string, durationSeconds?: number): Promise<string> => {
    const r = await api('POST', '/api/simulator/calls', { token, json: { agent, ...(durationSeconds ? { durationSeconds } : {}) } });
    if (r.status !== 201 || typeof r.body['taskSid'] !== 'string') throw new Error(`simulated call: ${r.status} ${r.text}`);
    return r.body['taskSid'];
  };

  return {
    engine,
    server: running,
    url,
    dataDir,
    login,
    api,
    webhook,
    call,
    async acceptedCall(agent) {
      const token = await login(agent);
      const taskSid = await call(token, agent);
      const r = await api('POST', `/api/tasks/${taskSid}/accept`, { token });
      if (r.status !== 200) throw new Error(`accept: ${r.status} ${r.text}`);
      return { token, taskSid };
    },
    async close() {
      // The engine first: its last status callbacks then reach a server that still listens.
      if (o.engine === undefined) await engine.close();
      await running.close();
    },
  };
}

export async function waitUntil<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs = 10_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The official SDK pointed at the system's engine, as the server's provider does it. */
export function sdk(s: System): twilio.Twilio {
  const c = twilio(s.engine.accountSid, s.engine.authToken, { region: '', edge: '' });
  c.api.baseUrl = s.engine.url;
  return c;
}
