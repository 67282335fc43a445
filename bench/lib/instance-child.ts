/**
 * One server instance of a cluster (issue 14) in its own process: the control server on
 * DATABASE_URL with a shared AUTH_SECRET, pointed at an engine child, with `agents` bench agents
 * (agent-0 … agent-N-1, password "bench"). Speaks engine-child's IPC protocol (ready / stats / close).
 */
import { startServer, loadServerConfig, createLogger, hashPassword, UserDirectory } from '@pause-recording/server';
import type { ChildStats, ToChild } from './engine-proc.ts';

const [engineUrl, accountSid, authToken, dataDir, agentsRaw, databaseUrl, authSecret] = process.argv.slice(2);
if (!engineUrl || !accountSid || !authToken || !dataDir || !agentsRaw || !databaseUrl || !authSecret) {
  console.error('usage: instance-child.ts ENGINE_URL ACCOUNT_SID AUTH_TOKEN DATA_DIR AGENTS DATABASE_URL AUTH_SECRET');
  process.exit(2);
}
// Cheap scrypt parameters: logging in the bench agents is setup, not what we measure.
const hash = await hashPassword('bench', { N: 1024, r: 8, p: 1 });
const users = new UserDirectory([
  ...Array.from({ length: Number(agentsRaw) }, (_, i) => ({ identity: `agent-${i}`, role: 'agent' as const, passwordHash: hash })),
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
    DATABASE_URL: databaseUrl,
    AUTH_SECRET: authSecret,
  },
  () => '{}',
);
const server = await startServer(config, { logger: createLogger('silent'), users, acceptWaitMs: 30_000 });

function stats(): ChildStats {
  const zero = { tick: 0, framesProcessed: 0, maxLagFrames: 0, lagNow: 0, liveCalls: 0, activeRecordings: 0, frameMsMax: 0, frameMsSum: 0, frameCount: 0 };
  return {
    ...zero,
    cpu: process.cpuUsage(),
    mem: process.memoryUsage(),
    wallMs: performance.now(),
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
    else if (m.type === 'close') {
      await server.close();
      process.send!({ type: 'ok', id: m.id });
      setTimeout(() => process.exit(0), 50);
    } else process.send!({ type: 'ok', id: m.id });
  })();
});

process.send!({ type: 'ready', url: server.url, accountSid, authToken, pid: process.pid });
