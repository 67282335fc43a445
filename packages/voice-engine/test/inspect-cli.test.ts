import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SAMPLES_PER_FRAME } from '@pause-recording/core';
import { WavWriter } from '../src/audio/wav-writer.ts';
import { inspectWav } from '../src/audio/inspect.ts';
import { readWav } from '../src/audio/wav-read.ts';
import { stampedFrame, tempDir } from './support/audio.ts';

const cli = fileURLToPath(new URL('../src/inspect-cli.ts', import.meta.url));
const repo = fileURLToPath(new URL('../../..', import.meta.url));
/** Per test: each spawn starts node with tsx (~3 s of a loaded machine); a hang bound, not a speed check. */
const SPAWN_TIMEOUT_MS = 120_000;
const dir = tempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: repo, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** ch1: slot0 frames 0..49, 1 s of silence, then 100..149; ch2: slot1 0..149 with a repeat. */
function dualFile(): string {
  const p = path.join(dir, 'dual.wav');
  const w = WavWriter.open(p, 2);
  for (let k = 0; k < 50; k++) w.writeFrame(stampedFrame([0, k], [1, k]));
  for (let k = 50; k < 100; k++) w.writeFrame(stampedFrame(null, [1, k]));
  for (let k = 100; k < 150; k++) w.writeFrame(stampedFrame([0, k], [1, k === 120 ? 119 : k]));
  w.close();
  return p;
}

describe('inspect CLI', { timeout: SPAWN_TIMEOUT_MS }, () => {
  it('prints format, runs, zero spans and counts per channel', () => {
    const p = dualFile();
    const r = run(p);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out.trim().split('\n')).toEqual([
      `${p}: 8000 Hz, 2 channels, 3.00s (150 frames)`,
      'ch1 slot0: frames 0..49 (file 0..49), 100..149 (file 100..149)',
      'ch1 zeros: 1.00s..2.00s (50 frames)',
      'ch1 garbled: 0, duplicates: 0, out-of-order: 0',
      'ch2 slot1: frames 0..119 (file 0..119), 119..119 (file 120..120), 121..149 (file 121..149)',
      'ch2 zeros: none',
      'ch2 garbled: 0, duplicates: 1 (slot1 1), out-of-order: 0',
    ]);
  });

  it('prints the Inspection as JSON with --json', () => {
    const p = dualFile();
    const r = run('--json', p);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual(inspectWav(readWav(p)));
  });

  it('reports a file without stamps, and garbled frames by slot', () => {
    const p = path.join(dir, 'mono.wav');
    const w = WavWriter.open(p, 1);
    const bad = new Int16Array(SAMPLES_PER_FRAME);
    bad[45] = 5;
    w.writeFrame(bad);
    w.close();
    expect(run(p).out.trim().split('\n')).toEqual([
      `${p}: 8000 Hz, 1 channel, 0.02s (1 frames)`,
      'ch1: no stamped frames',
      'ch1 zeros: none',
      'ch1 garbled: 1 (slot1 1), duplicates: 0, out-of-order: 0',
    ]);
  });

  it('exits 1 with a usage line, a missing file or a non-WAV', () => {
    const none = run();
    expect(none.code).toBe(1);
    expect(none.err).toMatch(/^usage: npm run inspect -- <file.wav> \[--json\]/);
    expect(run('a.wav', 'b.wav').code).toBe(1);
    const missing = run(path.join(dir, 'missing.wav'));
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/no such file: .*missing\.wav/);
    const text = path.join(dir, 'notes.wav');
    fs.writeFileSync(text, 'just some text, not audio');
    const notWav = run(text);
    expect(notWav.code).toBe(1);
    expect(notWav.err).toMatch(/notes\.wav: not a WAV file/);
    expect(notWav.out).toBe('');
  });
});
