/** autocannon with per-response latencies (autocannon's own histogram rounds to whole ms). */
import autocannon from 'autocannon';
import { summary } from './report.ts';

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  errors: number;
  non2xx: number;
  latency: ReturnType<typeof summary>;
  /** Latencies grouped by the `kind` the caller's onBody assigned to each response. */
  byKind: Map<string, ReturnType<typeof summary>>;
  statusCounts: Record<string, number>;
}

export interface LoadSpec {
  url: string;
  connections: number;
  seconds: number;
  /** Builds each request (method, path, headers, body). */
  next?: () => { method: 'POST' | 'GET'; path: string; headers?: Record<string, string>; body?: string };
  /** Tells which kind a response was from its status and body (e.g. pause vs resume). */
  kindOf?: (status: number, body: string) => string;
  method?: 'POST' | 'GET';
  path?: string;
  body?: string;
  headers?: Record<string, string>;
  /** Requests per second over all connections (autocannon's overallRate); unset: as fast as answered. */
  overallRate?: number;
}

export async function load(spec: LoadSpec): Promise<LoadResult> {
  const lat: number[] = [];
  const kinds = new Map<string, number[]>();
  let lastKind = '';
  const statusCounts: Record<string, number> = {};
  const next = spec.next;
  const kindOf = spec.kindOf;
  const opts: autocannon.Options = {
    url: spec.url,
    connections: spec.connections,
    duration: spec.seconds,
    pipelining: 1,
    timeout: 30,
    ...(spec.overallRate !== undefined ? { overallRate: spec.overallRate } : {}),
    ...(next || kindOf
      ? {
          requests: [
            {
              ...(next
                ? {
                    setupRequest: (req: autocannon.Request) => {
                      const r = next();
                      return { ...req, method: r.method, path: r.path, headers: { ...(r.headers ?? {}) }, ...(r.body !== undefined ? { body: r.body } : {}) };
                    },
                  }
                : {
                    method: spec.method ?? 'GET',
                    path: spec.path ?? '/',
                    headers: spec.headers ?? {},
                    ...(spec.body !== undefined ? { body: spec.body } : {}),
                  }),
              // Runs synchronously just before the 'response' event of the same response.
              onResponse: (status: number, body: string) => {
                statusCounts[status] = (statusCounts[status] ?? 0) + 1;
                lastKind = kindOf ? kindOf(status, body) : '';
              },
            },
          ],
        }
      : { method: spec.method ?? 'GET', headers: spec.headers ?? {}, ...(spec.body !== undefined ? { body: spec.body } : {}) }),
  };
  const started = performance.now();
  // The callback form: its typings return the instance (whose 'response' events give latencies).
  const res = await new Promise<autocannon.Result>((resolve, reject) => {
    const inst = autocannon(opts, (err: unknown, result: autocannon.Result) =>
      err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(result),
    );
    inst.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => {
      lat.push(ms);
      if (kindOf) {
        let a = kinds.get(lastKind);
        if (!a) kinds.set(lastKind, (a = []));
        a.push(ms);
      }
    });
  });
  const seconds = (performance.now() - started) / 1000;
  const byKind = new Map<string, ReturnType<typeof summary>>();
  for (const [k, v] of kinds) byKind.set(k, summary(v));
  return {
    requests: lat.length,
    seconds,
    rps: lat.length / spec.seconds,
    errors: res.errors + res.timeouts,
    non2xx: res.non2xx,
    latency: summary(lat),
    byKind,
    statusCounts,
  };
}
