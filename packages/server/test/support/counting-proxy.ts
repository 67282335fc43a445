/**
 * A real HTTP proxy in front of the engine that records every request the server's SDK makes and
 * answers them in waves: it holds every answer until no new request has arrived for a quiet
 * period, then releases them all together. Requests sent together land in one wave; a request
 * that needed an earlier answer lands in a later one. So the wave of each request is its
 * sequential depth (issue 13: one round trip per pause when every recording is known), measured
 * by cause rather than by the clock, however fast the engine answers.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEngine, type RunningEngine } from '@pause-recording/voice-engine';
import { startSystem, type System, type SystemOptions } from './system.ts';

export interface ProxiedRequest {
  readonly method: string;
  readonly path: string;
  /** The wave (1, 2, ...) the answer was released in. */
  wave: number;
}

export interface CountingProxy {
  readonly url: string;
  /** Requests seen so far, in the order they arrived. */
  readonly requests: readonly ProxiedRequest[];
  close(): Promise<void>;
}

/** Sequential depth of a set of requests: how many waves of answers they needed. */
export function sequentialDepth(requests: readonly ProxiedRequest[]): number {
  return new Set(requests.map((r) => r.wave)).size;
}

/** `quietMs`: how long nothing new may happen before the held answers go out together. */
export async function startCountingProxy(target: string, quietMs = 150): Promise<CountingProxy> {
  const requests: ProxiedRequest[] = [];
  const held: (() => void)[] = [];
  let outstanding = 0;
  let wave = 1;
  let timer: NodeJS.Timeout | undefined;
  // A wave goes out only when every request that arrived has its engine answer and nothing new came.
  const quiet = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (held.length === 0 || held.length < outstanding) return;
      const out = held.splice(0);
      outstanding -= out.length;
      for (const send of out) send();
      wave++;
    }, quietMs);
  };
  const t = new URL(target);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const seen: ProxiedRequest = { method: req.method ?? '', path: req.url ?? '', wave: 0 };
    requests.push(seen);
    outstanding++;
    quiet();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const up = httpRequest({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers: { ...req.headers, host: t.host } }, (answer) => {
        const body: Buffer[] = [];
        answer.on('data', (c: Buffer) => body.push(c));
        answer.on('end', () => {
          held.push(() => {
            seen.wave = wave;
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(Buffer.concat(body));
          });
          quiet();
        });
      });
      up.on('error', () => req.socket.destroy());
      up.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export interface ProxiedSystem {
  readonly s: System;
  readonly engine: RunningEngine;
  readonly proxy: CountingProxy;
  /** Stops the server, the proxy and the engine. */
  close(): Promise<void>;
}

/**
 * A system whose server reaches its engine (stamped audio, dev routes) only through a counting
 * proxy; no periodic reconciliation, so every request counted is the one under test's.
 */
export async function startProxiedSystem(o: { settings: SystemOptions['settings']; env?: Record<string, string>; quietMs?: number }): Promise<ProxiedSystem> {
  const engine = await startEngine({ dataDir: mkdtempSync(join(tmpdir(), 'proxied-')), audio: 'stamped', devRoutes: true });
  const proxy = await startCountingProxy(engine.url, o.quietMs);
  const s = await startSystem({ settings: o.settings, engine, env: { ENGINE_URL: proxy.url, ...o.env }, server: { reconcileIntervalMs: 600_000 } }).catch(
    async (e: unknown) => {
      await proxy.close();
      await engine.close();
      throw e;
    },
  );
  return {
    s,
    engine,
    proxy,
    close: async () => {
      await s.close();
      await proxy.close();
      await engine.close();
    },
  };
}

/**
 * What one task API call made the provider do: the requests the proxy saw while it ran, their
 * sequential depth and how many were updates. TaskRouter requests (`/v1/Workspaces/...`, the
 * authorization, docs/architecture.md) are counted apart.
 */
export async function countedCall(p: ProxiedSystem, path: string, token: string) {
  const from = p.proxy.requests.length;
  const r = await p.s.api('POST', path, { token });
  const all = p.proxy.requests.slice(from);
  const reqs = all.filter((q) => !q.path.startsWith('/v1/Workspaces'));
  return {
    r,
    taskRouter: all.length - reqs.length,
    requests: reqs.length,
    depth: sequentialDepth(reqs),
    updates: reqs.filter((q) => q.method === 'POST').length,
  };
}
