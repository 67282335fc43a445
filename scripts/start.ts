/**
 * `npm start`: the whole system on loopback. voice-engine (the local Twilio), the control
 * server, and the agent desktop's build when it exists; demo customers call in unless
 * SIMULATOR=off. Ctrl+C hangs up live calls, finishes open recordings and stops everything.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ValidationError } from '@pause-recording/core';
import { createLogger, loadServerConfig, startServer, type ServerConfig } from '@pause-recording/server';
import { startEngine } from '@pause-recording/voice-engine';

const desktopDist = resolve('packages/agent-desktop/dist');
let config: ServerConfig;
try {
  config = loadServerConfig({ ...(existsSync(join(desktopDist, 'index.html')) ? { DESKTOP_DIR: desktopDist } : {}), ...process.env }, (p) =>
    readFileSync(p, 'utf8'),
  );
} catch (e) {
  if (e instanceof ValidationError) {
    console.error(e.message);
    process.exit(2);
  }
  throw e;
}

const engine = await startEngine({
  dataDir: join(config.dataDir, 'engine'),
  port: config.enginePort,
  host: '127.0.0.1',
  audio: config.simulator.audio ?? 'demo',
  // A TWILIO_AUTH_TOKEN given is the engine's token too; the server's startup checks see the one in use.
  // Otherwise a fresh random token each run: the engine's public default would let any local user
  // with the (well-known) token read recordings or mint Flex tokens through the dev routes.
  authToken: process.env['TWILIO_AUTH_TOKEN'] ? config.twilio.authToken : randomBytes(16).toString('hex'),
  // The local contact center places its demo customers' calls through /dev/inbound-calls.
  devRoutes: true,
  // The server's webhooks live at its public URL when one is configured (loopback is always allowed).
  ...(config.publicUrl !== null ? { callbackOrigins: [config.publicUrl] } : {}),
});
const server = await startServer(
  {
    ...config,
    twilio: { ...config.twilio, apiBaseUrl: engine.url, accountSid: engine.accountSid, authToken: engine.authToken },
    flexValidateUrl: engine.url,
  },
  {
    // People read this terminal: one human line per log entry (LOG_FORMAT=json for the raw lines).
    logger: createLogger(config.logLevel, undefined, process.env['LOG_FORMAT'] === 'json' ? 'json' : 'pretty'),
    ...(config.simulator.audio === null ? {} : { simulatorAudio: config.simulator.audio }),
    ...(config.simulator.autoCalls ? { demoCallIntervalMs: config.simulator.intervalSeconds * 1000 } : {}),
  },
).catch(async (e: unknown) => {
  await engine.close();
  // A refusal (demo or default credentials exposed) is one message, not a stack trace.
  if (e instanceof ValidationError) {
    console.error(e.message);
    process.exit(2);
  }
  throw e;
});

const users = server.users.list();
console.log(`
pause-recording is running
  open        ${server.url}${config.desktopDir === null ? '   (agent desktop not built: API only)' : ''}
  engine      ${engine.url}  (account ${engine.accountSid})
  data        ${resolve(config.dataDir)}
  logins      ${users.map((u) => `${u.identity} (${u.role})`).join(', ')}  password: ${config.app.users.length > 0 ? '(from config)' : config.auth.demoPassword}
  simulator   ${config.simulator.autoCalls ? `a customer calls every ${config.simulator.intervalSeconds} s while an agent is free` : 'off (POST /api/simulator/calls still works)'}
  Ctrl+C stops everything.
`);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: hanging up calls, finishing recordings...`);
  try {
    await engine.close();
    await server.close();
    console.log('stopped cleanly');
    process.exit(0);
  } catch (e) {
    console.error(e);
    process.exit(1);
  }
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
