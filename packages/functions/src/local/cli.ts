/**
 * `npm run functions` (start) and `npm run build -w @pause-recording/functions` (build).
 * start: ACCOUNT_SID, AUTH_TOKEN (or TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN) and ENGINE_URL from the
 * environment or packages/functions/.env; PORT (default 3000); every other variable of the
 * Functions passes through.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { buildFunctions, PACKAGE_DIR } from './build.ts';
import { startFunctions } from './start.ts';

const PASSED = [
  'TWILIO_REGION',
  'TWILIO_SERVICE_RETRY_LIMIT',
  'TWILIO_SERVICE_MIN_BACKOFF',
  'TWILIO_SERVICE_MAX_BACKOFF',
  'TWILIO_WORKSPACE_SID',
  'VALIDATE_WORKER_TASK',
  'FLEX_TOKEN_VALIDATION_URL',
  'TWILIO_API_BASE_URL',
];

async function main(command: string | undefined): Promise<void> {
  if (command === 'build') {
    console.log(`built ${await buildFunctions()}`);
    return;
  }
  if (command !== 'start') throw new Error('usage: cli.ts build | start');
  const file = join(PACKAGE_DIR, '.env');
  const vars: Record<string, string | undefined> = { ...(existsSync(file) ? parseEnv(readFileSync(file, 'utf8')) : {}), ...process.env };
  const port = Number(vars['PORT'] ?? 3000);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`PORT: must be a port number, got ${vars['PORT']}`);
  const env = Object.fromEntries(PASSED.flatMap((k) => (vars[k] !== undefined && vars[k] !== '' ? [[k, vars[k]]] : [])));
  const running = await startFunctions({
    accountSid: vars['ACCOUNT_SID'] ?? vars['TWILIO_ACCOUNT_SID'] ?? '',
    authToken: vars['AUTH_TOKEN'] ?? vars['TWILIO_AUTH_TOKEN'] ?? '',
    ...(vars['ENGINE_URL'] ? { engineUrl: vars['ENGINE_URL'] } : {}),
    port,
    env,
    inheritOutput: true,
  });
  console.log(`Functions on ${running.url}${vars['ENGINE_URL'] ? ` against the engine at ${vars['ENGINE_URL']}` : ' against Twilio'}`);
  const stop = () => void running.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main(process.argv[2]).catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
