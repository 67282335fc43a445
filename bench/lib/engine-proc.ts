/** Parent side of bench/lib/engine-child.ts: spawn, query, stop; plus a minimal Twilio REST client. */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface ToChild {
  id: number;
  type: string;
}

export interface ChildStats {
  tick: number;
  framesProcessed: number;
  maxLagFrames: number;
  /** Frames due but not yet processed right now (backlog). */
  lagNow: number;
  /** Audio worker threads (0: audio rendered on the engine thread). */
  audioThreads?: number;
  liveCalls: number;
  activeRecordings: number;
  cpu: NodeJS.CpuUsage;
  mem: NodeJS.MemoryUsage;
  wallMs: number;
  frameMsMax: number;
  frameMsSum: number;
  frameCount: number;
  framesOver5: number;
  gcCount: number;
  gcMs: number;
  gcMaxMs: number;
  loopDelayMaxMs: number;
  loopDelayP99Ms: number;
  /** HTTP requests the child has received since it started (engine and server children). */
  httpRequests?: number;
}

type FromChild =
  | { type: 'ready'; url: string; accountSid: string; authToken: string; pid: number }
  | { type: 'stats'; id: number; stats: ChildStats }
  | { type: 'ok'; id: number; data?: unknown };

export interface EngineProc {
  url: string;
  accountSid: string;
  authToken: string;
  pid: number;
  stats(): Promise<ChildStats>;
  resetLag(): Promise<void>;
  gc(): Promise<void>;
  /** Any other command the child understands; resolves with its `data`. */
  ask(type: string): Promise<unknown>;
  /** /proc/PID/io: bytes the process passed to write(2) (wchar) and that reached the block layer. */
  io(): { wchar: number; writeBytes: number };
  close(): Promise<void>;
}

const CHILD = fileURLToPath(new URL('./engine-child.ts', import.meta.url));

export async function spawnEngine(dataDir: string, audio: 'stamped' | 'demo', audioThreads?: number): Promise<EngineProc> {
  return spawnChild(CHILD, [dataDir, audio, ...(audioThreads === undefined ? [] : [String(audioThreads)])]);
}

/** Forks a bench child (tsx, --expose-gc) that speaks the ready/stats/ok protocol. */
export async function spawnChild(script: string, args: string[]): Promise<EngineProc> {
  const child: ChildProcess = fork(script, args, {
    // BENCH_ENGINE_NODE_ARGS adds node flags for diagnosis, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
    execArgv: ['--import', 'tsx', '--expose-gc', ...(process.env['BENCH_ENGINE_NODE_ARGS']?.split(' ').filter(Boolean) ?? [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let nextId = 1;
  const waiting = new Map<number, (m: FromChild) => void>();
  const ready = new Promise<Extract<FromChild, { type: 'ready' }>>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`engine child exited with ${code} before it was ready`)));
    child.on('message', (m: FromChild) => {
      if (m.type === 'ready') resolve(m);
      else waiting.get(m.id)?.(m);
    });
  });
  const r = await ready;
  const ask = (type: string): Promise<FromChild> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error(`engine child did not answer ${type} within 60 s`));
      }, 60_000);
      waiting.set(id, (m) => {
        clearTimeout(timer);
        waiting.delete(id);
        resolve(m);
      });
      child.send({ type, id } as ToChild);
    });
  let closed = false;
  return {
    url: r.url,
    accountSid: r.accountSid,
    authToken: r.authToken,
    pid: r.pid,
    async stats() {
      const m = await ask('stats');
      if (m.type !== 'stats') throw new Error('unexpected answer');
      return m.stats;
    },
    async resetLag() {
      await ask('resetLag');
    },
    async gc() {
      await ask('gc');
    },
    async ask(type: string) {
      const m = await ask(type);
      return m.type === 'ok' ? m.data : m;
    },
    io() {
      return readProcIo(r.pid);
    },
    async close() {
      if (closed) return;
      closed = true;
      const exited = new Promise<void>((res) => child.once('exit', () => res()));
      try {
        await Promise.race([ask('close'), new Promise((res) => setTimeout(res, 20_000))]);
      } catch {
        // fall through to the kill below
      }
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export function readProcIo(pid: number): { wchar: number; writeBytes: number } {
  try {
    const text = readFileSync(`/proc/${pid}/io`, 'utf8');
    const get = (k: string): number => Number(new RegExp(`^${k}: (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
    return { wchar: get('wchar'), writeBytes: get('write_bytes') };
  } catch {
    return { wchar: NaN, writeBytes: NaN };
  }
}

/** A minimal Twilio REST client for the engine: form bodies, Basic auth, keep-alive fetch. */
export class TwilioRest {
  private readonly auth: string;
  constructor(
    readonly url: string,
    readonly accountSid: string,
    authToken: string,
  ) {
    this.auth = 'Basic ' + Buffer.from(`${accountSid}:${authToken}`).toString('base64');
  }

  async req(method: string, path: string, form?: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
    const full = path.startsWith('/dev/') ? this.url + path : `${this.url}/2010-04-01/Accounts/${this.accountSid}${path}`;
    const res = await fetch(full, {
      method,
      headers: { authorization: this.auth, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  async ok(method: string, path: string, form?: Record<string, string>): Promise<Record<string, unknown>> {
    const r = await this.req(method, path, form);
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i]!, i);
    }
  });
  await Promise.all(workers);
  return out;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
