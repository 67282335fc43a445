/**
 * Item 7: startup and size. `npm start` = `npm run build` (vite build of the desktop) then
 * `tsx scripts/start.ts`. Both halves are timed separately: the build goes to a temp folder (so
 * this bench never rewrites packages/agent-desktop/dist under someone else's e2e run), then
 * scripts/start.ts runs with DESKTOP_DIR pointing at it, free ports, a temp DATA_DIR and
 * SIMULATOR=off, and we time spawn → first served page (GET / answers the desktop's HTML).
 * Then each route's HTML, JS and CSS are fetched and measured raw and gzipped.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { sleep } from './lib/engine-proc.ts';
import { f, table, type BenchOptions } from './lib/report.ts';
import { freePort } from './lib/http.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DESKTOP = join(ROOT, 'packages/agent-desktop');
const ROUTES = ['/', '/recordings', '/recordings/RE0123456789abcdef0123456789abcdef', '/supervisor', '/settings/shortcuts'];

export interface RouteSize {
  route: string;
  files: { name: string; raw: number; gzip: number }[];
  raw: number;
  gzip: number;
  wireEncoding: string;
}

export interface StartupResult {
  buildSeconds: number;
  startSeconds: number[];
  stopSeconds: number[];
  routes: RouteSize[];
  markdown: string;
}

async function startOnce(distDir: string, measureRoutes: boolean): Promise<{ start: number; stop: number; routes: RouteSize[] }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-start-'));
  const port = await freePort();
  const enginePort = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), ENGINE_PORT: String(enginePort), DATA_DIR: dataDir, SIMULATOR: 'off', DESKTOP_DIR: distDir, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let start = NaN;
  const base = `http://127.0.0.1:${port}`;
  try {
    const until = Date.now() + 60_000;
    while (Date.now() < until && child.exitCode === null) {
      try {
        const res = await fetch(base + '/');
        const text = await res.text();
        if (res.status === 200 && /<script[^>]+src=/.test(text)) {
          start = (performance.now() - t0) / 1000;
          break;
        }
      } catch {
        // not listening yet
      }
      await sleep(25);
    }
    if (!Number.isFinite(start)) throw new Error(`npm start did not serve a page within 60 s: ${stderr.slice(-500)}`);
    const routes: RouteSize[] = [];
    if (measureRoutes) {
      for (const route of ROUTES) {
        const res = await fetch(base + route, { headers: { 'accept-encoding': 'gzip, br' } });
        const html = await res.text();
        const files = [{ name: `${route} (HTML)`, body: Buffer.from(html) }];
        const refs = [...html.matchAll(/(?:src|href)="(\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
        let wire = res.headers.get('content-encoding') ?? 'identity';
        for (const ref of refs) {
          const r = await fetch(base + ref, { headers: { 'accept-encoding': 'gzip, br' } });
          wire = r.headers.get('content-encoding') ?? wire;
          files.push({ name: ref, body: Buffer.from(await r.arrayBuffer()) });
        }
        const sized = files.map((x) => ({ name: x.name, raw: x.body.length, gzip: gzipSync(x.body).length }));
        routes.push({
          route,
          files: sized,
          raw: sized.reduce((a, b) => a + b.raw, 0),
          gzip: sized.reduce((a, b) => a + b.gzip, 0),
          wireEncoding: wire,
        });
      }
    }
    const s0 = performance.now();
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
    return { start, stop: (performance.now() - s0) / 1000, routes };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function runStartup(opts: BenchOptions, log: (s: string) => void): Promise<StartupResult> {
  if (!existsSync(join(DESKTOP, 'vite.config.ts'))) throw new Error('packages/agent-desktop has no vite.config.ts yet');
  const out = mkdtempSync(join(tmpdir(), 'bench-desktop-'));
  try {
    const distDir = join(out, 'dist');
    const b0 = performance.now();
    const build = spawnSync('npx', ['vite', 'build', '--outDir', distDir, '--emptyOutDir', '--logLevel', 'warn'], { cwd: DESKTOP, encoding: 'utf8' });
    const buildSeconds = (performance.now() - b0) / 1000;
    if (build.status !== 0) throw new Error(`vite build failed: ${(build.stderr || build.stdout).slice(-500)}`);
    log(`desktop build ${f(buildSeconds)} s`);
    const runs = opts.quick ? 1 : 3;
    const startSeconds: number[] = [];
    const stopSeconds: number[] = [];
    let routes: RouteSize[] = [];
    for (let i = 0; i < runs; i++) {
      const r = await startOnce(distDir, i === 0);
      startSeconds.push(r.start);
      stopSeconds.push(r.stop);
      if (i === 0) routes = r.routes;
      log(`start → first page ${f(r.start, 2)} s, stop ${f(r.stop, 2)} s`);
    }
    const res = { buildSeconds, startSeconds, stopSeconds, routes };
    return { ...res, markdown: startupMarkdown(res) };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function startupMarkdown(r: Omit<StartupResult, 'markdown'>): string {
  const med = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
  const kb = (b: number): string => f(b / 1024, 1);
  const main = table(
    ['step', 'seconds'],
    [
      ['`npm run build` part (vite build of the desktop)', f(r.buildSeconds, 1)],
      [
        `\`tsx scripts/start.ts\` → GET / serves the desktop (median of ${r.startSeconds.length})`,
        `${f(med(r.startSeconds), 2)} (${r.startSeconds.map((x) => f(x, 2)).join(', ')})`,
      ],
      ['**`npm start` total (build + start)**', `**${f(r.buildSeconds + med(r.startSeconds), 1)}**`],
      ['Ctrl+C → process exited', f(med(r.stopSeconds), 2)],
    ],
  );
  const sizes = table(
    ['route', 'files', 'raw (KiB)', 'gzip (KiB)', 'served as'],
    r.routes.map((x) => [
      `\`${x.route}\``,
      x.files.map((y) => `${y.name.replace(/^\/assets\//, '')} ${kb(y.raw)} → ${kb(y.gzip)}`).join('<br>'),
      kb(x.raw),
      kb(x.gzip),
      x.wireEncoding,
    ]),
  );
  const single = new Set(r.routes.flatMap((x) => x.files.filter((y) => !y.name.includes('(HTML)')).map((y) => y.name))).size;
  return `${main}

${sizes}

The desktop is one Vite chunk: every route loads the same ${single} asset file(s), so the per-route cost
is identical (code splitting per page would only pay off once the recordings/supervisor pages
grow). "served as" is the Content-Encoding the server answered with when the client accepted gzip
and br; \`identity\` means the bytes on the wire are the raw column — registering
\`@fastify/compress\` for static assets would send the gzip column instead.`;
}
