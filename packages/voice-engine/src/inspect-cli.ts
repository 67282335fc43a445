/**
 * `npm run inspect -- file.wav [--json]`: shows which stamped leg frames a recording holds,
 * where its exact-zero spans are, and any garbled, duplicate or out-of-order frames.
 */
import fs from 'node:fs';
import path from 'node:path';
import { FRAMES_PER_SECOND } from '@pause-recording/core';
import { inspectWav, type ChannelInspection, type Inspection } from './audio/inspect.ts';
import { readWav } from './audio/wav-read.ts';

const USAGE = 'usage: npm run inspect -- <file.wav> [--json]';

function seconds(frames: number): string {
  return `${(frames / FRAMES_PER_SECOND).toFixed(2)}s`;
}

/** "3 (slot0 2, slot2 1)" or "0". */
function count(ch: ChannelInspection, key: 'garbled' | 'duplicates' | 'outOfOrder'): string {
  const parts = ch.slots.filter((s) => s[key] > 0).map((s) => `slot${s.slot} ${s[key]}`);
  const total = ch.slots.reduce((sum, s) => sum + s[key], 0);
  return parts.length ? `${total} (${parts.join(', ')})` : '0';
}

function format(file: string, insp: Inspection): string {
  const lines = [
    `${file}: ${insp.sampleRate} Hz, ${insp.channelCount} channel${insp.channelCount === 1 ? '' : 's'}, ` + `${seconds(insp.frames)} (${insp.frames} frames)`,
  ];
  for (const ch of insp.channels) {
    const name = `ch${ch.channel + 1}`;
    const stamped = ch.slots.filter((s) => s.runs.length > 0);
    for (const s of stamped) {
      const runs = s.runs.map((r) => `${r.from}..${r.to} (file ${r.fileFrame}..${r.fileFrame + r.count - 1})`);
      lines.push(`${name} slot${s.slot}: frames ${runs.join(', ')}`);
    }
    if (stamped.length === 0) lines.push(`${name}: no stamped frames`);
    const zeros = ch.zeroSpans.map((z) => `${seconds(z.fileFrame)}..${seconds(z.fileFrame + z.frames)} (${z.frames} frames)`);
    lines.push(`${name} zeros: ${zeros.length ? zeros.join(', ') : 'none'}`);
    lines.push(`${name} garbled: ${count(ch, 'garbled')}, duplicates: ${count(ch, 'duplicates')}, ` + `out-of-order: ${count(ch, 'outOfOrder')}`);
  }
  return lines.join('\n');
}

function main(argv: string[]): number {
  const json = argv.includes('--json');
  const rest = argv.filter((a) => a !== '--json');
  const arg = rest[0];
  if (rest.length !== 1 || arg === undefined || arg.startsWith('-')) {
    console.error(USAGE);
    return 1;
  }
  // `npm run inspect` runs in the repo root; resolve a relative path where the user typed it.
  const file = process.env.npm_lifecycle_event === 'inspect' ? path.resolve(process.env.INIT_CWD ?? '.', arg) : arg;
  if (!fs.existsSync(file)) {
    console.error(`inspect: no such file: ${file}`);
    return 1;
  }
  let insp: Inspection;
  try {
    insp = inspectWav(readWav(file));
  } catch (err) {
    console.error(`inspect: ${file}: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
  console.log(json ? JSON.stringify(insp, null, 2) : format(file, insp));
  return 0;
}

process.exitCode = main(process.argv.slice(2));
