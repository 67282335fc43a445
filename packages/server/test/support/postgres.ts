import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * A throwaway PostgreSQL cluster for tests: `initdb` in a temp folder, one server on a free loopback
 * port, removed on stop. Debian's PostgreSQL refuses to run as root, so as root the binaries run as
 * the `postgres` user (the folder is made theirs). No fixed ports, nothing left behind.
 */
export interface PostgresCluster {
  /** `postgres://postgres@127.0.0.1:PORT/postgres` (trust auth on loopback only). */
  readonly url: string;
  readonly port: number;
  /** A fresh, empty database on this cluster; returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Stops the server (fast shutdown) and keeps the data: `start()` brings it back on the same port. */
  stopServer(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and removes the folder. */
  stop(): Promise<void>;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], 'bin');
  }
  const found = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).stdout.trim();
  if (found) return found.replace(/\/initdb$/, '');
  throw new Error('PostgreSQL is not installed (no initdb): install Debian\'s "postgresql" package (bash .ci/run does)');
}

const asRoot = process.getuid?.() === 0;

/** As root, the `postgres` user's uid and gid (spawned directly, so signals reach postgres itself). */
function runAs(): { uid?: number; gid?: number } {
  if (!asRoot) return {};
  const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  if (!Number.isInteger(uid) || !Number.isInteger(gid) || uid === 0)
    throw new Error('running as root needs a "postgres" user (Debian\'s postgresql package creates it)');
  return { uid, gid };
}

function freePort(): Promise<number> {
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

async function waitReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited with ${child.exitCode}:\n${log()}`);
    const c = new pg.Client({ connectionString: url });
    // A connection that drops fails its query; without a listener it would also crash the test process.
    c.on('error', () => undefined);
    try {
      await c.connect();
      await c.query('SELECT 1');
      await c.end();
      return;
    } catch (e) {
      await c.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`postgres did not accept connections within 30 s: ${String(e)}\n${log()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

let databases = 0;

export async function startPostgres(): Promise<PostgresCluster> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), 'pg-test-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const user = runAs();
  if (user.uid !== undefined && user.gid !== undefined) chownSync(dir, user.uid, user.gid);
  const init = spawnSync(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C'], {
    encoding: 'utf8',
    cwd: dir,
    ...user,
  });
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed (${init.status}): ${init.stderr || init.stdout}`);
  }
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let child: ChildProcess | null = null;
  let output = '';

  const start = async (): Promise<void> => {
    // fsync off: a test cluster trades durability for speed (a crash of the *server* is what tests cause, not of the OS).
    const args = ['-D', data, '-h', '127.0.0.1', '-p', String(port), '-k', dir];
    for (const setting of ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off', 'max_connections=200']) args.push('-c', setting);
    output = '';
    const c = spawn(join(bin, 'postgres'), args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir, ...user });
    c.stdout.on('data', (d: Buffer) => (output += d.toString()));
    c.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child = c;
    await waitReady(url, c, () => output);
  };

  const stopServer = async (): Promise<void> => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise<void>((r) => c.once('exit', () => r()));
    // SIGINT is PostgreSQL's "fast" shutdown: disconnects clients, no waiting.
    c.kill('SIGINT');
    const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  // A test process that dies without stop() must not leave a server running or a folder behind.
  const onExit = (): void => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);

  await start();
  return {
    url,
    port,
    async createDatabase(name) {
      const db = name ?? `t${process.pid}_${++databases}_${Date.now().toString(36)}`;
      if (!/^[a-z_][a-z0-9_]*$/.test(db)) throw new Error(`bad database name ${db}`);
      const c = new pg.Client({ connectionString: url });
      c.on('error', () => undefined);
      await c.connect();
      try {
        await c.query(`CREATE DATABASE ${db}`);
      } finally {
        await c.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${db}`;
    },
    stopServer,
    start,
    async stop() {
      process.removeListener('exit', onExit);
      await stopServer();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
