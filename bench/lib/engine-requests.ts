/**
 * The engine's share of the control path, alone: the embedded system places and accepts N calls
 * (as the control bench does), then the server stays idle while autocannon sends the engine the
 * requests a pause/resume makes, cycling over the tasks: the task's reservations of its worker
 * (TaskRouter), the recording update (paused / in-progress), and the recordings of the customer
 * leg, the agent leg and the conference. Prints the engine's CPU per request (process CPU over the
 * window, less its idle rate with the same calls live), and with `--profile` where it goes.
 *
 *   npx tsx bench/lib/engine-requests.ts [--calls 100] [--seconds 5] [--repeat 1] [--rate REQ_PER_S] [--per-kind] [--profile] [--only reservations,update,customer,agent,conference,health]
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { addCalls, BENCH_OUT, startBenchSystem } from '../control-path.ts';
import { ENGINE_GROUPS, summarizeProfile } from './cpu-profile.ts';
import type { ChildStats } from './engine-proc.ts';
import { load } from './load.ts';
import { f } from './report.ts';

interface Target {
  ws: string;
  task: string;
  worker: string;
  customer: string;
  agent: string;
  conference: string;
  recording: string;
  paused: boolean;
}

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const calls = arg('calls', 100);
const seconds = arg('seconds', 5);
const repeat = arg('repeat', 1);
// A fixed request rate makes CPU per request comparable between runs: batching (requests handled
// per event-loop turn) depends on the rate, and so does what each request costs.
const rate = arg('rate', 0);
const profile = process.argv.includes('--profile');
// `health` (GET /dev/health, not part of a pause) shows what any request costs: HTTP, routing, hooks, a small JSON.
const KINDS = ['reservations', 'update', 'customer', 'agent', 'conference', 'health'] as const;
const onlyAt = process.argv.indexOf('--only');
const steps = onlyAt >= 0 ? process.argv[onlyAt + 1]!.split(',').map((k) => KINDS.indexOf(k as (typeof KINDS)[number])) : [0, 1, 2, 3, 4];
if (steps.some((i) => i < 0)) throw new Error(`--only takes ${KINDS.join(', ')}`);

const sys = await startBenchSystem(calls);
try {
  await addCalls(sys, calls, 8);
  const { url, accountSid, authToken } = sys.engine;
  const auth = 'Basic ' + Buffer.from(`${accountSid}:${authToken}`).toString('base64');
  const get = async (path: string): Promise<Record<string, unknown>> => {
    const r = await fetch(url + path, { headers: { authorization: auth } });
    if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${await r.text()}`);
    return (await r.json()) as Record<string, unknown>;
  };
  const A = `/2010-04-01/Accounts/${accountSid}`;
  const ws = String(((await get('/v1/Workspaces')) as { workspaces: { sid: string }[] }).workspaces[0]!.sid);
  const targets: Target[] = [];
  for (const { sid } of sys.tasks) {
    type Attrs = { call_sid: string; conference?: { sid: string; participants?: { worker?: string } } };
    let attrs: Attrs = { call_sid: '' };
    // The agent's leg is written into the task's attributes once it joined: wait for it (bounded).
    for (let i = 0; i < 100 && attrs.conference?.participants?.worker === undefined; i++) {
      if (i > 0) await new Promise((res) => setTimeout(res, 100));
      attrs = JSON.parse(((await get(`/v1/Workspaces/${ws}/Tasks/${sid}`)) as { attributes: string }).attributes) as Attrs;
    }
    const conference = attrs.conference?.sid;
    const agent = attrs.conference?.participants?.worker;
    if (conference === undefined || agent === undefined) throw new Error(`task ${sid}: no agent leg in its attributes`);
    const res = (await get(`/v1/Workspaces/${ws}/Tasks/${sid}/Reservations`)) as { reservations: { worker_sid: string }[] };
    const recs = (await get(`${A}/Calls/${agent}/Recordings.json`)) as { recordings: { sid: string; status: string }[] };
    targets.push({
      ws,
      task: sid,
      worker: res.reservations[0]!.worker_sid,
      customer: attrs.call_sid,
      agent,
      conference,
      recording: recs.recordings[0]!.sid,
      paused: recs.recordings[0]!.status === 'paused',
    });
  }
  const nextFor = (steps: number[]) => {
    let k = 0;
    return () => nextOf(steps, k++);
  };
  const nextOf = (steps: number[], k: number) => {
    const t = targets[Math.floor(k / steps.length) % targets.length]!;
    const step = steps[k % steps.length]!;
    const headers: Record<string, string> = { authorization: auth };
    if (step === 0) return { method: 'GET' as const, path: `/v1/Workspaces/${t.ws}/Tasks/${t.task}/Reservations?WorkerSid=${t.worker}&PageSize=1000`, headers };
    if (step === 1) {
      t.paused = !t.paused;
      return {
        method: 'POST' as const,
        path: `${A}/Calls/${t.agent}/Recordings/${t.recording}.json`,
        headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
        body: t.paused ? 'Status=paused&PauseBehavior=silence' : 'Status=in-progress',
      };
    }
    if (step === 5) return { method: 'GET' as const, path: '/dev/health', headers };
    const owner = step === 2 ? `Calls/${t.customer}` : step === 3 ? `Calls/${t.agent}` : `Conferences/${t.conference}`;
    return { method: 'GET' as const, path: `${A}/${owner}/Recordings.json?PageSize=50`, headers };
  };
  const cpuMs = (a: ChildStats, b: ChildStats): number => (b.cpu.user + b.cpu.system - a.cpu.user - a.cpu.system) / 1000;
  const next = nextFor(steps);
  await load({ url, connections: 10, seconds: 1, next });
  // ENGINE_REQUESTS_PAUSE_FILE: a file to touch and wait on (e.g. to attach `perf record -p PID` to the engine).
  const pauseFile = process.env['ENGINE_REQUESTS_PAUSE_FILE'];
  if (pauseFile) {
    console.log(`engine pid ${sys.engine.pid}; waiting for ${pauseFile}`);
    for (let i = 0; i < 600 && !existsSync(pauseFile); i++) await new Promise((res) => setTimeout(res, 100));
  }
  // --per-kind: each kind alone too, interleaved with the mix, so they are compared under the same load of the machine.
  const groups = process.argv.includes('--per-kind') ? [steps, ...steps.map((i) => [i])] : [steps];
  const results = new Map<string, number[]>();
  for (let rep = 0; rep < repeat; rep++) {
    // The engine's cost with the calls live and no requests (its audio clock), taken out below.
    const i0 = await sys.engine.stats();
    await new Promise((res) => setTimeout(res, 1000));
    const i1 = await sys.engine.stats();
    const idleMsPerS = cpuMs(i0, i1) / ((i1.wallMs - i0.wallMs) / 1000);
    for (const g of groups) {
      const name = g.map((i) => KINDS[i]).join('+');
      const e0 = await sys.engine.stats();
      const r = await load({ url, connections: 10, seconds, next: g === steps ? next : nextFor(g), ...(rate > 0 ? { overallRate: rate } : {}) });
      const e1 = await sys.engine.stats();
      const n = (e1.httpRequests ?? 0) - (e0.httpRequests ?? 0);
      const windowS = (e1.wallMs - e0.wallMs) / 1000;
      const perReq = ((cpuMs(e0, e1) - idleMsPerS * windowS) * 1000) / n;
      results.set(name, [...(results.get(name) ?? []), perReq]);
      console.log(
        `engine, ${calls} calls, ${name}: ${n} requests in ${f(windowS, 1)} s (${f(r.rps, 0)} req/s, statuses ${JSON.stringify(r.statusCounts)}), ` +
          `p50 ${f(r.latency.p50, 2)} ms; CPU ${f(cpuMs(e0, e1), 0)} ms (system ${f((e1.cpu.system - e0.cpu.system) / 1000, 0)} ms), idle ${f(idleMsPerS / 10, 1)}% of a core; ` +
          `${f(perReq, 0)} µs CPU per engine request`,
      );
    }
  }
  for (const [name, v] of results) {
    const sorted = [...v].sort((a, b) => a - b);
    console.log(`${name}: median ${f(sorted[Math.floor(sorted.length / 2)]!, 0)} µs, min ${f(sorted[0]!, 0)} µs CPU per engine request over ${repeat} windows`);
  }
  if (profile) {
    await sys.engine.ask('profStart');
    await load({ url, connections: 10, seconds, next });
    const from = String(await sys.engine.ask('profStop'));
    mkdirSync(BENCH_OUT, { recursive: true });
    const path = join(BENCH_OUT, `engine-requests-${calls}-calls.cpuprofile`);
    copyFileSync(from, path);
    const s = summarizeProfile(path, 40, ENGINE_GROUPS);
    console.log(`profile ${path}: ${f(s.busyMs, 0)} ms busy of ${f(s.totalMs, 0)}`);
    for (const g of s.groups) console.log(`  ${f(g.pct, 1).padStart(5)}%  ${g.group}`);
    for (const a of s.areas.slice(0, 15)) console.log(`  ${f(a.pct, 1).padStart(5)}%  area ${a.area}`);
    for (const t of s.topFunctions) console.log(`  ${f(t.pct, 1).padStart(5)}%  ${t.name}  ${t.where}`);
  }
} finally {
  await sys.close();
}
