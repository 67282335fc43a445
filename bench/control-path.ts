/**
 * Item 1: the control path. The embedded system in two child processes (voice engine; control
 * server pointed at it), N live calls each accepted by its own agent (a dual-channel recording
 * on the agent leg, as the default config says), then autocannon drives pause/resume cycles
 * through the task API (`POST /api/tasks/{sid}/recording/pause|resume`, the agent's bearer
 * token) round-robin over the tasks. Next to it, in the same run and with the same connections,
 * a bare fastify route and a bare node:http route (bench/lib/baseline-child.ts).
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pool, spawnChild, spawnEngine, type ChildStats, type EngineProc } from './lib/engine-proc.ts';
import { load, type LoadResult } from './lib/load.ts';
import { f, summary, table, type BenchOptions } from './lib/report.ts';
import { api } from './lib/http.ts';
import { ENGINE_GROUPS, summarizeProfile, type ProfileSummary } from './lib/cpu-profile.ts';

const SERVER_CHILD = fileURLToPath(new URL('./lib/server-child.ts', import.meta.url));
const BASELINE_CHILD = fileURLToPath(new URL('./lib/baseline-child.ts', import.meta.url));
/** Where the bench keeps what it does not commit: CPU profiles and their collapsed stacks. */
export const BENCH_OUT = fileURLToPath(new URL('../.tmp/bench/', import.meta.url));
export const CONNECTIONS = 10;
const EMPTY: LoadResult = { requests: 0, seconds: 0, rps: NaN, errors: 0, non2xx: 0, latency: summary([]), byKind: new Map(), statusCounts: {} };

interface GrantStats {
  enabled: boolean;
  lookups: Record<string, number>;
}

interface ReqTiming {
  path: string;
  start: number;
  end: number;
  provider: [number, number][];
}

export interface ControlRow {
  calls: number;
  setupSeconds: number;
  system: LoadResult;
  fastify: LoadResult;
  http: LoadResult;
  serverCpuMsPerReq: number;
  engineCpuMsPerReq: number;
  /** Engine requests (to the engine's HTTP server) per pause/resume, over the measured window. */
  engineRequestsPerReq: number;
  /**
   * Engine process CPU per engine request, without its audio clock: the window's engine CPU less
   * the idle rate (the same live calls, no load, one second just before) times the window, over the
   * engine requests handled; requests the engine still got in that second are solved for jointly.
   */
  engineCpuUsPerEngineReq: number;
  /** The engine's CPU with the level's calls live and no requests (% of a core): its audio clock. */
  engineIdleCpuPct: number;
  /** Provider requests per pause/resume and their sequential depth (from the server's own count). */
  rounds: { n: number; requestsMean: number; requestsMax: number; depthMean: number; depthMax: number; depth1Share: number };
  /** The TaskRouter grant cache over the window: on at its end, and TaskRouter authorization reads (cache misses) per pause/resume. */
  grants: { enabled: boolean; readsPerReq: number; hitShare: number };
  /** A CPU profile of the server over a separate window of the same load (null: not profiled at this level). */
  profile: { summary: ProfileSummary; path: string } | null;
  /** The engine's profile over the same window as the server's (its main thread; audio threads are not sampled). */
  engineProfile: { summary: ProfileSummary; path: string } | null;
  /** RSS after a forced GC, with the level's calls live. */
  serverRss: number;
  engineRss: number;
  /** The engine's event-loop delay and clock lag during the run: requests queue behind frame work. */
  engineLoopDelayP99Ms: number;
  engineLoopDelayMaxMs: number;
  engineMaxLagFrames: number;
  split: {
    serverTotal: ReturnType<typeof summary>;
    providerWait: ReturnType<typeof summary>;
    serverOwn: ReturnType<typeof summary>;
    providerCallsPerReq: number;
    providerCallMs: ReturnType<typeof summary>;
    engineHandlerMs: ReturnType<typeof summary>;
  };
}

function unionMs(iv: [number, number][]): number {
  const s = [...iv].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let curS = -Infinity;
  let curE = -Infinity;
  for (const [a, b] of s) {
    if (a > curE) {
      if (curE > curS) total += curE - curS;
      curS = a;
      curE = b;
    } else if (b > curE) curE = b;
  }
  if (curE > curS) total += curE - curS;
  return total;
}

const cpuMs = (a: ChildStats, b: ChildStats): number => (b.cpu.user + b.cpu.system - a.cpu.user - a.cpu.system) / 1000;

export interface BenchSystem {
  engine: EngineProc;
  server: EngineProc;
  url: string;
  tasks: { sid: string; token: string }[];
  /** What each task's next request is (pause or resume). */
  next: Map<string, 'pause' | 'resume'>;
  dataDir: string;
  close(): Promise<void>;
}

/** Starts engine + server (each in its own process) with `agents` bench agents and no calls. */
export async function startBenchSystem(agents: number, settings?: unknown): Promise<BenchSystem> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-control-'));
  const engine = await spawnEngine(join(dataDir, 'engine'), 'demo');
  const server = await spawnChild(SERVER_CHILD, [
    engine.url,
    engine.accountSid,
    engine.authToken,
    join(dataDir, 'server'),
    String(agents),
    ...(settings === undefined ? [] : [JSON.stringify(settings)]),
  ]);
  return {
    engine,
    server,
    url: server.url,
    tasks: [],
    next: new Map(),
    dataDir,
    async close() {
      await server.close();
      await engine.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Places and accepts calls until `n` are live: agent-i logs in, gets a simulated call, accepts. */
export async function addCalls(sys: BenchSystem, n: number, concurrency = 16): Promise<number> {
  const t0 = performance.now();
  const from = sys.tasks.length;
  const url = sys.url;
  const added = await pool(
    Array.from({ length: n - from }, (_, i) => i + from),
    concurrency,
    async (i) => {
      const login = await api(url, 'POST', '/api/auth/login', null, { identity: `agent-${i}`, password: 'bench' });
      if (login.status !== 200) throw new Error(`login agent-${i}: ${login.status} ${JSON.stringify(login.json)}`);
      const token = String(login.json['token']);
      const call = await api(url, 'POST', '/api/simulator/calls', token, { agent: `agent-${i}` });
      if (call.status !== 201) throw new Error(`simulated call: ${call.status} ${JSON.stringify(call.json)}`);
      const sid = String(call.json['taskSid']);
      const acc = await api(url, 'POST', `/api/tasks/${sid}/accept`, token);
      if (acc.status !== 200) throw new Error(`accept ${sid}: ${acc.status} ${JSON.stringify(acc.json)}`);
      return { sid, token };
    },
  );
  sys.tasks.push(...added);
  return (performance.now() - t0) / 1000;
}

/**
 * Round-robin pause/resume over the tasks. What each task needs next is kept per system across
 * runs (warm-up, then the measured run) and corrected from every answer (its taskSid and
 * status), so a request is never a no-op "pause an already paused task".
 */
function cycleSpec(sys: BenchSystem, seconds: number) {
  const { tasks } = sys;
  const next = sys.next;
  for (const t of tasks) if (!next.has(t.sid)) next.set(t.sid, 'pause');
  let k = 0;
  return {
    url: sys.url,
    connections: CONNECTIONS,
    seconds,
    next: () => {
      const t = tasks[k++ % tasks.length]!;
      const action = next.get(t.sid)!;
      next.set(t.sid, action === 'pause' ? 'resume' : 'pause');
      return {
        method: 'POST' as const,
        path: `/api/tasks/${t.sid}/recording/${action}`,
        headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
        body: '{}',
      };
    },
    kindOf: (status: number, body: string): string => {
      if (status !== 200) return `HTTP ${status}`;
      const sid = /"taskSid":"([A-Za-z0-9]+)"/.exec(body)?.[1];
      const s = /"status":"([a-z-]+)"/.exec(body)?.[1] ?? '?';
      if (sid !== undefined) next.set(sid, s === 'paused' ? 'resume' : 'pause');
      return s === 'paused' ? 'pause' : s === 'recording' ? 'resume' : s;
    },
  };
}

export interface Baselines {
  measure(seconds: number): Promise<{ fastify: LoadResult; http: LoadResult }>;
  /**
   * CPU (µs, this process's user+system time) one keep-alive node:http client request costs its
   * caller: POSTs to the bare node:http baseline, 4 at a time, nothing else running here. A floor
   * for the provider requests a pause makes (the SDK's own work and the transport's come on top).
   */
  clientFloorUs(requests: number): Promise<number>;
  close(): Promise<void>;
}

export async function startBaselines(): Promise<Baselines> {
  const b = await spawnChild(BASELINE_CHILD, []);
  const [fastifyUrl, httpUrl] = b.url.split(' ') as [string, string];
  const body = JSON.stringify({});
  const headers = { 'content-type': 'application/json' };
  let warm = false;
  return {
    async measure(seconds) {
      if (!warm) {
        await load({ url: fastifyUrl + '/bare', connections: CONNECTIONS, seconds: 1, method: 'POST', body, headers });
        await load({ url: httpUrl + '/bare', connections: CONNECTIONS, seconds: 1, method: 'POST', body, headers });
        warm = true;
      }
      const fastify = await load({ url: fastifyUrl + '/bare', connections: CONNECTIONS, seconds, method: 'POST', body, headers });
      const http = await load({ url: httpUrl + '/bare', connections: CONNECTIONS, seconds, method: 'POST', body, headers });
      return { fastify, http };
    },
    async clientFloorUs(requests) {
      const agent = new Agent({ keepAlive: true, maxSockets: 4 });
      const one = (): Promise<void> =>
        new Promise((resolve, reject) => {
          const req = request(`${httpUrl}/bare`, { method: 'POST', agent, headers }, (res) => {
            res.resume();
            res.on('end', resolve);
          });
          req.on('error', reject);
          req.end(body);
        });
      const lanes = async (n: number): Promise<void> => {
        await Promise.all(
          [0, 1, 2, 3].map(async () => {
            for (let i = 0; i < n / 4; i++) await one();
          }),
        );
      };
      try {
        await lanes(400);
        const c0 = process.cpuUsage();
        await lanes(requests);
        const c = process.cpuUsage(c0);
        return (c.user + c.system) / requests;
      } finally {
        agent.destroy();
      }
    },
    close: () => b.close(),
  };
}

/** Measures pause/resume cycles on the system's live calls, then the baselines right after. */
export async function measureControl(
  sys: BenchSystem,
  base: Baselines | { fastify: LoadResult; http: LoadResult },
  seconds: number,
  setupSeconds: number,
  log: (s: string) => void,
  warmupSeconds = 2,
): Promise<ControlRow> {
  const n = sys.tasks.length;
  await load(cycleSpec(sys, warmupSeconds));
  // The engine's cost with these calls live and no load (its audio clock), to take out below.
  const i0 = await sys.engine.stats();
  await new Promise((r) => setTimeout(r, 1000));
  const i1 = await sys.engine.stats();
  const idleS = (i1.wallMs - i0.wallMs) / 1000;
  const idleCpuMs = cpuMs(i0, i1);
  const idleRequests = (i1.httpRequests ?? 0) - (i0.httpRequests ?? 0);
  const g0 = (await sys.server.ask('grants')) as GrantStats;
  await sys.server.ask('splitStart');
  await sys.engine.ask('httpStart');
  await sys.engine.resetLag();
  const s0 = await sys.server.stats();
  const e0 = await sys.engine.stats();
  const system = await load(cycleSpec(sys, seconds));
  const s1 = await sys.server.stats();
  const e1 = await sys.engine.stats();
  const engineTimes = (await sys.engine.ask('httpStop')) as number[];
  const timings = (await sys.server.ask('splitStop')) as ReqTiming[];
  const rs = (await sys.server.ask('rounds')) as { requests: number; depth: number }[];
  const g1 = (await sys.server.ask('grants')) as GrantStats;
  const hits = (g1.lookups['hit'] ?? 0) - (g0.lookups['hit'] ?? 0);
  const misses = (g1.lookups['miss'] ?? 0) - (g0.lookups['miss'] ?? 0);
  await sys.server.gc();
  await sys.engine.gc();
  const sMem = await sys.server.stats();
  const eMem = await sys.engine.stats();
  const { fastify, http } = 'measure' in base ? await base.measure(seconds) : base;
  const totals = timings.map((t) => t.end - t.start);
  const engineRequests = (e1.httpRequests ?? 0) - (e0.httpRequests ?? 0);
  const windowS = (e1.wallMs - e0.wallMs) / 1000;
  // The server may still be sending the engine requests in the "idle" second (callbacks, syncs
  // after the warm-up): both windows are CPU = clock rate × seconds + per-request CPU × requests,
  // solved together for the two (with no request while idle, this is the window less the idle rate).
  const loadCpuMs = cpuMs(e0, e1);
  const perReqMs = (loadCpuMs * idleS - idleCpuMs * windowS) / (engineRequests * idleS - idleRequests * windowS);
  const engineCpuUsPerEngineReq = perReqMs * 1000;
  const idleCpuMsPerS = (idleCpuMs - perReqMs * idleRequests) / idleS;
  const waits = timings.map((t) => unionMs(t.provider));
  const row: ControlRow = {
    calls: n,
    setupSeconds,
    system,
    fastify,
    http,
    serverCpuMsPerReq: cpuMs(s0, s1) / system.requests,
    engineCpuMsPerReq: cpuMs(e0, e1) / system.requests,
    engineRequestsPerReq: engineRequests / system.requests,
    engineCpuUsPerEngineReq,
    engineIdleCpuPct: idleCpuMsPerS / 10,
    rounds: {
      n: rs.length,
      requestsMean: rs.reduce((a, r) => a + r.requests, 0) / (rs.length || 1),
      requestsMax: Math.max(0, ...rs.map((r) => r.requests)),
      depthMean: rs.reduce((a, r) => a + r.depth, 0) / (rs.length || 1),
      depthMax: Math.max(0, ...rs.map((r) => r.depth)),
      depth1Share: rs.filter((r) => r.depth === 1).length / (rs.length || 1),
    },
    grants: { enabled: g1.enabled, readsPerReq: misses / system.requests, hitShare: hits / (hits + misses || 1) },
    profile: null,
    engineProfile: null,
    serverRss: sMem.mem.rss,
    engineRss: eMem.mem.rss,
    engineLoopDelayP99Ms: e1.loopDelayP99Ms,
    engineLoopDelayMaxMs: e1.loopDelayMaxMs,
    engineMaxLagFrames: e1.maxLagFrames,
    split: {
      serverTotal: summary(totals),
      providerWait: summary(waits),
      serverOwn: summary(totals.map((t, i) => t - waits[i]!)),
      providerCallsPerReq: timings.reduce((a, t) => a + t.provider.length, 0) / (timings.length || 1),
      providerCallMs: summary(timings.flatMap((t) => t.provider.map(([a, b]) => b - a))),
      engineHandlerMs: summary(engineTimes),
    },
  };
  const p = system.byKind.get('pause');
  log(
    `control ${n} calls: ${f(system.rps, 0)} req/s (fastify ${f(fastify.rps, 0)}, http ${f(http.rps, 0)}), pause p50 ${f(p?.p50 ?? NaN, 2)} p99 ${f(p?.p99 ?? NaN, 2)} ms, ` +
      `non-2xx ${system.non2xx} errors ${system.errors} ${JSON.stringify(system.statusCounts)}, provider calls/req ${f(row.split.providerCallsPerReq, 2)}, ` +
      `server own p50 ${f(row.split.serverOwn.p50, 2)} ms, provider wait p50 ${f(row.split.providerWait.p50, 2)} ms, engine handler p50 ${f(row.split.engineHandlerMs.p50, 2)} ms, ` +
      `server CPU ${f(row.serverCpuMsPerReq * 1000, 0)} µs/req, engine CPU ${f(row.engineCpuMsPerReq, 2)} ms/req, ` +
      `engine ${f(row.engineRequestsPerReq, 2)} requests/req at ${f(engineCpuUsPerEngineReq, 0)} µs CPU each (idle ${f(row.engineIdleCpuPct, 1)}% of a core, ${idleRequests} requests while idle), ` +
      `provider requests/req ${f(row.rounds.requestsMean, 2)} depth mean ${f(row.rounds.depthMean, 2)} max ${row.rounds.depthMax}`,
  );
  return row;
}

/**
 * Profiles the server and the engine over `seconds` more of the same load (after the measured
 * window, so the profilers' own cost stays out of the figures). Keeps each `.cpuprofile` and its
 * collapsed stacks under .tmp/bench/ (not committed).
 */
export async function profileControl(
  sys: BenchSystem,
  seconds: number,
  log: (s: string) => void,
): Promise<{ server: ControlRow['profile']; engine: ControlRow['engineProfile'] }> {
  await sys.server.ask('profStart');
  await sys.engine.ask('profStart');
  await load(cycleSpec(sys, seconds));
  const serverPath = String(await sys.server.ask('profStop'));
  const enginePath = String(await sys.engine.ask('profStop'));
  mkdirSync(BENCH_OUT, { recursive: true });
  const keep = (from: string, who: string): string => {
    const path = join(BENCH_OUT, `control-${who}-${sys.tasks.length}-calls.cpuprofile`);
    copyFileSync(from, path);
    return path;
  };
  const sPath = keep(serverPath, 'server');
  const ePath = keep(enginePath, 'engine');
  const server = { path: sPath, summary: summarizeProfile(sPath) };
  const engine = { path: ePath, summary: summarizeProfile(ePath, 12, ENGINE_GROUPS) };
  for (const [who, p] of [
    ['server', server],
    ['engine', engine],
  ] as const) {
    log(
      `control ${sys.tasks.length} calls ${who} profile (${p.path}): ` +
        p.summary.areas
          .slice(0, 6)
          .map((a) => `${a.area} ${f(a.pct, 0)}%`)
          .join(', '),
    );
  }
  return { server, engine };
}

export async function runControlPath(opts: BenchOptions, log: (s: string) => void): Promise<{ rows: ControlRow[]; markdown: string; clientFloorUs: number }> {
  const levels = opts.quick ? [10, 100] : [10, 100, 1000];
  const seconds = opts.quick ? 2 : 5;
  const rows: ControlRow[] = [];
  let failureNote: string | null = null;
  let clientFloorUs = NaN;
  const base = await startBaselines();
  const sys = await startBenchSystem(levels[levels.length - 1]!);
  try {
    // Quick mode measures the baselines once (next to the last level) and shows them at every level.
    let shared: { fastify: LoadResult; http: LoadResult } | null = null;
    let failure: string | null = null;
    for (const n of levels) {
      let setup: number;
      try {
        setup = await addCalls(sys, n, 8);
      } catch (e) {
        // Report what was measured; the doc says why this level is missing.
        failure = `setting up ${n} live calls failed (${sys.tasks.length} were live): ${String(e).slice(0, 300)}`;
        log(`control: ${failure}`);
        break;
      }
      log(`control: ${n} calls live (${f(setup)} s to add)`);
      if (opts.quick && n !== levels[levels.length - 1]) {
        rows.push(await measureControl(sys, { fastify: EMPTY, http: EMPTY }, seconds, setup, log, 1));
      } else {
        const row = await measureControl(sys, base, seconds, setup, log, opts.quick ? 1 : 2);
        if (n === 100 || n === levels[levels.length - 1]) {
          const p = await profileControl(sys, opts.quick ? 1 : 2, log);
          row.profile = p.server;
          row.engineProfile = p.engine;
        }
        rows.push(row);
        shared = { fastify: row.fastify, http: row.http };
      }
    }
    if (shared) for (const r of rows) if (r.fastify === EMPTY) Object.assign(r, shared);
    if (failure !== null) failureNote = failure;
    clientFloorUs = await base.clientFloorUs(opts.quick ? 2000 : 8000);
    log(`control: one keep-alive node:http client request costs its caller ${f(clientFloorUs, 0)} µs of CPU`);
  } finally {
    await sys.close();
    await base.close();
  }
  if (rows.length === 0) throw new Error(failureNote ?? 'no level measured');
  const note =
    failureNote === null
      ? ''
      : `\n\n**Missing level:** ${failureNote}. The accept path waits on several engine round trips (add the agent's leg, poll it until answered, start the recording) with the server's 5 s per-request timeout to the engine; an engine whose clock is far behind real time answers late (see the engine section).`;
  return { rows, markdown: controlMarkdown(rows, seconds, opts.quick ? 1 : 2) + note, clientFloorUs };
}

function controlMarkdown(rows: ControlRow[], seconds: number, warmupS: number): string {
  const ms = (v: number): string => f(v, 2);
  const main = table(
    [
      'live calls',
      'task API pause+resume req/s',
      'bare fastify req/s',
      '× fastify',
      'bare node:http req/s',
      '× node:http',
      'pause p50 / p99 (ms)',
      'resume p50 / p99 (ms)',
      'fastify p50 / p99 (ms)',
      'node:http p50 / p99 (ms)',
      'pause p99 × fastify p99',
      'non-2xx / errors',
      'setup (s)',
    ],
    rows.map((r) => {
      const p = r.system.byKind.get('pause');
      const q = r.system.byKind.get('resume');
      return [
        r.calls,
        f(r.system.rps, 0),
        f(r.fastify.rps, 0),
        f(r.system.rps / r.fastify.rps, 3),
        f(r.http.rps, 0),
        f(r.system.rps / r.http.rps, 3),
        p ? `${ms(p.p50)} / ${ms(p.p99)}` : '–',
        q ? `${ms(q.p50)} / ${ms(q.p99)}` : '–',
        `${ms(r.fastify.latency.p50)} / ${ms(r.fastify.latency.p99)}`,
        `${ms(r.http.latency.p50)} / ${ms(r.http.latency.p99)}`,
        p ? f(p.p99 / r.fastify.latency.p99, 1) : '–',
        `${r.system.non2xx} / ${r.system.errors}`,
        f(r.setupSeconds, 0),
      ];
    }),
  );
  const split = table(
    [
      'live calls',
      'server total p50 / p99 (ms)',
      'waiting on engine round trips p50 / p99 (ms)',
      'server own work p50 / p99 (ms)',
      'provider requests per pause/resume: mean / max',
      'sequential depth: mean / max (share at 1)',
      'TaskRouter authorization reads per pause/resume (grant cache on?, hit share)',
      'one round trip as the SDK sees it p50 / p99 (ms)',
      'engine handler p50 / p99 (ms)',
      'engine event-loop delay p99 / max (ms); clock lag max (frames)',
      'server CPU per pause/resume (µs, process CPU time)',
      'engine CPU per request (ms, incl. its audio clock)',
      'engine requests per pause/resume; engine CPU per engine request (µs, less its idle audio clock: % of a core)',
      'server / engine RSS after GC (MB)',
    ],
    rows.map((r) => [
      r.calls,
      `${ms(r.split.serverTotal.p50)} / ${ms(r.split.serverTotal.p99)}`,
      `${ms(r.split.providerWait.p50)} / ${ms(r.split.providerWait.p99)}`,
      `${ms(r.split.serverOwn.p50)} / ${ms(r.split.serverOwn.p99)}`,
      `${f(r.rounds.requestsMean, 2)} / ${r.rounds.requestsMax}`,
      `${f(r.rounds.depthMean, 2)} / ${r.rounds.depthMax} (${f(100 * r.rounds.depth1Share, 0)}%)`,
      `${f(r.grants.readsPerReq, 2)} (${r.grants.enabled ? 'on' : 'off'}, ${f(100 * r.grants.hitShare, 0)}% hits)`,
      `${ms(r.split.providerCallMs.p50)} / ${ms(r.split.providerCallMs.p99)}`,
      `${ms(r.split.engineHandlerMs.p50)} / ${ms(r.split.engineHandlerMs.p99)}`,
      `${f(r.engineLoopDelayP99Ms, 1)} / ${f(r.engineLoopDelayMaxMs, 1)}; ${r.engineMaxLagFrames}`,
      f(r.serverCpuMsPerReq * 1000, 0),
      ms(r.engineCpuMsPerReq),
      `${f(r.engineRequestsPerReq, 2)}; ${f(r.engineCpuUsPerEngineReq, 0)} (${f(r.engineIdleCpuPct, 1)}%)`,
      `${f(r.serverRss / 2 ** 20, 0)} / ${f(r.engineRss / 2 ** 20, 0)}`,
    ]),
  );
  return `One embedded system (engine and server, each in its own child process) with calls added level by
level (the "setup" column: seconds to log in, place and accept the new calls). autocannon runs in the bench process with
${CONNECTIONS} connections for ${seconds} s per figure (after a ${warmupS} s warm-up), pipelining 1. Requests go round-robin over
the N tasks, each alternating pause and resume, with that task's agent's bearer token; the
baselines answer a POST with a small JSON body, measured right after the system with the same
connections and duration (in quick mode once, after the last level, and shown on every row). Latencies are per response, as autocannon's client sees them.

${main}

**Latency split** (same run; the server wraps each task-API request in an AsyncLocalStorage context
and times each provider call — the twilio SDK's HTTP round trip to the engine — inside it; the
engine times its own handlers from the request event to the end of the response, which leaves out
the time a request waits for the engine's event loop while it runs audio frames: that shows as
event-loop delay):

${split}

${rows
  .filter((r) => r.profile !== null)
  .map((r) => profileMarkdown(r))
  .join('\n\n')}

${rows
  .filter((r) => r.engineProfile !== null)
  .map((r) => engineProfileMarkdown(r))
  .join('\n\n')}`;
}

/** The flame-graph summary of one level: self time by area and the top functions. */
export function profileMarkdown(r: ControlRow): string {
  const p = r.profile!.summary;
  const file = r.profile!.path.replace(/^.*\/\.tmp\//, '.tmp/');
  return `**Where the server's CPU goes at ${r.calls} live calls** (V8 sampling profile of the server process over a
further ${f(p.totalMs / 1000, 1)} s of the same load, ${f(p.busyMs, 0)} ms busy; self time; \`${file}\` and its \`.collapsed\`
stacks for a flame graph are left in the bench output, not committed):

${table(
  ['stack group (inclusive; groups overlap)', '% of busy'],
  p.groups.map((g) => [g.group, f(g.pct, 1)]),
)}

${table(
  ['area', 'self ms', '% of busy'],
  p.areas.slice(0, 12).map((a) => [a.area, f(a.selfMs, 0), f(a.pct, 1)]),
)}

${table(
  ['top self-time function', 'where', 'self ms', '% of busy'],
  p.topFunctions.map((t) => [`\`${t.name.replaceAll('|', '\\|')}\``, t.where.replaceAll('|', '\\|'), f(t.selfMs, 1), f(t.pct, 1)]),
)}`;
}

/** The engine's side of the same profiled window: where its CPU per engine request goes. */
export function engineProfileMarkdown(r: ControlRow): string {
  const p = r.engineProfile!.summary;
  const file = r.engineProfile!.path.replace(/^.*\/\.tmp\//, '.tmp/');
  return `**Where the engine's CPU goes at ${r.calls} live calls** (V8 sampling profile of the engine's main thread over the same
window, ${f(p.busyMs, 0)} ms busy; the audio threads are not sampled; self time; \`${file}\`; ${f(r.engineCpuUsPerEngineReq, 0)} µs of
engine CPU per engine request in the measured window):

${table(
  ['stack group (inclusive; groups overlap)', '% of busy'],
  p.groups.map((g) => [g.group, f(g.pct, 1)]),
)}

${table(
  ['top self-time function', 'where', 'self ms', '% of busy'],
  p.topFunctions.map((t) => [`\`${t.name.replaceAll('|', '\\|')}\``, t.where.replaceAll('|', '\\|'), f(t.selfMs, 1), f(t.pct, 1)]),
)}`;
}
