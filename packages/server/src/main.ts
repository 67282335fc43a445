/**
 * `npm run server`: the control server alone, against ENGINE_URL (an engine started with
 * `npm run engine`) or, with SERVER_MODE=production, against Twilio. Configuration is read here, once.
 */
import { readFileSync } from 'node:fs';
import { ValidationError } from '@pause-recording/core';
import { loadServerConfig } from './config/server-config.ts';
import { startServer } from './server.ts';

let config;
try {
  config = loadServerConfig(process.env, (p) => readFileSync(p, 'utf8'));
} catch (e) {
  if (e instanceof ValidationError) {
    console.error(e.message);
    process.exit(2);
  }
  throw e;
}
// A refusal (demo or default credentials exposed, startup-safety.ts) is one message, not a stack trace.
const server = await startServer(config, config.simulator.audio === null ? {} : { simulatorAudio: config.simulator.audio }).catch((e: unknown) => {
  if (!(e instanceof ValidationError)) throw e;
  console.error(e.message);
  process.exit(2);
});
console.log(`control server listening on ${server.url} (${config.mode} mode)`);

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  server.close().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
