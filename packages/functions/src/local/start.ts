import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { accountSidProblem, authTokenProblem } from '../lib/config.ts';
import { buildFunctions, PACKAGE_DIR } from './build.ts';

export interface StartFunctionsOptions {
  readonly accountSid: string;
  /** 32 letters and digits, as Twilio's (twilio-run and the runtime refuse anything else). */
  readonly authToken: string;
  /** The embedded engine: the Functions' REST client and their Flex token validation go there. Unset: Twilio itself. */
  readonly engineUrl?: string;
  /** 0 or unset: a free loopback port. */
  readonly port?: number;
  /** More of the Functions' variables (VALIDATE_WORKER_TASK, TWILIO_WORKSPACE_SID, TWILIO_SERVICE_RETRY_LIMIT, ...). */
  readonly env?: Readonly<Record<string, string>>;
  /** Pass twilio-run's output through (the CLI does; tests keep it unless it fails). */
  readonly inheritOutput?: boolean;
  /** Build the Functions first (default true). */
  readonly build?: boolean;
  /** twilio-run's default (true) runs each request in a forked process, as Twilio does; false runs them in its own process (faster). */
  readonly forkProcess?: boolean;
}

export interface RunningFunctions {
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** What twilio-run printed (when not passed through). */
  output(): string;
  stop(): Promise<void>;
}

/** Refuses a configuration twilio-run would only reject at the first request. */
export function configProblems(o: Pick<StartFunctionsOptions, 'accountSid' | 'authToken' | 'env'>): string[] {
  const problems = [accountSidProblem(o.accountSid), authTokenProblem(o.authToken)].filter((p): p is string => p !== null);
  for (const [k, v] of Object.entries(o.env ?? {})) {
    if (!/^[A-Z_][A-Z0-9_]*$/.test(k)) problems.push(`${k}: not a variable name (capital letters, digits and _)`);
    if (/[\r\n]/.test(v)) problems.push(`${k}: a value cannot span lines`);
  }
  return problems;
}

let starts = 0;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function twilioRunBin(): string {
  const require = createRequire(join(PACKAGE_DIR, 'package.json'));
  return join(require.resolve('twilio-run/package.json'), '..', 'bin', 'twilio-run.js');
}

/**
 * Runs the Functions under the real `twilio-run start` (a child process, bound to loopback, a
 * fresh `.env` written for it), pointed at the engine when `engineUrl` is given, and waits until
 * it answers HTTP.
 */
export async function startFunctions(o: StartFunctionsOptions): Promise<RunningFunctions> {
  const problems = configProblems(o);
  if (problems.length > 0) throw new Error(`invalid Functions configuration:\n  - ${problems.join('\n  - ')}`);
  // Each start builds into its own folder: parallel starts (test files, the e2e) must not delete
  // the Functions another twilio-run is loading. Inside the package, so `require('twilio')` resolves.
  const runDir = o.build !== false ? join(PACKAGE_DIR, 'dist', `run-${process.pid}-${++starts}-${Date.now().toString(36)}`) : null;
  if (runDir !== null) await buildFunctions(runDir);
  const functionsFolder = runDir !== null ? relative(PACKAGE_DIR, join(runDir, 'functions')) : 'dist/functions';
  const port = o.port !== undefined && o.port !== 0 ? o.port : await freePort();
  const env: Record<string, string> = {
    ACCOUNT_SID: o.accountSid,
    AUTH_TOKEN: o.authToken,
    ...(o.engineUrl !== undefined ? { TWILIO_API_BASE_URL: o.engineUrl, FLEX_TOKEN_VALIDATION_URL: o.engineUrl } : {}),
    ...o.env,
  };
  const envFile = join(mkdtempSync(join(tmpdir(), 'functions-env-')), '.env');
  writeFileSync(
    envFile,
    Object.entries(env)
      .map(([k, v]) => `${k}=${v}\n`)
      .join(''),
    { mode: 0o600 },
  );
  const args = [
    '--import',
    pathToFileURL(join(PACKAGE_DIR, 'src/local/preload.mjs')).href,
    twilioRunBin(),
    'start',
    '--cwd',
    PACKAGE_DIR,
    '--functions-folder',
    functionsFolder,
    '--port',
    String(port),
    '--env',
    envFile,
    ...(o.forkProcess === false ? ['--no-fork-process'] : []),
  ];
  const child = spawn(process.execPath, args, {
    cwd: PACKAGE_DIR,
    stdio: ['ignore', o.inheritOutput ? 'inherit' : 'pipe', o.inheritOutput ? 'inherit' : 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  let exited: number | null | undefined;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exited = code;
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const removeRunDir = (): void => {
    if (runDir !== null) rmSync(runDir, { recursive: true, force: true });
  };
  const stop = async () => {
    if (exited === undefined) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(timer);
    }
    removeRunDir();
  };
  const until = Date.now() + 60_000;
  for (;;) {
    if (exited !== undefined) {
      removeRunDir();
      throw new Error(`twilio-run exited (code ${exited}) before it listened:\n${output}`);
    }
    try {
      await fetch(`${url}/`, { signal: AbortSignal.timeout(2000) });
      break;
    } catch {
      if (Date.now() > until) {
        await stop();
        throw new Error(`twilio-run did not listen on ${url} within 60 s:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { url, port, child, output: () => output, stop };
}
