/** Each benchmark as a doc section plus its goal lines for the summary. */
import { runEngineCapacity, type CapacityRow } from './engine-capacity.ts';
import { runPausePrecision } from './pause-precision.ts';
import { f, type BenchOptions } from './lib/report.ts';
import type { SectionResult } from './run.ts';

type Log = (s: string) => void;

export async function engineSection(o: BenchOptions, log: Log): Promise<SectionResult> {
  const { rows, markdown } = await runEngineCapacity(o, log);
  const ok = rows.filter((r) => r.realTime);
  const best = ok.length ? Math.max(...ok.map((r) => r.calls)) : 0;
  const firstBad = rows.find((r) => !r.realTime);
  const at2000 = rows.find((r) => r.calls === 2000);
  const base = rows[0]!;
  const top = rows[rows.length - 1]!;
  const slope = top === base ? NaN : (top.rssBytes - base.rssBytes) / (top.calls - base.calls);
  const perCallCore = median(rows.map((r) => r.cpuUsPerCallSecond));
  const projected = 1e6 / perCallCore;
  const analysis = explainCapacity(rows, projected, perCallCore);
  return {
    markdown: `${markdown}\n\n${analysis}`,
    goals: [
      [
        '≥ 2,000 concurrent dual-channel recorded calls in real time (lag ≤ 1 frame)',
        at2000
          ? `2,000 calls: max lag ${at2000.maxLagFrames} frames, ${f(at2000.cpuCorePct)}% of a core; largest real-time level ${best}${firstBad ? `, first miss at ${firstBad.calls}` : ''}; CPU model predicts ${f(projected, 0)} calls per core`
          : `largest real-time level ${best}`,
        at2000 ? at2000.realTime : null,
      ],
      ['< 1 MB engine memory per live recorded call', `${f(slope / 1024, 0)} KiB per call (RSS slope ${base.calls}→${top.calls} calls)`, Number.isFinite(slope) ? slope < 2 ** 20 : null],
      [
        'WAV bytes per call vs the 32 KB/s floor',
        `${f(median(rows.filter((r) => r.realTime).map((r) => r.wavBytesPerCallSecond / 32000)), 3)} × floor (real-time levels)`,
        null,
      ],
    ],
  };
}

function median(v: number[]): number {
  const s = v.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : NaN;
}

function explainCapacity(rows: CapacityRow[], projected: number, perCallCore: number): string {
  const bad = rows.filter((r) => !r.realTime);
  const lines = [
    `**What limits it.** The engine does all audio work on one thread: every 20 ms frame it steps each
leg, fills each leg's frame from its source, mixes each conference, and for each recording computes
what the leg hears, interleaves and clamps both channels, and appends to the WAV buffer (flushed
to disk once per second of audio per recording, on each recording's own phase). That costs a
near-constant CPU time per call per frame (column "CPU per call"; the "× at 100" column shows how
flat it stays — a superlinear term would show up there), so the ceiling is one core:
1,000,000 µs of CPU per second ÷ ${f(perCallCore, 0)} µs per call-second (median) ≈ **${f(projected, 0)} calls per core** before the
clock must fall behind. GC is rare (the per-frame path allocates nothing); the "frame work max"
and event-loop-delay columns show single long frames, usually the flush of many recordings
that share a phase or the scheduler giving the core to another process on this shared machine.`,
  ];
  if (bad.length) {
    lines.push(
      `Levels that missed real time: ${bad.map((r) => `${r.calls} (lag ${r.maxLagFrames} frames, ${f(r.cpuCorePct)}% of a core)`).join('; ')}. ` +
        `When one frame's work passes 20 ms the clock catches up in bursts (up to 250 frames) and lag grows without bound.`,
    );
  }
  lines.push(`**What would lift it.** Split calls across worker threads (conferences are independent, so
the frame loop shards cleanly; 2 cores ⇒ about 2× calls); move the WAV appends to the libuv thread
pool (async \`fs.write\`, still ordered per file) so the main thread only fills buffers; and
write the interleaved frame straight into the writer's buffer instead of a scratch frame.`);
  return lines.join('\n\n');
}

export async function precisionSection(o: BenchOptions, log: Log): Promise<SectionResult> {
  const r = await runPausePrecision(o, log);
  const maxGap = Math.max(...r.gapFrames);
  return {
    markdown: r.markdown,
    goals: [
      ['0 frames captured after an acknowledged pause', `${r.framesAfterAck} after ack, ${r.leakedFrames} while paused, over ${r.pauses} pauses`, r.leakedFrames === 0 && r.framesAfterAck === 0],
      ['pause takes effect within one frame', `max gap ${maxGap} frames (0 = the frame in progress)`, maxGap <= 1],
    ],
  };
}

const notYet = (what: string): SectionResult => ({ markdown: `Not measured yet: ${what}.`, goals: [] });

export async function controlSection(): Promise<SectionResult> {
  return notYet('control path');
}
export async function growthSection(): Promise<SectionResult> {
  return notYet('audit growth');
}
export async function soakSection(): Promise<SectionResult> {
  return notYet('soak');
}
export async function startupSection(): Promise<SectionResult> {
  return notYet('startup');
}
export async function keypressSection(): Promise<SectionResult> {
  return notYet('keypress');
}
