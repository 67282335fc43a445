/**
 * `npm run bench [-- --quick] [-- --only engine,precision,...] [-- --soak-seconds N]`; `npm run bench -- --soak`
 * runs only the soak. The full run soaks 10 minutes (issue 13: engine heap over a 10-minute soak),
 * `--quick` 5 s.
 * Runs the benchmarks one after another (never two loads at once) and rewrites
 * docs/benchmarks.md. Sections: engine, precision, control, growth, soak, startup, keypress, instances.
 */
import { availableParallelism, loadavg } from 'node:os';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { machine, stamp, writeDoc, type BenchOptions, type Section } from './lib/report.ts';

const ORDER = ['engine', 'precision', 'control', 'growth', 'soak', 'startup', 'keypress', 'instances'] as const;
type SectionId = (typeof ORDER)[number];

const TITLES: Record<SectionId, string> = {
  engine: 'Engine capacity (issue 6 item 3; engine memory, item 6)',
  precision: 'Pause precision (item 2)',
  control: 'Control path: task API pause/resume (item 1)',
  growth: 'Cost of growth: audit rows (item 5)',
  soak: 'Memory over a soak (item 6)',
  startup: 'Startup and size (item 7)',
  keypress: 'Keypress to indicator (item 4)',
  instances: 'Several instances: pause throughput with 1 and 3 instances on one PostgreSQL (issue 14)',
};

export interface SectionResult {
  markdown: string;
  /** One line per goal for the summary table: [goal, figure, met?]. */
  goals: [string, string, boolean | null][];
}

type Runner = (o: BenchOptions, log: (s: string) => void) => Promise<SectionResult>;

async function runner(id: SectionId): Promise<Runner> {
  switch (id) {
    case 'engine':
      return (await import('./sections.ts')).engineSection;
    case 'precision':
      return (await import('./sections.ts')).precisionSection;
    case 'control':
      return (await import('./sections.ts')).controlSection;
    case 'growth':
      return (await import('./sections.ts')).growthSection;
    case 'soak':
      return (await import('./sections.ts')).soakSection;
    case 'startup':
      return (await import('./sections.ts')).startupSection;
    case 'keypress':
      return (await import('./sections.ts')).keypressSection;
    case 'instances':
      return (await import('./multi-instance.ts')).instancesSection;
  }
}

function parseArgs(argv: string[]): { opts: BenchOptions; only: SectionId[] | null; out: string } {
  const quick = argv.includes('--quick');
  const val = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    if (i >= 0) return argv[i + 1];
    const eq = argv.find((a) => a.startsWith(`${name}=`));
    return eq?.slice(name.length + 1);
  };
  const soak = val('--soak-seconds');
  const soakMode = argv.includes('--soak');
  const soakSeconds = soak !== undefined ? Number(soak) : soakMode ? 600 : quick ? 5 : 600;
  if (!(soakSeconds >= 5 && soakSeconds <= 3600)) throw new Error(`--soak-seconds must be 5..3600, got ${soak}`);
  const onlyRaw = val('--only');
  let only: SectionId[] | null = soakMode ? ['soak'] : null;
  if (onlyRaw !== undefined) {
    only = onlyRaw.split(',').map((s) => s.trim()) as SectionId[];
    for (const s of only) if (!ORDER.includes(s)) throw new Error(`--only: unknown section ${s} (known: ${ORDER.join(', ')})`);
  }
  const out = val('--out') ?? fileURLToPath(new URL('../docs/benchmarks.md', import.meta.url));
  return { opts: { quick, soakSeconds }, only, out };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const { opts, only, out } = parseArgs(argv);
  const command = `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`;
  const started = performance.now();
  const log = (s: string): void => console.log(`[bench ${((performance.now() - started) / 1000).toFixed(0)}s] ${s}`);
  const mach = machine();
  const loadStart = loadavg()[0]!;
  log(`${mach}; ${opts.quick ? 'quick' : 'full'} mode`);
  const fresh: Section[] = [];
  const goals: [SectionId, string, string, boolean | null][] = [];
  for (const id of only ?? ORDER) {
    const load0 = loadavg()[0]!;
    const t0 = performance.now();
    log(`section ${id} …`);
    let body: string;
    try {
      const r = await (await runner(id))(opts, log);
      body = r.markdown;
      goals.push(...r.goals.map((g): [SectionId, string, string, boolean | null] => [id, ...g]));
    } catch (e) {
      body = `**This section failed in this run:** \`${String((e as Error).stack ?? e)
        .split('\n')
        .slice(0, 4)
        .join(' / ')}\``;
      goals.push([id, TITLES[id], 'section failed', false]);
      log(`section ${id} failed: ${String(e)}`);
    }
    const secs = (performance.now() - t0) / 1000;
    const load1 = loadavg()[0]!;
    fresh.push({
      id,
      markdown: `## ${TITLES[id]}\n\n_Measured ${stamp()} with \`${command}\` (${opts.quick ? 'quick' : 'full'} mode) on ${mach}; took ${secs.toFixed(0)} s; 1-minute load average ${load0.toFixed(1)} before, ${load1.toFixed(1)} after (other work shares this machine)._\n\n${body}\n`,
    });
    log(`section ${id} done in ${secs.toFixed(0)} s`);
  }
  // Summary rows carry their section id (an HTML comment), so a partial run (--only) replaces
  // just its own rows and keeps the others from the run that measured them.
  const row = ([id, g, v, m]: [SectionId, string, string, boolean | null]): string =>
    `| ${g} | ${v} | ${m === null ? 'n/a' : m ? 'yes' : '**no**'} | <!-- goal:${id} -->`;
  const oldRows = existsSync(out)
    ? readFileSync(out, 'utf8')
        .split('\n')
        .filter((l) => /<!-- goal:[a-z]+ -->$/.test(l))
    : [];
  const ran = new Set(only ?? ORDER);
  const rows: string[] = [];
  for (const id of ORDER) {
    if (ran.has(id)) rows.push(...goals.filter((g) => g[0] === id).map(row));
    else rows.push(...oldRows.filter((l) => l.endsWith(`<!-- goal:${id} -->`)));
  }
  const runLine =
    only === null
      ? `_${stamp()}, \`${command}\`, ${mach}; whole run ${((performance.now() - started) / 1000).toFixed(0)} s; 1-minute load average ${loadStart.toFixed(1)} at the start and ${loadavg()[0]!.toFixed(1)} at the end on ${String(availableParallelism())} CPUs._`
      : `_Rows of ${[...ran].join(', ')} updated ${stamp()} by \`${command}\`; the other rows are from the run named in their section._`;
  const oldRunLines = existsSync(out) ? (/<!-- summary -->\n## Summary\n\n([\s\S]*?)\n\n\| goal/.exec(readFileSync(out, 'utf8'))?.[1] ?? '') : '';
  const summaryMd = `## Summary

${only === null ? runLine : `${oldRunLines.split('\n').filter((l) => l.trim() !== '')[0] ?? ''}\n${runLine}`}

Other sessions' builds and tests share this machine, so wall-clock figures (lag, latency,
throughput) carry their noise; CPU-time figures (CPU per call, CPU per request) much less. Each
section below names its own run, load average, and why a missed goal is missed.

| goal | figure | met? | |
| --- | --- | --- | --- |
${rows.join('\n')}
`;
  writeDoc(out, [...ORDER], fresh, summaryMd);
  log(`wrote ${out} in ${((performance.now() - started) / 1000).toFixed(0)} s total`);
}

await main();
// Children are closed; don't wait for idle keep-alive sockets and timers to run out.
process.exit(0);
