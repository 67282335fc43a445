import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import wavefile from 'wavefile';
import { SAMPLES_PER_FRAME } from '@pause-recording/core';
import { WAV_HEADER_BYTES, WavWriter } from './wav-writer.ts';
import { readWav } from './wav-read.ts';
import { decodeStampFrame } from './stamp-decode.ts';
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

/** Concatenation of frames, as the file's interleaved PCM should hold them. */
function concat(frames: Int16Array[]): Int16Array {
  const out = new Int16Array(frames.reduce((n, f) => n + f.length, 0));
  let at = 0;
  for (const f of frames) {
    out.set(f, at);
    at += f.length;
  }
  return out;
}

function interleave(channels: Int16Array[]): Int16Array {
  const n = channels[0]!.length;
  const out = new Int16Array(n * channels.length);
  for (let i = 0; i < n; i++) channels.forEach((c, ch) => (out[i * channels.length + ch] = c[i]!));
  return out;
}

/** Checks the file with the independent `wavefile` parser and returns its interleaved samples. */
function viaWavefile(p: string, channels: number): Int16Array {
  const wf = new wavefile.WaveFile(fs.readFileSync(p));
  const fmt = wf.fmt as { audioFormat: number; numChannels: number; sampleRate: number; bitsPerSample: number };
  expect(fmt).toMatchObject({ audioFormat: 1, numChannels: channels, sampleRate: 8000, bitsPerSample: 16 });
  expect(wf.bitDepth).toBe('16');
  return Int16Array.from(wf.getSamples(true, Int16Array));
}

/** Stamps 0..n-1 in slot `slot` of channel 0 (and slot+1, k+1000 in channel 1 when dual). */
function frames(n: number, channels: 1 | 2, first = 0): Int16Array[] {
  return Array.from({ length: n }, (_, i) => (channels === 1 ? stampedFrame([0, first + i]) : stampedFrame([0, first + i], [1, first + i + 1000])));
}

describe('WavWriter', () => {
  for (const channels of [1, 2] as const) {
    it(`writes a ${channels}-channel WAV that wavefile and readWav both read back exactly`, () => {
      const p = file(`out${channels}.wav`);
      const written = frames(130, channels); // crosses two automatic flushes
      const w = WavWriter.open(p, channels);
      for (const f of written) w.writeFrame(f);
      expect(w.frames).toBe(130);
      const res = w.close();
      const bytes = WAV_HEADER_BYTES + 130 * SAMPLES_PER_FRAME * channels * 2;
      expect(res).toEqual({ frames: 130, bytes });
      expect(fs.statSync(p).size).toBe(bytes);
      const expected = concat(written);
      expect(viaWavefile(p, channels)).toEqual(expected);
      const wav = readWav(p);
      expect(wav).toMatchObject({ sampleRate: 8000, channels, bitsPerSample: 16, frames: 130 });
      expect(interleave(wav.channelData)).toEqual(expected);
    });
  }

  it('leaves a valid WAV on disk after every flush, while still open', () => {
    const p = file('live.wav');
    const w = WavWriter.open(p, 2);
    expect(readWav(p).frames).toBe(0); // header alone is a valid empty WAV
    const all = frames(140, 2);
    all.slice(0, 10).forEach((f) => w.writeFrame(f));
    expect(w.flushedFrames).toBe(0);
    expect(readWav(p).frames).toBe(0); // buffered frames are not on disk yet
    w.flush();
    expect(w.flushedFrames).toBe(10);
    expect(interleave(readWav(p).channelData)).toEqual(concat(all.slice(0, 10)));
    all.slice(10, 75).forEach((f) => w.writeFrame(f)); // 50 buffered -> automatic flush at frame 60
    expect(w.flushedFrames).toBe(60);
    expect(w.frames).toBe(75);
    expect(viaWavefile(p, 2)).toEqual(concat(all.slice(0, 60)));
    expect(readWav(p).frames).toBe(60);
    all.slice(75).forEach((f) => w.writeFrame(f));
    w.flush();
    expect(interleave(readWav(p).channelData)).toEqual(concat(all));
    w.close();
  });

  it('writeSilence writes exact zeros of the given length, even over reused buffer space', () => {
    const p = file('silence.wav');
    const w = WavWriter.open(p, 1);
    frames(53, 1).forEach((f) => w.writeFrame(f)); // the buffer now holds old stamps
    w.writeSilence(120);
    w.writeSilence(0);
    frames(2, 1, 53).forEach((f) => w.writeFrame(f));
    expect(w.close().frames).toBe(175);
    const wav = readWav(p);
    const s = wav.channelData[0]!;
    expect(wav.frames).toBe(175);
    expect(decodeStampFrame(s, 52 * SAMPLES_PER_FRAME, 0)).toBe(52);
    expect(s.subarray(53 * SAMPLES_PER_FRAME, 173 * SAMPLES_PER_FRAME).every((v) => v === 0)).toBe(true);
    expect(decodeStampFrame(s, 173 * SAMPLES_PER_FRAME, 0)).toBe(53);
    expect(decodeStampFrame(s, 174 * SAMPLES_PER_FRAME, 0)).toBe(54);
  });

  it('rejects wrong frame sizes, bad counts and use after close; close is idempotent', () => {
    const p = file('bad.wav');
    const w = WavWriter.open(p, 2);
    expect(() => w.writeFrame(new Int16Array(160))).toThrow(RangeError);
    expect(() => w.writeSilence(-1)).toThrow(RangeError);
    expect(() => w.writeSilence(1.5)).toThrow(RangeError);
    w.writeFrame(new Int16Array(320));
    expect(w.close()).toEqual({ frames: 1, bytes: WAV_HEADER_BYTES + 640 });
    expect(w.close()).toEqual({ frames: 1, bytes: WAV_HEADER_BYTES + 640 });
    expect(() => w.writeFrame(new Int16Array(320))).toThrow(/closed/);
    expect(() => WavWriter.open(p, 3 as 1)).toThrow(RangeError);
  });

  it('open() replaces an existing file', () => {
    const p = file('again.wav');
    fs.writeFileSync(p, Buffer.alloc(10_000, 7));
    WavWriter.open(p, 1).close();
    expect(fs.statSync(p).size).toBe(WAV_HEADER_BYTES);
    expect(readWav(p).frames).toBe(0);
  });
});
