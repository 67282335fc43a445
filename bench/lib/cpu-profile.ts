/**
 * CPU profiles of a bench child over a load window, and their summary. The child records with
 * V8's sampling profiler through `node:inspector` (the profiler `--cpu-prof` uses, started and
 * stopped around the measured load instead of around the whole process, so setup — logins,
 * placing calls — stays out of it). The parent reads the `.cpuprofile`, writes collapsed stacks
 * beside it (`flamegraph.pl` / speedscope input) and summarizes self time by function and by area.
 */
import { Session } from 'node:inspector/promises';
import { readFileSync, writeFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Child side: start sampling now; the returned function stops and writes the profile to `path`. */
export async function startProfile(): Promise<(path: string) => Promise<void>> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  // 100 µs between samples (V8's default is 1 ms under --cpu-prof-interval 1000).
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  return async (path) => {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(path, JSON.stringify(profile));
    session.disconnect();
  };
}

/** Where a function lives, coarse enough to say where the time goes. */
export function areaOf(url: string, name: string): string {
  if (name === '(garbage collector)') return 'GC';
  if (name === '(idle)' || name === '(program)') return name;
  if (url === '') return name.startsWith('(') ? name : 'V8 builtins / native';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1]!;
  if (url.startsWith('node:'))
    return url
      .replace(/^node:(internal\/)?/, 'node:')
      .split('/')
      .slice(0, 2)
      .join('/');
  const p = /packages\/([^/]+)\/src\/(?:([^/]+)\/)?/.exec(url);
  if (p) return `@pause-recording/${p[1]}${p[2] && !p[2].endsWith('.ts') ? `/${p[2]}` : ''}`;
  return url.replace(/^file:\/\/.*\/(bench|scripts)\//, '$1/');
}

export interface ProfileSummary {
  totalMs: number;
  /** Sampled time that was not idle (the process computing). */
  busyMs: number;
  topFunctions: { name: string; where: string; selfMs: number; pct: number }[];
  areas: { area: string; selfMs: number; pct: number }[];
  /** Inclusive shares of busy time: samples with any frame of the group on their stack. */
  groups: { group: string; pct: number }[];
}

/** Stack groups the control-path summary names (a sample counts toward each group on its stack). */
export const SERVER_GROUPS: [string, RegExp][] = [
  [
    'twilio SDK + its HTTP client (provider and TaskRouter requests)',
    /node_modules\/(twilio|axios)\/|server\/src\/provider\/request-client|node:_http_client|node:_http_agent/,
  ],
  ['fastify + node HTTP server (the request itself)', /node_modules\/fastify\/|node:_http_server|node:internal\/http/],
  ['SQLite (ledger, tasks, better-sqlite3)', /better-sqlite3|sqlite-ledger|task-store/],
  ['orchestration core (packages/core)', /packages\/core\//],
  ['socket writes (writev/write syscalls)', /^writev|^writeLatin1String|^writeUtf8String|^writeBuffer/],
  ['GC', /^\(garbage collector\)/],
];

/** The engine's groups: its HTTP layers, what a route does, and its audio clock. */
export const ENGINE_GROUPS: [string, RegExp][] = [
  ['node HTTP server + fastify routing/hooks', /node_modules\/(fastify|find-my-way|light-my-request|avvio)\/|node:_http_server|node:internal\/http/],
  // Named functions only: the onRequest hook calls `done()`, which runs routing and the handler inside it.
  ['auth + canonical path (http/app.ts: admitted)', /^(admitted|nonCanonical) .*voice-engine\/src\/http\/app\.ts/],
  [
    'validation + form decoding (http/form.ts, typebox, formbody)',
    /voice-engine\/src\/http\/form\.ts|node_modules\/(typebox|@fastify\/formbody|fast-querystring)\//,
  ],
  ['route handlers (http/routes-*.ts)', /voice-engine\/src\/http\/routes-/],
  ['JSON bodies (serialize.ts, taskrouter-json.ts, stringify)', /voice-engine\/src\/(serialize|http\/taskrouter-json)\.ts|^stringify |fast-json-stringify/],
  ['TaskRouter model', /voice-engine\/src\/model\/taskrouter\//],
  ['persistence (SQLite)', /voice-engine\/src\/model\/persistence\/|better-sqlite3/],
  ['callbacks (webhooks)', /voice-engine\/src\/(support\/callbacks|model\/callbacks\/)/],
  ['audio clock (frames)', /^onFrame |voice-engine\/src\/(audio|model\/(clock|mixer))/],
  ['socket writes (writev/write syscalls)', /^writev|^writeLatin1String|^writeUtf8String|^writeBuffer/],
  ['GC', /^\(garbage collector\)/],
];

/** Reads a `.cpuprofile`, writes `<path>.collapsed` (folded stacks, µs), and summarizes it. */
export function summarizeProfile(path: string, top = 15, groups: [string, RegExp][] = SERVER_GROUPS): ProfileSummary {
  const p = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) {
    // timeDeltas[i] is the time before sample i; charge it to that sample's node.
    const d = p.timeDeltas[i] ?? 0;
    selfUs.set(p.samples[i]!, (selfUs.get(p.samples[i]!) ?? 0) + Math.max(0, d));
  }
  const label = (n: ProfileNode): string => {
    const file = n.callFrame.url.replace(/^.*\/(node_modules|packages|bench)\//, '$1/');
    return `${n.callFrame.functionName || '(anonymous)'} ${file}:${n.callFrame.lineNumber + 1}`;
  };
  const folded: string[] = [];
  const fn = new Map<string, { name: string; where: string; us: number }>();
  const areas = new Map<string, number>();
  const groupUs = new Map<string, number>();
  let total = 0;
  let idle = 0;
  // Native frames (no script) count toward the area of the nearest caller that has one.
  const areaOfNode = (id: number): string => {
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const c = byId.get(cur)!.callFrame;
      if (c.url !== '') return areaOf(c.url, c.functionName) + (cur === id ? '' : ' (native)');
    }
    return areaOf('', byId.get(id)!.callFrame.functionName);
  };
  const inInspector = (id: number): boolean => {
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) if (byId.get(cur)!.callFrame.url === 'node:inspector') return true;
    return false;
  };
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    // The profiler stopping itself is not the server's work.
    if (inInspector(id)) continue;
    total += us;
    if (n.callFrame.functionName === '(idle)') idle += us;
    const stack: string[] = [];
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const node = byId.get(cur)!;
      if (node.callFrame.functionName !== '(root)') stack.push(label(node).replaceAll(';', ','));
    }
    folded.push(`${stack.reverse().join(';')} ${Math.round(us)}`);
    const caller = parent.get(id);
    const key = n.callFrame.url === '' && caller !== undefined ? `${label(n)} ← ${label(byId.get(caller)!)}` : label(n);
    const e = fn.get(key) ?? { name: n.callFrame.functionName || '(anonymous)', where: key.slice(key.indexOf(' ') + 1), us: 0 };
    e.us += us;
    fn.set(key, e);
    const frames: string[] = [];
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const c = byId.get(cur)!.callFrame;
      frames.push(`${c.functionName} ${c.url}`);
    }
    for (const [g, re] of groups) if (frames.some((fr) => re.test(fr))) groupUs.set(g, (groupUs.get(g) ?? 0) + us);
    const a = areaOfNode(id);
    areas.set(a, (areas.get(a) ?? 0) + us);
  }
  writeFileSync(`${path}.collapsed`, folded.join('\n') + '\n');
  const busy = total - idle;
  const pct = (us: number): number => (busy > 0 ? (100 * us) / busy : NaN);
  return {
    totalMs: total / 1000,
    busyMs: busy / 1000,
    topFunctions: [...fn.values()]
      .filter((e) => e.name !== '(idle)')
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((e) => ({ name: e.name, where: e.where, selfMs: e.us / 1000, pct: pct(e.us) })),
    areas: [...areas.entries()]
      .filter(([a]) => a !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .map(([area, us]) => ({ area, selfMs: us / 1000, pct: pct(us) })),
    groups: groups.map(([g]) => ({ group: g, pct: pct(groupUs.get(g) ?? 0) })),
  };
}
