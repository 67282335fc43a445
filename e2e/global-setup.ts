import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { startSystemProcess } from './support/system-process.ts';

/**
 * Starts the real system (engine + server + built desktop) once for the run and hands its URLs
 * to the specs through the environment. Returns the teardown that stops it.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!existsSync(resolve('packages/agent-desktop/dist/index.html'))) {
    throw new Error('the desktop is not built: run `npm run build` (npm run test:e2e does)');
  }
  const system = await startSystemProcess();
  process.env['E2E_BASE_URL'] = system.url;
  process.env['E2E_ENGINE_URL'] = system.engineUrl;
  process.env['E2E_ENGINE_AUTH'] = system.engineAuth;
  return () => system.stop();
}
