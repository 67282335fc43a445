import { spawn } from 'node:child_process';

export interface SystemProcess {
  readonly url: string;
  readonly engineUrl: string;
  /** `AccountSid:AuthToken` of the engine. */
  readonly engineAuth: string;
  stop(): Promise<void>;
}

/** Starts e2e/support/system.ts (engine + server + built desktop) as a child process and waits until it serves. */
export async function startSystemProcess(settings?: unknown): Promise<SystemProcess> {
  const env = { ...process.env, ...(settings === undefined ? {} : { E2E_SETTINGS: JSON.stringify(settings) }) };
  const child = spawn(process.execPath, ['--import', 'tsx', 'e2e/support/system.ts'], { stdio: ['ignore', 'pipe', 'inherit'], env });
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
  return {
    ...ready,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
