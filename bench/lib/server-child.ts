/**
 * The control server in its own process, pointed at an engine child, with `agents` bench agents
 * (agent-0 … agent-N-1, password "bench") and no per-identity rate limit. Speaks the same IPC
 * protocol as engine-child (ready / stats / ok). `splitStart`/`splitStop` collect, per task-API
 * request, the server's total time and the time spent waiting on the provider (the twilio SDK
 * calls to the engine), attributed through AsyncLocalStorage.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startServer, loadServerConfig, createLogger, hashPassword, TwilioProvider, UserDirectory } from '@pause-recording/server';
import type { ChildStats, ToChild } from './engine-proc.ts';
import { startProfile } from './cpu-profile.ts';

const [engineUrl, accountSid, authToken, dataDir, agentsRaw, configJson] = process.argv.slice(2);
if (!engineUrl || !accountSid || !authToken || !dataDir || !agentsRaw) {
  console.error('usage: server-child.ts ENGINE_URL ACCOUNT_SID AUTH_TOKEN DATA_DIR AGENTS [SETTINGS_JSON]');
  process.exit(2);
}
const agents = Number(agentsRaw);
// Cheap scrypt parameters: logging in 1,000 bench agents is setup, not what we measure.
const hash = await hashPassword('bench', { N: 1024, r: 8, p: 1 });
const users = new UserDirectory([
  ...Array.from({ length: agents }, (_, i) => ({ identity: `agent-${i}`, role: 'agent' as const, passwordHash: hash })),
  { identity: 'boss', role: 'supervisor' as const, passwordHash: hash },
]);
const config = loadServerConfig(
  {
    PORT: '0',
    DATA_DIR: dataDir,
    ENGINE_URL: engineUrl,
    TWILIO_ACCOUNT_SID: accountSid,
    TWILIO_AUTH_TOKEN: authToken,
    CONFIG: 'settings.json',
    RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: 'silent',
  },
  () => configJson ?? '{}',
);
const server = await startServer(config, { logger: createLogger('silent'), users, acceptWaitMs: 30_000 });

interface ReqTiming {
  path: string;
  start: number;
  end: number;
  provider: [number, number][];
}
const als = new AsyncLocalStorage<ReqTiming>();
let split: ReqTiming[] | null = null;
// Provider requests and their sequential depth of every pause/resume while a split is open.
let rounds: { requests: number; depth: number }[] = [];
const roundsMap = server.recordingService.rounds;
const setRounds = roundsMap.set.bind(roundsMap);
roundsMap.set = (k, v) => {
  if (split !== null) rounds.push(v);
  return setRounds(k, v);
};
let stopProfile: ((path: string) => Promise<void>) | null = null;

// Run fastify's request handler inside an async context that belongs to the request.
const httpServer = server.app.server;
const handlers = httpServer.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
httpServer.removeAllListeners('request');
httpServer.on('request', (req: IncomingMessage, res: ServerResponse) => {
  const list = split;
  if (list === null || !req.url?.includes('/recording/')) {
    for (const h of handlers) h(req, res);
    return;
  }
  const t: ReqTiming = { path: req.url, start: performance.now(), end: NaN, provider: [] };
  res.once('finish', () => {
    t.end = performance.now();
    list.push(t);
  });
  als.run(t, () => {
    for (const h of handlers) h(req, res);
  });
});

// Time every provider call (the SDK round trips to the engine) and charge it to its request. The
// server's TwilioProvider runs these methods from its prototype, so wrapping them there times them all.
for (const name of ['listCallRecordings', 'listConferenceRecordings', 'fetchRecording', 'updateRecording', 'fetchCallStatus'] as const) {
  const orig: unknown = TwilioProvider.prototype[name];
  if (typeof orig !== 'function') continue;
  Object.defineProperty(TwilioProvider.prototype, name, {
    configurable: true,
    writable: true,
    value: async function (this: TwilioProvider, ...args: unknown[]): Promise<unknown> {
      const t = als.getStore();
      const s = performance.now();
      try {
        return await Reflect.apply(orig, this, args);
      } finally {
        t?.provider.push([s, performance.now()]);
      }
    },
  });
}

function stats(): ChildStats {
  return {
    tick: 0,
    framesProcessed: 0,
    maxLagFrames: 0,
    lagNow: 0,
    liveCalls: 0,
    activeRecordings: 0,
    cpu: process.cpuUsage(),
    mem: process.memoryUsage(),
    wallMs: performance.now(),
    frameMsMax: 0,
    frameMsSum: 0,
    frameCount: 0,
    framesOver5: 0,
    gcCount: 0,
    gcMs: 0,
    gcMaxMs: 0,
    loopDelayMaxMs: 0,
    loopDelayP99Ms: 0,
  };
}

process.on('message', (m: ToChild) => {
  void (async () => {
    if (m.type === 'stats') process.send!({ type: 'stats', id: m.id, stats: stats() });
    else if (m.type === 'splitStart') {
      split = [];
      rounds = [];
      process.send!({ type: 'ok', id: m.id });
    } else if (m.type === 'splitStop') {
      process.send!({ type: 'ok', id: m.id, data: split ?? [] });
      split = null;
    } else if (m.type === 'grants') {
      // The TaskRouter grant cache: on or off, and its hits and misses so far (a miss is a TaskRouter read).
      process.send!({ type: 'ok', id: m.id, data: { enabled: server.grants.enabled, lookups: await server.metrics.counts('grant-lookups') } });
    } else if (m.type === 'rounds') {
      process.send!({ type: 'ok', id: m.id, data: rounds });
    } else if (m.type === 'profStart') {
      stopProfile = await startProfile();
      process.send!({ type: 'ok', id: m.id });
    } else if (m.type === 'profStop') {
      const path = `${dataDir}/server-${Date.now()}.cpuprofile`;
      await stopProfile?.(path);
      stopProfile = null;
      process.send!({ type: 'ok', id: m.id, data: path });
    } else if (m.type === 'gc') {
      (globalThis as { gc?: () => void }).gc?.();
      process.send!({ type: 'ok', id: m.id });
    } else if (m.type === 'close') {
      await server.close();
      process.send!({ type: 'ok', id: m.id });
      setTimeout(() => process.exit(0), 50);
    } else process.send!({ type: 'ok', id: m.id });
  })();
});

process.send!({ type: 'ready', url: server.url, accountSid, authToken, pid: process.pid });
