import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * Starts the real system (engine + server + built desktop) once for the run and hands its URLs
 * to the specs through the environment. Returns the teardown that stops it.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!existsSync(resolve('packages/agent-desktop/dist/index.html'))) {
    throw new Error('the desktop is not built: run `npm run build` (npm run test:e2e does)');
  }
  const child = spawn(process.execPath, ['--import', 'tsx', 'e2e/support/system.ts'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const ready = await new Promise<{ url: string; engineUrl: string; engineAuth: string }>((ok, fail) => {
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      const m = /E2E_READY (\{.*\})/.exec(out);
      if (m?.[1] !== undefined) ok(JSON.parse(m[1]) as { url: string; engineUrl: string; engineAuth: string });
    });
    child.on('exit', (code) => fail(new Error(`the e2e system exited early (code ${code}):\n${out}`)));
  });
  process.env['E2E_BASE_URL'] = ready.url;
  process.env['E2E_ENGINE_URL'] = ready.engineUrl;
  process.env['E2E_ENGINE_AUTH'] = ready.engineAuth;
  return async () => {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
}
