import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import wavefile from 'wavefile';
import { SAMPLES_PER_FRAME } from '@pause-recording/core';
import { WAV_HEADER_BYTES, WavWriter, repairWav } from './wav-writer.ts';
import { readWav } from './wav-read.ts';
import { inspectWav } from './inspect.ts';
import { stampedFrame, tempDir } from '../../test/support/audio.ts';

const dirs: string[] = [];
function file(name: string): string {
  const dir = tempDir();
  dirs.push(dir);
  return path.join(dir, name);
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const MONO_FRAME_BYTES = SAMPLES_PER_FRAME * 2;

/** A closed mono recording of stamps 0..n-1 in slot 0. */
function recording(p: string, n: number): void {
  const w = WavWriter.open(p, 1);
  for (let k = 0; k < n; k++) w.writeFrame(stampedFrame([0, k]));
  w.close();
}

/** Raw little-endian PCM of stamps first..first+n-1, as a crashed flush would have appended. */
function pcm(first: number, n: number): Buffer {
  const parts: Buffer[] = [];
  for (let k = first; k < first + n; k++) {
    const f = stampedFrame([0, k]);
    parts.push(Buffer.from(f.buffer, f.byteOffset, f.byteLength));
  }
  return Buffer.concat(parts);
}

function slot0Runs(p: string): { from: number; to: number; fileFrame: number; count: number }[] {
  return inspectWav(readWav(p)).channels[0]!.slots[0]!.runs;
}

describe('repairWav', () => {
  it('recovers PCM written after the last header update (crash between the two writes)', () => {
    const p = file('stale.wav');
    recording(p, 50);
    fs.appendFileSync(p, pcm(50, 30));
    expect(readWav(p).frames).toBe(50); // stale header: still valid, but hides 30 frames
    expect(repairWav(p)).toEqual({ frames: 80, channels: 1, repaired: true });
    expect(slot0Runs(p)).toEqual([{ from: 0, to: 79, fileFrame: 0, count: 80 }]);
    expect(new wavefile.WaveFile(fs.readFileSync(p)).getSamples(true, Int16Array).length).toBe(80 * SAMPLES_PER_FRAME);
  });

  it('cuts a partial trailing frame and fixes sizes that claim too much', () => {
    const p = file('partial.wav');
    recording(p, 75);
    // Cut mid-frame: 60 whole frames and 100 bytes of the 61st remain, header still says 75.
    fs.truncateSync(p, WAV_HEADER_BYTES + 60 * MONO_FRAME_BYTES + 100);
    expect(() => readWav(p)).toThrow(/truncated/);
    expect(repairWav(p)).toEqual({ frames: 60, channels: 1, repaired: true });
    expect(fs.statSync(p).size).toBe(WAV_HEADER_BYTES + 60 * MONO_FRAME_BYTES);
    expect(slot0Runs(p)).toEqual([{ from: 0, to: 59, fileFrame: 0, count: 60 }]);
  });

  it('cuts a partial frame appended after a valid header (dual channel)', () => {
    const p = file('dual.wav');
    const w = WavWriter.open(p, 2);
    for (let k = 0; k < 20; k++) w.writeFrame(stampedFrame([0, k], [3, k]));
    w.close();
    fs.appendFileSync(p, Buffer.alloc(MONO_FRAME_BYTES + 2, 1)); // less than one stereo frame
    expect(repairWav(p)).toEqual({ frames: 20, channels: 2, repaired: true });
    expect(fs.statSync(p).size).toBe(WAV_HEADER_BYTES + 20 * 2 * MONO_FRAME_BYTES);
    const insp = inspectWav(readWav(p));
    expect(insp.channels[1]!.slots[3]!.runs).toEqual([{ from: 0, to: 19, fileFrame: 0, count: 20 }]);
  });

  it('leaves a valid file alone', () => {
    const p = file('ok.wav');
    recording(p, 7);
    const before = fs.readFileSync(p);
    expect(repairWav(p)).toEqual({ frames: 7, channels: 1, repaired: false });
    expect(fs.readFileSync(p).equals(before)).toBe(true);
  });

  it('turns a file without a whole header into a valid empty WAV', () => {
    const p = file('stub.wav');
    fs.writeFileSync(p, Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt ', 'latin1'));
    expect(repairWav(p, 2)).toEqual({ frames: 0, channels: 2, repaired: true });
    expect(readWav(p)).toMatchObject({ channels: 2, frames: 0, sampleRate: 8000 });
    const empty = file('empty.wav');
    fs.writeFileSync(empty, '');
    expect(repairWav(empty)).toEqual({ frames: 0, channels: 1, repaired: true });
    expect(readWav(empty).channels).toBe(1);
  });

  it('refuses to touch a file that is not ours', () => {
    const p = file('other.wav');
    const junk = Buffer.alloc(500, 0x41);
    fs.writeFileSync(p, junk);
    expect(() => repairWav(p)).toThrow(/not a 16-bit PCM 8 kHz WAV/);
    expect(fs.readFileSync(p).equals(junk)).toBe(true);
  });

  it('WavWriter.reopen continues a crashed recording after the last whole frame', () => {
    const p = file('resume.wav');
    const first = WavWriter.open(p, 1);
    for (let k = 0; k < 60; k++) first.writeFrame(stampedFrame([0, k]));
    first.flush(); // then "crash": a half-written frame follows, the writer never closes
    fs.appendFileSync(p, pcm(60, 1).subarray(0, 90));
    const second = WavWriter.reopen(p);
    expect(second.frames).toBe(60);
    for (let k = 60; k < 80; k++) second.writeFrame(stampedFrame([0, k]));
    expect(second.close()).toEqual({ frames: 80, bytes: WAV_HEADER_BYTES + 80 * MONO_FRAME_BYTES });
    expect(slot0Runs(p)).toEqual([{ from: 0, to: 79, fileFrame: 0, count: 80 }]);
  });

  it('recovers every flushed frame after kill -9 of a writing process', async () => {
    const p = file('killed.wav');
    const writer = fileURLToPath(new URL('./wav-writer.ts', import.meta.url));
    const util = fileURLToPath(new URL('../../test/support/audio.ts', import.meta.url));
    const script = path.join(path.dirname(p), 'writer.mts'); // .mts: the temp dir has no package.json saying ESM
    // Writes stamped frames forever, reporting flushedFrames after each automatic flush.
    fs.writeFileSync(
      script,
      `import { WavWriter } from ${JSON.stringify(writer)};
       import { stampedFrame } from ${JSON.stringify(util)};
       const w = WavWriter.open(${JSON.stringify(p)}, 1);
       let k = 0, last = 0;
       for (;;) {
         w.writeFrame(stampedFrame([0, k++]));
         if (w.flushedFrames !== last) { last = w.flushedFrames; process.stdout.write(last + '\\n'); }
         if (k % 50 === 7) await new Promise((r) => setTimeout(r, 1));
       }`,
    );
    const repo = fileURLToPath(new URL('../../../..', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] });
    let reported = 0;
    await new Promise<void>((resolve, reject) => {
      child.on('error', reject);
      child.stdout.on('data', (d: Buffer) => {
        const lines = d.toString().trim().split('\n');
        reported = Number(lines[lines.length - 1]);
        if (reported >= 500) child.kill('SIGKILL');
      });
      child.on('exit', () => resolve());
    });
    expect(reported).toBeGreaterThanOrEqual(500);
    const r = repairWav(p);
    expect(r.frames).toBeGreaterThanOrEqual(reported);
    expect(slot0Runs(p)).toEqual([{ from: 0, to: r.frames - 1, fileFrame: 0, count: r.frames }]);
  });
});
