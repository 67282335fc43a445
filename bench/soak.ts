/**
 * Item 6, soak: calls coming and going for `--soak-seconds`. Each of `agents` bench agents loops:
 * gets a simulated call, accepts it, pauses and resumes it, hangs up after a random talk time
 * and completes the wrap-up. Engine and server memory (RSS, and heap after a forced GC) are
 * sampled throughout; a leak shows as a rising heap after GC.
 */
import { sleep } from './lib/engine-proc.ts';
import { startBenchSystem } from './control-path.ts';
import { f, mb, table, type BenchOptions } from './lib/report.ts';
import { api } from './lib/http.ts';

interface Sample {
  t: number;
  liveCalls: number;
  completed: number;
  engineRss: number;
  engineHeap: number;
  serverRss: number;
  serverHeap: number;
}

export interface SoakResult {
  seconds: number;
  agents: number;
  cycles: number;
  errors: number;
  samples: Sample[];
  engineHeapSlopeKbPerMin: number;
  serverHeapSlopeKbPerMin: number;
  engineBytesPerCompletedCall: number;
  serverBytesPerCompletedCall: number;
  markdown: string;
}

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 2) return NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? NaN : num / den;
}

export async function runSoak(opts: BenchOptions, log: (s: string) => void): Promise<SoakResult> {
  const agents = opts.quick ? 20 : 40;
  const seconds = opts.soakSeconds;
  const sampleEvery = Math.max(2, Math.round(seconds / 30));
  const sys = await startBenchSystem(agents);
  let cycles = 0;
  let errors = 0;
  const firstErrors: string[] = [];
  const started = performance.now();
  const until = started + seconds * 1000;
  const samples: Sample[] = [];
  try {
    // Sleeps end at the soak's end, so the last cycles wind down (hang up, complete) at once.
    const nap = (ms: number): Promise<void> => sleep(Math.max(0, Math.min(ms, until - performance.now())));
    const worker = async (i: number): Promise<void> => {
      const login = await api(sys.url, 'POST', '/api/auth/login', null, { identity: `agent-${i}`, password: 'bench' });
      const token = String(login.json['token']);
      await sleep(Math.random() * 2000);
      while (performance.now() < until) {
        try {
          const call = await api(sys.url, 'POST', '/api/simulator/calls', token, { agent: `agent-${i}` });
          if (call.status !== 201) throw new Error(`call ${call.status} ${JSON.stringify(call.json)}`);
          const sid = String(call.json['taskSid']);
          const acc = await api(sys.url, 'POST', `/api/tasks/${sid}/accept`, token);
          if (acc.status !== 200) throw new Error(`accept ${acc.status} ${JSON.stringify(acc.json)}`);
          const talk = 3000 + Math.random() * 7000;
          await nap(talk / 3);
          const p = await api(sys.url, 'POST', `/api/tasks/${sid}/recording/pause`, token, {});
          if (p.status !== 200) throw new Error(`pause ${p.status} ${JSON.stringify(p.json)}`);
          await nap(talk / 3);
          const r = await api(sys.url, 'POST', `/api/tasks/${sid}/recording/resume`, token, {});
          if (r.status !== 200) throw new Error(`resume ${r.status} ${JSON.stringify(r.json)}`);
          await nap(talk / 3);
          const h = await api(sys.url, 'POST', `/api/tasks/${sid}/hangup`, token);
          if (h.status !== 200) throw new Error(`hangup ${h.status} ${JSON.stringify(h.json)}`);
          // Wrap-up can be completed once the task is wrapping.
          for (let k = 0; k < 50; k++) {
            const c = await api(sys.url, 'POST', `/api/tasks/${sid}/complete`, token);
            if (c.status === 200) break;
            await sleep(100);
          }
          cycles++;
        } catch (e) {
          errors++;
          if (firstErrors.length < 3) firstErrors.push(String(e).slice(0, 200));
          await sleep(1000);
        }
      }
    };
    const sampler = async (): Promise<void> => {
      while (performance.now() < until + 500) {
        await sys.engine.gc();
        await sys.server.gc();
        const e = await sys.engine.stats();
        const s = await sys.server.stats();
        samples.push({
          t: (performance.now() - started) / 1000,
          liveCalls: e.liveCalls,
          completed: cycles,
          engineRss: e.mem.rss,
          engineHeap: e.mem.heapUsed + e.mem.external,
          serverRss: s.mem.rss,
          serverHeap: s.mem.heapUsed + s.mem.external,
        });
        await sleep(sampleEvery * 1000);
      }
    };
    await Promise.all([sampler(), ...Array.from({ length: agents }, (_, i) => worker(i))]);
  } finally {
    await sys.close();
  }
  if (firstErrors.length) log(`soak errors: ${firstErrors.join(' | ')}`);
  // Slopes over the second half (after warm-up).
  const half = samples.filter((s) => s.t >= seconds / 2);
  const xs = half.map((s) => s.t / 60);
  const engineHeapSlopeKbPerMin =
    slope(
      xs,
      half.map((s) => s.engineHeap),
    ) / 1024;
  const serverHeapSlopeKbPerMin =
    slope(
      xs,
      half.map((s) => s.serverHeap),
    ) / 1024;
  const engineBytesPerCompletedCall = slope(
    half.map((s) => s.completed),
    half.map((s) => s.engineHeap),
  );
  const serverBytesPerCompletedCall = slope(
    half.map((s) => s.completed),
    half.map((s) => s.serverHeap),
  );
  log(
    `soak ${seconds} s: ${cycles} calls, ${errors} errors, engine heap slope ${f(engineHeapSlopeKbPerMin, 0)} KiB/min, server heap slope ${f(serverHeapSlopeKbPerMin, 0)} KiB/min`,
  );
  const res = {
    seconds,
    agents,
    cycles,
    errors,
    samples,
    engineHeapSlopeKbPerMin,
    serverHeapSlopeKbPerMin,
    engineBytesPerCompletedCall,
    serverBytesPerCompletedCall,
  };
  return { ...res, markdown: soakMarkdown(res, firstErrors) };
}

function soakMarkdown(r: Omit<SoakResult, 'markdown'>, firstErrors: string[]): string {
  const pick = r.samples.filter((_, i) => i % Math.max(1, Math.floor(r.samples.length / 8)) === 0 || i === r.samples.length - 1);
  const t = table(
    ['t (s)', 'live call legs', 'calls completed', 'engine RSS (MB)', 'engine heap after GC (MB)', 'server RSS (MB)', 'server heap after GC (MB)'],
    pick.map((s) => [f(s.t, 0), s.liveCalls, s.completed, mb(s.engineRss), mb(s.engineHeap), mb(s.serverRss), mb(s.serverHeap)]),
  );
  return `${r.agents} agents loop for ${r.seconds} s: simulated call → accept → pause → resume → hang up (talk 3–10 s)
→ complete wrap-up. ${r.cycles} calls completed, ${r.errors} errors${firstErrors.length ? ` (first: \`${firstErrors[0]}\`)` : ''}. Both processes are sampled
after a forced GC (heap = V8 heap used + external). The soak length is \`--soak-seconds\`: the full run soaks for the
10 minutes issue 13 asks for (\`npm run bench -- --soak\` runs only the soak; \`--quick\` soaks 5 s).

${t}

Heap-after-GC slope over the second half: engine **${f(r.engineHeapSlopeKbPerMin, 0)} KiB/min**, server
**${f(r.serverHeapSlopeKbPerMin, 0)} KiB/min** ("flat" here: under 1 MiB/min); per completed call the engine's heap grows by about
${f(r.engineBytesPerCompletedCall / 1024, 1)} KiB and the server's by ${f(r.serverBytesPerCompletedCall / 1024, 1)} KiB. The engine keeps only live calls, conferences and recordings in memory;
finished ones are served from its SQLite store (issue 13), so its heap should not grow with
call history: the per-completed-call figure is the test (goal < 1 KiB; the engine's audio
threads have heaps of their own, not counted here, that hold only open WAV writers).
The server keeps its state in SQLite, so its heap should not grow with
history; a residue of a few KiB per call is within noise over a short soak, and the 10-minute soak
is the one to judge it by — a heap-snapshot diff before/after would name any per-task map (pause
timers, locks, SSE subscribers) that keeps entries after a task completes.`;
}
