/**
 * `npm start`'s script as a real child process: it serves the system, demo customers call in,
 * an agent can take a call and pause it, and SIGINT (Ctrl+C) shuts down cleanly with the open
 * recording finished into a valid WAV file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readWav } from '@pause-recording/voice-engine/audio';

const ROOT = resolve(import.meta.dirname, '../../..');

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? res(addr.port) : rej(new Error('no port'))));
    });
  });
}

let child: ChildProcess | null = null;
afterEach(() => {
  if (child !== null && child.exitCode === null) child.kill('SIGKILL');
  child = null;
});

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('npm start', () => {
  it('serves the system with demo calls and stops cleanly on SIGINT, finishing recordings', async () => {
    const [port, enginePort] = [await freePort(), await freePort()];
    const dataDir = mkdtempSync(join(tmpdir(), 'npm-start-'));
    child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
      cwd: ROOT,
      // Only what a shell would have: the test runner's own variables stay out.
      env: {
        PATH: process.env['PATH'],
        HOME: process.env['HOME'],
        PORT: String(port),
        ENGINE_PORT: String(enginePort),
        DATA_DIR: dataDir,
        SIMULATOR_INTERVAL_SECONDS: '1',
        DEMO_PASSWORD: 'pw',
        LOG_LEVEL: 'warn',
        AUDIO: 'stamped',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((r) => child?.on('exit', (code) => r(code)));

    await until('the banner', async () => out.includes('pause-recording is running')).catch((e: unknown) => {
      throw new Error(`${String(e)}; output so far:\n${out}`);
    });
    expect(out).toContain(`http://127.0.0.1:${port}`);
    expect(out).toContain('alice (agent), bob (agent), sam (supervisor)  password: pw');

    const base = `http://127.0.0.1:${port}`;
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identity: 'alice', password: 'pw' }),
    });
    const { token } = (await login.json()) as { token: string };
    const auth = { authorization: `Bearer ${token}` };
    // A demo customer calls in by itself and is offered to alice (the first free agent).
    const taskSid = await until('a demo call for alice', async () => {
      const r = (await (await fetch(`${base}/api/tasks`, { headers: auth })).json()) as { tasks: { sid: string; status: string }[] };
      return r.tasks.find((t) => t.status === 'reserved')?.sid;
    });
    expect((await fetch(`${base}/api/tasks/${taskSid}/accept`, { method: 'POST', headers: auth })).status).toBe(200);
    const paused = (await (await fetch(`${base}/api/tasks/${taskSid}/recording/pause`, { method: 'POST', headers: auth })).json()) as {
      status: string;
      recordings: { sid: string }[];
    };
    expect(paused.status).toBe('paused');

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out).toContain('stopped cleanly');
    // The recording that was open (and paused) at Ctrl+C is a complete WAV file.
    const recSid = paused.recordings[0]!.sid;
    const files = readdirSync(join(dataDir, 'engine', 'recordings'));
    expect(files).toContain(`${recSid}.wav`);
    const wav = readWav(readFileSync(join(dataDir, 'engine', 'recordings', `${recSid}.wav`)));
    expect(wav.channels).toBe(2);
    expect(wav.frames).toBeGreaterThan(0);
  });
});
