/**
 * The system under test, as `npm start` runs it: voice-engine and the control server on free
 * loopback ports, serving the built desktop. Run by global-setup as a child process (tsx); prints
 * one `E2E_READY {json}` line when both answer, and shuts down cleanly on SIGTERM.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createLogger, loadServerConfig, startServer } from '@pause-recording/server';
import { startEngine } from '@pause-recording/voice-engine';

/** What the e2e specs need switched on: both recording kinds (so one can fail alone) and both indicators. */
const DEFAULT_SETTINGS = {
  features: {
    pause_recording: { enabled: true, include_silence: true, indicator_banner: true, indicator_permanent: true, reminder_seconds: 600, max_pause_seconds: 0 },
    dual_channel_recording: { enabled: true, channel: 'worker' },
  },
  call_recording_enabled: true,
};

// A spec that needs other settings (short reminder and auto-resume) starts its own system with E2E_SETTINGS.
const SETTINGS: unknown = process.env['E2E_SETTINGS'] === undefined ? DEFAULT_SETTINGS : JSON.parse(process.env['E2E_SETTINGS']);

const dataDir = mkdtempSync(join(tmpdir(), 'e2e-system-'));
// A Twilio-shaped auth token (32 hex digits): the Functions under twilio-run (flex-plugin spec) refuse any other.
const engine = await startEngine({ dataDir: join(dataDir, 'engine'), audio: 'demo', devRoutes: true, authToken: randomBytes(16).toString('hex') });
const config = loadServerConfig(
  {
    PORT: '0',
    DATA_DIR: join(dataDir, 'server'),
    ENGINE_URL: engine.url,
    TWILIO_ACCOUNT_SID: engine.accountSid,
    TWILIO_AUTH_TOKEN: engine.authToken,
    // A failing recording must give up quickly so the alarm spec does not wait on retries.
    TWILIO_TIMEOUT_MS: '1000',
    TWILIO_RETRY_BUDGET_MS: '1500',
    DESKTOP_DIR: resolve('packages/agent-desktop/dist'),
    CONFIG: 'settings.json',
  },
  () => JSON.stringify(SETTINGS),
);
const server = await startServer(config, { logger: createLogger(process.env['E2E_LOG_LEVEL'] ?? 'warn') });
console.log(`E2E_READY ${JSON.stringify({ url: server.url, engineUrl: engine.url, engineAuth: `${engine.accountSid}:${engine.authToken}` })}`);

let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  await engine.close();
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
