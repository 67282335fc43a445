/**
 * `npm run test:production` (part of `npm test`): proves the production build serves a working
 * system without the dev tree, as the README's Production section tells an operator to run it.
 *
 * 1. `npm run build` here (tsc compiles core, voice-engine, server and scripts/start.ts to
 *    JavaScript; vite builds the desktop).
 * 2. Copies the repository's files (tracked and untracked-but-not-ignored, plus the build
 *    outputs; no node_modules) to a temp folder and runs `npm ci --omit=dev` there. No tsx,
 *    no TypeScript, no vitest in that tree: the script checks they are absent.
 * 3. Starts `node dist/start.js` there on free loopback ports (the documented command; plain
 *    node, no loader) with NODE_ENV=production, real users in a settings file and random secrets,
 *    checks `/` serves the built desktop, logs in as an agent, accepts the
 *    demo call offered to them and pauses its recording through HTTP; SIGTERM, clean exit.
 * 4. The same with the parts alone: `node packages/voice-engine/dist/cli.js` and
 *    `node packages/server/dist/main.js` pointed at it (a demo call placed through the API).
 *
 * The build runs in this checkout (which already has the dev tree) rather than in a second full
 * install: one `npm ci` (with better-sqlite3's native build) is the slow part, and the copy is
 * what proves the built output runs without dev dependencies.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { hashPassword } from '@pause-recording/server';
import { api, freePort } from '../bench/lib/http.ts';

const ROOT = resolve(import.meta.dirname, '..');
const BUILD_OUTPUTS = ['dist', 'packages/core/dist', 'packages/voice-engine/dist', 'packages/server/dist', 'packages/agent-desktop/dist'];

function step(msg: string): void {
  console.log(`[production] ${msg}`);
}

function run(cmd: string, args: string[], cwd: string): void {
  const r = spawnSync(cmd, args, { cwd, stdio: 'inherit', env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) failed with ${r.status ?? r.signal}`);
}

/** Files git would hand to a fresh clone, plus untracked files not ignored (a change not yet committed). */
function sourceFiles(): string[] {
  const r = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ls-files failed: ${r.stderr}`);
  return r.stdout.split('\0').filter((f) => f !== '' && existsSync(join(ROOT, f)));
}

function copyTree(rel: string, into: string): void {
  const from = join(ROOT, rel);
  if (statSync(from).isDirectory()) {
    for (const name of readdirSync(from)) copyTree(join(rel, name), into);
    return;
  }
  mkdirSync(dirname(join(into, rel)), { recursive: true });
  copyFileSync(from, join(into, rel));
}

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, ms: number, log: () => string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; output so far:\n${log()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const PASSWORD = 'production-check';

interface Started {
  output: () => string;
  /** Resolves once the output contains `text`; fails with the output on timeout or early exit. */
  ready: (text: string) => Promise<void>;
  /** SIGTERM; expects exit 0 (and `text` in the output, when given). */
  stop: (text?: string) => Promise<void>;
  /** SIGKILL if still running (cleanup after a failure). */
  kill: () => void;
}

/** `node <args>` in `cwd`: plain node, no loader, no flags. */
function startNode(cwd: string, args: string[], env: NodeJS.ProcessEnv): Started {
  const child: ChildProcess = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const what = `node ${args[0] ?? ''}`;
  return {
    output: () => out,
    ready: async (text) => {
      await until(
        `"${text}" from ${what}`,
        async () => out.includes(text) || child.exitCode !== null,
        60_000,
        () => out,
      );
      if (!out.includes(text)) throw new Error(`${what} exited early with ${child.exitCode}:\n${out}`);
    },
    stop: async (text) => {
      child.kill('SIGTERM');
      const code = await exited;
      if (code !== 0 || (text !== undefined && !out.includes(text))) throw new Error(`${what} did not stop cleanly (exit ${code}):\n${out}`);
    },
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** The desktop is served at `/`; alice logs in, takes a demo call and pauses its recording over HTTP. */
async function pauseADemoCall(base: string, output: () => string, placeCall: boolean): Promise<void> {
  const page = await fetch(`${base}/`);
  const html = await page.text();
  if (page.status !== 200 || !html.includes('<div id="root">')) throw new Error(`GET / did not serve the built desktop: ${page.status} ${html.slice(0, 200)}`);
  const login = await api(base, 'POST', '/api/auth/login', null, { identity: 'alice', password: PASSWORD });
  const token = login.json['token'];
  if (login.status !== 200 || typeof token !== 'string') throw new Error(`login failed: ${login.status} ${JSON.stringify(login.json)}`);
  if (placeCall) {
    // The server alone runs no automatic demo calls: place one for alice.
    const placed = await api(base, 'POST', '/api/simulator/calls', token, { agent: 'alice', durationSeconds: 120 });
    if (placed.status !== 201) throw new Error(`placing a demo call failed: ${placed.status} ${JSON.stringify(placed.json)}`);
  }
  const taskSid = await until(
    'a demo call offered to alice',
    async () => {
      const r = await api(base, 'GET', '/api/tasks', token);
      const tasks = (r.json['tasks'] ?? []) as { sid: string; status: string }[];
      return tasks.find((t) => t.status === 'reserved')?.sid;
    },
    60_000,
    output,
  );
  const accepted = await api(base, 'POST', `/api/tasks/${taskSid}/accept`, token);
  if (accepted.status !== 200) throw new Error(`accept failed: ${accepted.status} ${JSON.stringify(accepted.json)}`);
  const paused = await api(base, 'POST', `/api/tasks/${taskSid}/recording/pause`, token);
  if (paused.status !== 200 || paused.json['status'] !== 'paused') throw new Error(`pause failed: ${paused.status} ${JSON.stringify(paused.json)}`);
  step(`GET / serves the desktop; alice accepted ${taskSid} and paused its recording (status ${String(paused.json['status'])})`);
}

async function main(): Promise<void> {
  step('npm run build');
  run('npm', ['run', 'build'], ROOT);

  const work = mkdtempSync(join(tmpdir(), 'production-build-'));
  const children: Started[] = [];
  try {
    step(`copying the repository and the build outputs to ${work}`);
    for (const f of sourceFiles()) copyTree(f, work);
    for (const out of BUILD_OUTPUTS) {
      if (!existsSync(join(ROOT, out))) throw new Error(`npm run build did not produce ${out}`);
      copyTree(out, work);
    }

    step('npm ci --omit=dev');
    run('npm', ['ci', '--omit=dev'], work);
    for (const dev of ['tsx', 'typescript', 'vitest', 'vite', '@playwright/test']) {
      if (existsSync(join(work, 'node_modules', dev))) throw new Error(`npm ci --omit=dev installed the dev dependency ${dev}`);
    }

    // NODE_ENV=production refuses demo users and default secrets (docs/configuration.md, Safe
    // defaults): real users in a settings file, a random session secret and engine auth token.
    const settings = join(work, 'production-settings.json');
    const users = [
      { identity: 'alice', role: 'agent', password_hash: await hashPassword(PASSWORD) },
      { identity: 'sam', role: 'supervisor', password_hash: await hashPassword(PASSWORD) },
    ];
    writeFileSync(settings, JSON.stringify({ users }), { mode: 0o600 });
    const engineToken = randomBytes(16).toString('hex');
    const env = (vars: Record<string, string>): NodeJS.ProcessEnv => ({
      // Only what an operator's shell would have: none of this runner's variables (no tsx loader in NODE_OPTIONS).
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? work,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      CONFIG: settings,
      AUTH_SECRET: randomBytes(32).toString('hex'),
      TWILIO_AUTH_TOKEN: engineToken,
      ...vars,
    });

    // The whole system in one process, as README's Production section runs it.
    const [port, enginePort] = [await freePort(), await freePort()];
    step(`node dist/start.js (server :${port}, engine :${enginePort})`);
    const system = startNode(
      work,
      ['dist/start.js'],
      env({ PORT: String(port), ENGINE_PORT: String(enginePort), DATA_DIR: join(work, 'data'), SIMULATOR_INTERVAL_SECONDS: '1' }),
    );
    children.push(system);
    await system.ready('pause-recording is running');
    await pauseADemoCall(`http://127.0.0.1:${port}`, system.output, false);
    await system.stop('stopped cleanly');
    step('node dist/start.js: SIGTERM, stopped cleanly');

    // The parts alone: the engine's CLI, and the server's entry pointed at it.
    const [port2, enginePort2] = [await freePort(), await freePort()];
    step(`node packages/voice-engine/dist/cli.js (:${enginePort2}) + node packages/server/dist/main.js (:${port2})`);
    const engine = startNode(
      work,
      [
        'packages/voice-engine/dist/cli.js',
        '--port',
        String(enginePort2),
        '--data',
        join(work, 'data-parts', 'engine'),
        '--auth-token',
        engineToken,
        '--dev-routes',
      ],
      env({}),
    );
    children.push(engine);
    await engine.ready('voice-engine listening on');
    const server = startNode(
      work,
      ['packages/server/dist/main.js'],
      env({ PORT: String(port2), ENGINE_PORT: String(enginePort2), DATA_DIR: join(work, 'data-parts'), DESKTOP_DIR: 'packages/agent-desktop/dist' }),
    );
    children.push(server);
    await server.ready('control server listening on');
    await pauseADemoCall(`http://127.0.0.1:${port2}`, server.output, true);
    await server.stop();
    await engine.stop();
    step('engine and server alone: SIGTERM, both stopped with exit 0');
    step('the production build serves a working system');
  } finally {
    for (const c of children) c.kill();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(`[production] FAILED: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
