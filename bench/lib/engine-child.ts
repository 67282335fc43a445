/**
 * The voice engine in its own process, so the load driver does not share its event loop.
 * Started by bench scripts with `node --import tsx --expose-gc bench/lib/engine-child.ts DATA_DIR AUDIO`.
 * Talks to its parent over IPC: answers `stats`, `resetLag`, `gc`, `httpStart`/`httpStop`,
 * `profStart`/`profStop` (a V8 sampling profile of the engine thread) and `close`.
 */
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { RealtimeClock, startEngine } from '@pause-recording/voice-engine';
import type { ChildStats, ToChild } from './engine-proc.ts';
import { startProfile } from './cpu-profile.ts';

const [dataDir, audio, threadsArg] = process.argv.slice(2);
const audioThreads = threadsArg === undefined ? undefined : Number(threadsArg);
if (!dataDir || (audio !== 'stamped' && audio !== 'demo') || (audioThreads !== undefined && !Number.isInteger(audioThreads))) {
  console.error('usage: engine-child.ts DATA_DIR stamped|demo [AUDIO_THREADS]');
  process.exit(2);
}

const eng = await startEngine({ dataDir, audio, speed: 1, logger: false, devRoutes: true, ...(audioThreads !== undefined ? { audioThreads } : {}) });

// Time every frame's work (the engine's onFrame) without touching the engine: the clock calls
// `this.onFrame`, so an own property on the instance wraps it.
const engine = eng.engine;
const original = engine.onFrame.bind(engine);
let frameMsMax = 0;
let frameMsSum = 0;
let frameCount = 0;
let framesOver5 = 0;
engine.onFrame = (t: number): void => {
  const t0 = performance.now();
  original(t);
  const ms = performance.now() - t0;
  frameMsSum += ms;
  frameCount++;
  if (ms > frameMsMax) frameMsMax = ms;
  if (ms > 5) framesOver5++;
};

// GC pauses and event-loop delay explain lag when it appears.
let gcCount = 0;
let gcMs = 0;
let gcMaxMs = 0;
const gcObs = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gcCount++;
    gcMs += e.duration;
    if (e.duration > gcMaxMs) gcMaxMs = e.duration;
  }
});
gcObs.observe({ entryTypes: ['gc'] });
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();

function stats(): ChildStats {
  // With audio threads a frame is done once its thread wrote it: lag and backlog are the engine
  // thread's plus the audio threads'.
  const audioLag = engine.audioThreads?.lag() ?? null;
  const clockLagNow = eng.clock instanceof RealtimeClock ? Math.floor((performance.now() - eng.clock.startedAt) / 20) - eng.clock.tick : 0;
  return {
    tick: eng.clock.tick,
    framesProcessed: audioLag ? audioLag.framesDone : engine.framesProcessed,
    maxLagFrames: Math.max(eng.clock.maxLagFrames, audioLag?.maxLagFrames ?? 0),
    lagNow: clockLagNow + (audioLag?.backlogFrames ?? 0),
    audioThreads: engine.audioThreads?.threads ?? 0,
    liveCalls: engine.liveCalls.size,
    activeRecordings: engine.activeRecordings.size,
    cpu: process.cpuUsage(),
    mem: process.memoryUsage(),
    wallMs: performance.now(),
    frameMsMax,
    frameMsSum,
    frameCount,
    framesOver5,
    gcCount,
    gcMs,
    gcMaxMs,
    loopDelayMaxMs: loopDelay.max / 1e6,
    loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
    httpRequests,
  };
}

function resetWindow(): void {
  eng.clock.resetLag();
  engine.audioThreads?.resetLag();
  frameMsMax = 0;
  frameMsSum = 0;
  frameCount = 0;
  framesOver5 = 0;
  gcCount = 0;
  gcMs = 0;
  gcMaxMs = 0;
  loopDelay.reset();
}

// Engine-side time of every HTTP request (request event to the end of the response), on demand;
// and a count of every request, so CPU can be divided by the requests the engine handled.
let httpTimes: number[] | null = null;
let httpRequests = 0;
let stopProfile: ((path: string) => Promise<void>) | null = null;
eng.app.server.prependListener('request', (_req, res) => {
  httpRequests++;
  if (httpTimes === null) return;
  const t0 = performance.now();
  const times = httpTimes;
  res.once('finish', () => times.push(performance.now() - t0));
});

process.on('message', (m: ToChild) => {
  void (async () => {
    if (m.type === 'httpStart') {
      httpTimes = [];
      process.send!({ type: 'ok', id: m.id });
    } else if (m.type === 'httpStop') {
      process.send!({ type: 'ok', id: m.id, data: httpTimes ?? [] });
      httpTimes = null;
    } else if (m.type === 'profStart') {
      stopProfile = await startProfile();
      process.send!({ type: 'ok', id: m.id });
    } else if (m.type === 'profStop') {
      const path = `${dataDir}/engine-${Date.now()}.cpuprofile`;
      await stopProfile?.(path);
      stopProfile = null;
      process.send!({ type: 'ok', id: m.id, data: path });
    } else if (m.type === 'stats') process.send!({ type: 'stats', id: m.id, stats: stats() });
    else if (m.type === 'resetLag') {
      resetWindow();
      process.send!({ type: 'ok', id: m.id });
    } else if (m.type === 'gc') {
      const g = (globalThis as { gc?: () => void }).gc;
      if (g) {
        g();
        g();
      }
      process.send!({ type: 'ok', id: m.id });
    } else if (m.type === 'close') {
      await eng.close();
      process.send!({ type: 'ok', id: m.id });
      gcObs.disconnect();
      loopDelay.disable();
      // Leave once the answer is out (stray timers, e.g. callback retries, must not keep us).
      setTimeout(() => process.exit(0), 50);
    }
  })();
});

process.send!({ type: 'ready', url: eng.url, accountSid: eng.accountSid, authToken: eng.authToken, pid: process.pid });
