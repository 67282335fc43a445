/**
 * Item 3 (and the engine half of item 6): N concurrent dual-channel recorded calls in real time.
 * Each call is what the contact center builds: a customer leg dialled into a conference and an
 * agent leg added through the Participants API with a dual-channel call recording (Record=true).
 * The engine runs in a child process (bench/lib/engine-child.ts); this process only drives it
 * over HTTP and reads its counters over IPC, so the driver's own work is not measured.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pool, sleep, spawnEngine, TwilioRest, type ChildStats, type EngineProc } from './lib/engine-proc.ts';
import { f, mb, table, type BenchOptions } from './lib/report.ts';

const FRAME_MS = 20;
/** 8 kHz x 16 bit x 2 channels. */
export const FLOOR_BYTES_PER_CALL_SECOND = 8000 * 2 * 2;

export interface CapacityRow {
  /** Audio worker threads (0: rendered on the engine thread, the design before issue 13). */
  threads: number;
  calls: number;
  setupSeconds: number;
  windowSeconds: number;
  maxLagFrames: number;
  /** Backlog (frames due, not processed) at the end of the window. */
  lagAtEnd: number;
  framesProcessed: number;
  framesExpected: number;
  cpuCorePct: number;
  cpuUsPerCallSecond: number;
  wavBytesPerCallSecond: number;
  writeBytesPerCallSecond: number;
  frameMsMean: number;
  frameMsMax: number;
  framesOver5ms: number;
  gcCount: number;
  gcMaxMs: number;
  loopDelayMaxMs: number;
  rssBytes: number;
  rssPerCall: number;
  heapPerCall: number;
  /** The goal's test: max lag ≤ 1 frame and every due frame processed. */
  realTime: boolean;
  /** Keeps up on average: no backlog at the end (≤ 5 frames) and the window's frames processed. */
  keepsUp: boolean;
}

function wavBytes(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    try {
      total += statSync(join(dir, name)).size;
    } catch {
      // finished and removed meanwhile: not possible here, but harmless
    }
  }
  return total;
}

/** Places `n` customer+agent calls with a dual-channel recording on the agent leg. */
export async function placeRecordedCalls(rest: TwilioRest, n: number, offset = 0, concurrency = 16): Promise<string[]> {
  const ids = Array.from({ length: n }, (_, i) => i + offset);
  return pool(ids, concurrency, async (i) => {
    const room = `bench-room-${i}`;
    await rest.ok('POST', '/Calls.json', {
      To: '+15550001000',
      From: `+1555${String(1_000_000 + i).slice(-7)}`,
      Twiml: `<Response><Dial><Conference>${room}</Conference></Dial></Response>`,
    });
    const p = await rest.ok('POST', `/Conferences/${room}/Participants.json`, {
      From: '+15550001000',
      To: `+1666${String(1_000_000 + i).slice(-7)}`,
      Label: 'agent',
      Record: 'true',
      RecordingChannels: 'dual',
      EndConferenceOnExit: 'true',
    });
    return String(p['call_sid']);
  });
}

async function waitRecordings(eng: EngineProc, n: number, timeoutMs: number): Promise<ChildStats> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const s = await eng.stats();
    if (s.activeRecordings >= n) return s;
    if (Date.now() > until) throw new Error(`only ${s.activeRecordings}/${n} recordings active after ${timeoutMs} ms`);
    await sleep(100);
  }
}

/**
 * One engine process; calls are added level by level (100, then up to 500, ...), and each level
 * is measured after a warm-up. Memory per call is read against the same process at 0 calls.
 */
export async function measureLevels(
  levels: number[],
  o: { warmupS: number; windowS: number; stopWhenBehind: boolean; threads: number },
  log: (s: string) => void,
): Promise<{ rows: CapacityRow[]; idleRss: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-engine-'));
  const eng = await spawnEngine(dataDir, 'demo', o.threads);
  const rows: CapacityRow[] = [];
  try {
    const rest = new TwilioRest(eng.url, eng.accountSid, eng.authToken);
    await sleep(500);
    await eng.gc();
    const idle = await eng.stats();
    let placed = 0;
    for (const n of levels) {
      const t0 = performance.now();
      await placeRecordedCalls(rest, n - placed, placed);
      placed = n;
      await waitRecordings(eng, n, 120_000);
      const setupSeconds = (performance.now() - t0) / 1000;
      await sleep(o.warmupS * 1000);
      // Audio threads start with the first recording and queue frames meanwhile: measure from
      // when that start-up backlog is written (bounded), not the catch-up after it.
      for (let i = 0; i < 100 && (await eng.stats()).lagNow > 2; i++) await sleep(100);
      await eng.resetLag();
      const recDir = join(dataDir, 'recordings');
      const io0 = eng.io();
      const wav0 = wavBytes(recDir);
      const s0 = await eng.stats();
      await sleep(o.windowS * 1000);
      const s1 = await eng.stats();
      const io1 = eng.io();
      const wav1 = wavBytes(recDir);
      await eng.gc();
      const after = await eng.stats();
      const wallS = (s1.wallMs - s0.wallMs) / 1000;
      const cpuUs = s1.cpu.user + s1.cpu.system - (s0.cpu.user + s0.cpu.system);
      const framesProcessed = s1.framesProcessed - s0.framesProcessed;
      const framesExpected = (s1.wallMs - s0.wallMs) / FRAME_MS;
      const row: CapacityRow = {
        threads: o.threads,
        calls: n,
        setupSeconds,
        windowSeconds: wallS,
        maxLagFrames: s1.maxLagFrames,
        lagAtEnd: s1.lagNow,
        framesProcessed,
        framesExpected,
        cpuCorePct: (cpuUs / 1e6 / wallS) * 100,
        // Per second of audio processed (frames / 50), not of wall time: a saturated engine processes fewer frames.
        cpuUsPerCallSecond: framesProcessed > 0 ? cpuUs / n / (framesProcessed / 50) : NaN,
        wavBytesPerCallSecond: (wav1 - wav0) / wallS / n,
        writeBytesPerCallSecond: (io1.wchar - io0.wchar) / wallS / n,
        frameMsMean: s1.frameCount ? s1.frameMsSum / s1.frameCount : NaN,
        frameMsMax: s1.frameMsMax,
        framesOver5ms: s1.framesOver5,
        gcCount: s1.gcCount,
        gcMaxMs: s1.gcMaxMs,
        loopDelayMaxMs: s1.loopDelayMaxMs,
        rssBytes: after.mem.rss,
        rssPerCall: (after.mem.rss - idle.mem.rss) / n,
        heapPerCall: (after.mem.heapUsed + after.mem.external + after.mem.arrayBuffers - (idle.mem.heapUsed + idle.mem.external + idle.mem.arrayBuffers)) / n,
        realTime: false,
        keepsUp: false,
      };
      row.realTime = row.maxLagFrames <= 1 && framesProcessed >= framesExpected - 2;
      row.keepsUp = row.lagAtEnd <= 5 && framesProcessed >= framesExpected * 0.99 - 5;
      rows.push(row);
      log(
        `engine ${o.threads} audio thread(s), ${n} calls: lag ${row.maxLagFrames} frames (at end ${row.lagAtEnd}), frames ${framesProcessed}/${f(framesExpected, 0)}, CPU ${f(row.cpuCorePct)}% of a core, ` +
          `frame mean ${f(row.frameMsMean, 2)} ms max ${f(row.frameMsMax)} ms, GC ${row.gcCount} (max ${f(row.gcMaxMs)} ms), loop delay max ${f(row.loopDelayMaxMs)} ms, ` +
          `WAV ${f(row.wavBytesPerCallSecond / 1000)} kB/s/call, wchar ${f(row.writeBytesPerCallSecond / 1000)} kB/s/call, RSS ${mb(row.rssBytes)} MB (${f(row.rssPerCall / 1024)} KiB/call)`,
      );
      // Once it falls behind for good, the next level would only measure a growing backlog.
      if (o.stopWhenBehind && !row.keepsUp) break;
    }
    return { rows, idleRss: idle.mem.rss };
  } finally {
    await eng.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Audio thread counts compared (0 = on the engine thread, the design before issue 13). */
export const THREAD_CONFIGS = [1, 2] as const;

export async function runEngineCapacity(opts: BenchOptions, log: (s: string) => void): Promise<{ rows: CapacityRow[]; idleRss: number; markdown: string }> {
  const levels = opts.quick ? [100, 500] : [100, 500, 1000, 2000, 3000];
  const timing = opts.quick ? { warmupS: 1, windowS: 2 } : { warmupS: 2, windowS: 6 };
  const rows: CapacityRow[] = [];
  let idleRss = NaN;
  // The full run also measures the engine thread alone (the design before), for the ratio.
  for (const threads of opts.quick ? [...THREAD_CONFIGS] : [0, ...THREAD_CONFIGS]) {
    const r = await measureLevels(levels, { ...timing, stopWhenBehind: true, threads }, log);
    rows.push(...r.rows);
    if (threads === 2) idleRss = r.idleRss;
  }
  return { rows, idleRss, markdown: `${capacityMarkdown(rows, idleRss, timing)}\n\n${threadComparison(rows)}` };
}

/** One line per call level: each thread count's lag, backlog and CPU side by side, with ratios to 1 thread. */
export function threadComparison(rows: CapacityRow[]): string {
  const threads = [...new Set(rows.map((r) => r.threads))];
  const levels = [...new Set(rows.map((r) => r.calls))].sort((a, b) => a - b);
  const at = (t: number, n: number): CapacityRow | undefined => rows.find((r) => r.threads === t && r.calls === n);
  const cell = (r: CapacityRow | undefined): string =>
    r
      ? `lag ${r.maxLagFrames} / backlog ${r.lagAtEnd} ${r.realTime ? '(real time)' : r.keepsUp ? '(keeps up)' : '(**behind**)'}; CPU ${f(r.cpuCorePct, 0)}%`
      : 'not reached (an earlier level fell behind)';
  const t = table(
    ['calls', ...threads.map((x) => (x === 0 ? 'engine thread only (before)' : `${x} audio thread${x > 1 ? 's' : ''}`)), 'max lag 2 threads ÷ 1 thread'],
    levels.map((n) => {
      const one = at(1, n);
      const two = at(2, n);
      return [n, ...threads.map((x) => cell(at(x, n))), one && two ? f(two.maxLagFrames / Math.max(1, one.maxLagFrames), 2) : 'n/a'];
    }),
  );
  return `**Audio threads compared** (\`--audio-threads N\`; same run, same machine; "CPU" is the whole
engine process, all threads, in % of one core — 200% is both cores):

${t}`;
}

export function capacityMarkdown(rows: CapacityRow[], idleRss: number, timing: { warmupS: number; windowS: number }): string {
  const floor = FLOOR_BYTES_PER_CALL_SECOND;
  const base = rows[0]!;
  const t = table(
    [
      'audio threads',
      'calls',
      'real time? (max lag ≤ 1 frame)',
      'keeps up? (no backlog)',
      'max clock lag (frames)',
      'backlog at end (frames)',
      'frames processed / expected',
      'CPU (% of one core)',
      'CPU per call (µs per second of call audio)',
      '× CPU/call at 100',
      'WAV bytes/s per call (× 32 KB/s floor)',
      'all write(2) bytes/s per call (× floor)',
      'engine-thread frame work mean / max (ms)',
      'frames > 5 ms',
      'GCs (max pause ms)',
      'event-loop delay max (ms)',
      'RSS (MB)',
      'RSS per call vs 0 calls (KiB)',
      'JS heap + buffers per call (KiB)',
    ],
    rows.map((r) => [
      r.threads,
      r.calls,
      r.realTime ? 'yes' : '**no**',
      r.keepsUp ? 'yes' : '**no**',
      r.maxLagFrames,
      r.lagAtEnd,
      `${r.framesProcessed} / ${f(r.framesExpected, 0)} (${f(r.framesProcessed / r.framesExpected, 3)})`,
      f(r.cpuCorePct),
      f(r.cpuUsPerCallSecond, 0),
      f(r.cpuUsPerCallSecond / (rows.find((x) => x.threads === r.threads) ?? base).cpuUsPerCallSecond, 2),
      `${f(r.wavBytesPerCallSecond, 0)} (${f(r.wavBytesPerCallSecond / floor, 3)})`,
      `${f(r.writeBytesPerCallSecond, 0)} (${f(r.writeBytesPerCallSecond / floor, 3)})`,
      `${f(r.frameMsMean, 2)} / ${f(r.frameMsMax, 1)}`,
      r.framesOver5ms,
      `${r.gcCount} (${f(r.gcMaxMs, 1)})`,
      f(r.loopDelayMaxMs, 1),
      mb(r.rssBytes, 0),
      f(r.rssPerCall / 1024, 0),
      f(r.heapPerCall / 1024, 0),
    ]),
  );
  return `Each call = a customer leg (\`<Dial><Conference>\`) + an agent leg added by the Participants API with
\`Record=true, RecordingChannels=dual\` (what the contact center does on accept), demo audio, 1×
speed. The engine runs alone in a child process; the driver adds the calls over HTTP, waits
${timing.warmupS} s, calls \`clock.resetLag()\`, then measures a ${timing.windowS} s window. "Real time" = max lag ≤ 1 frame
and every due frame processed (the issue's bar); "keeps up" = no backlog at the end of the window —
on a shared machine a single 40 ms descheduling breaks the first while the engine still keeps up.
CPU is the engine process's user+system time over the window; per call it is divided by the audio
seconds actually processed (frames ÷ 50), so a saturated level is not flattered.
WAV bytes = growth of the recordings folder (the physical floor is 8 kHz × 16 bit × 2 channels
= 32,000 B/s per call, so 1.000 means no overhead); write(2) bytes = \`wchar\` of
/proc/PID/io (WAV data + header rewrites + SQLite). One engine process; calls are added level
by level. RSS is read after a forced GC; with 0 calls it was ${mb(idleRss, 0)} MB, and the per-call
figure is (RSS − that) / calls — noisy at small N, since RSS also moves when V8 returns or keeps
freed pages; "JS heap + buffers" (V8 heap used + external + ArrayBuffers, after GC, minus the
same at 0 calls) is the steadier per-call figure (each dual recording holds a 32 KiB second of
audio before it flushes).

${t}`;
}
