/** Shared bits for bench scripts: machine description, formatting, stats, doc sections. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';

export interface BenchOptions {
  quick: boolean;
  /** Soak length in seconds (item 6). */
  soakSeconds: number;
}

export function machine(): string {
  let nproc = String(os.availableParallelism());
  try {
    nproc = execFileSync('nproc', { encoding: 'utf8' }).trim();
  } catch {
    // os.availableParallelism() above
  }
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  const memGb = (os.totalmem() / 2 ** 30).toFixed(1);
  return `nproc ${nproc}, ${cpu}, ${memGb} GiB RAM, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

export function stamp(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

export function pct(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function summary(values: readonly number[]): { n: number; min: number; p50: number; p95: number; p99: number; max: number; mean: number } {
  const s = [...values].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / (s.length || 1);
  return { n: s.length, min: s[0] ?? NaN, p50: pct(s, 50), p95: pct(s, 95), p99: pct(s, 99), max: s[s.length - 1] ?? NaN, mean };
}

/** Fixed-precision number, '–' for NaN. */
export function f(v: number, digits = 1): string {
  return Number.isFinite(v) ? v.toFixed(digits) : '–';
}

export function mb(bytes: number, digits = 1): string {
  return f(bytes / 2 ** 20, digits);
}

export function table(head: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]): string => `| ${cells.map(String).join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

/** The markdown of one section, replaced as a whole when that section runs again. */
export interface Section {
  id: string;
  markdown: string;
}

const DOC_HEAD = `# Benchmarks

Written by \`npm run bench\` (bench/run.ts); do not edit by hand. Every section says when, on what
machine and with which command it was measured. Baselines are measured in the same run; ratios
sit beside the figures. Load goes only to 127.0.0.1. No test asserts on timings: these are
measurements, not pass/fail checks.
`;

/**
 * Rewrites `path`: the head, then the sections in `order`. Sections that ran now replace their
 * old text; sections that did not run this time keep the text of their last run (marked with
 * its own date and command), so `--only` refreshes part of the document.
 */
export function writeDoc(path: string, order: string[], fresh: Section[], summaryMd: string | null): void {
  const old = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const oldSection = (id: string): string | null => {
    const m = new RegExp(`<!-- section:${id} -->\\n([\\s\\S]*?)<!-- /section:${id} -->`).exec(old);
    return m ? m[1]! : null;
  };
  const oldSummary = /<!-- summary -->\n([\s\S]*?)<!-- \/summary -->/.exec(old)?.[1] ?? null;
  const parts = [DOC_HEAD];
  const sum = summaryMd ?? oldSummary;
  if (sum !== null) parts.push(`<!-- summary -->\n${sum.trimEnd()}\n<!-- /summary -->\n`);
  for (const id of order) {
    const s = fresh.find((x) => x.id === id)?.markdown ?? oldSection(id);
    if (s === null) continue;
    parts.push(`<!-- section:${id} -->\n${s.trimEnd()}\n<!-- /section:${id} -->\n`);
  }
  writeFileSync(path, parts.join('\n'));
}
