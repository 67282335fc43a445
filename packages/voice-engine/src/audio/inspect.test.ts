import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SAMPLES_PER_FRAME } from '@pause-recording/core';
import { framesInSlot, inspectWav } from './inspect.ts';
import { readWav, type WavData } from './wav-read.ts';
import { WavWriter } from './wav-writer.ts';
import { createDemoSource, writeStamp } from './sources.ts';
import { stampedFrame, tempDir } from '../../test/support/audio.ts';

/** Writes frames through WavWriter and reads them back, so inspect sees a real file. */
function record(channels: 1 | 2, build: (w: WavWriter) => void): WavData {
  const dir = tempDir();
  const p = path.join(dir, 'r.wav');
  const w = WavWriter.open(p, channels);
  build(w);
  w.close();
  const wav = readWav(p);
  fs.rmSync(dir, { recursive: true });
  return wav;
}

/** A mono mix frame with the given (slot, k) stamps summed. */
function mix(...stamps: [number, number][]): Int16Array {
  const out = new Int16Array(SAMPLES_PER_FRAME);
  for (const [slot, k] of stamps) writeStamp(out, 0, slot, k);
  return out;
}

describe('inspectWav', () => {
  it('finds runs per slot, a skipped span as two runs, and zero spans in a mono mix', () => {
    const wav = record(1, (w) => {
      for (let k = 0; k < 50; k++) w.writeFrame(mix([0, k], [2, k + 500])); // file 0..49
      w.writeSilence(25); // file 50..74: a pause kept as silence
      for (let k = 75; k < 100; k++) w.writeFrame(mix([0, k], [2, k + 500])); // file 75..99
      for (let k = 150; k < 160; k++) w.writeFrame(mix([0, k])); // skip: leg frames 100..149 cut out
    });
    const insp = inspectWav(wav);
    expect(insp).toMatchObject({ sampleRate: 8000, channelCount: 1, frames: 110, seconds: 2.2 });
    const ch = insp.channels[0]!;
    expect(ch.slots.map((s) => s.slot)).toEqual([0, 1, 2, 3]);
    expect(ch.slots[0]!.runs).toEqual([
      { from: 0, to: 49, fileFrame: 0, count: 50 },
      { from: 75, to: 99, fileFrame: 75, count: 25 },
      { from: 150, to: 159, fileFrame: 100, count: 10 },
    ]);
    expect(ch.slots[2]!.runs).toEqual([
      { from: 500, to: 549, fileFrame: 0, count: 50 },
      { from: 575, to: 599, fileFrame: 75, count: 25 },
    ]);
    expect(ch.slots[1]!.runs).toEqual([]);
    expect(ch.zeroSpans).toEqual([{ fileFrame: 50, frames: 25 }]);
    for (const s of ch.slots) expect([s.garbled, s.duplicates, s.outOfOrder]).toEqual([0, 0, 0]);
    expect(framesInSlot(ch, 2)).toEqual([...Array.from({ length: 50 }, (_, i) => 500 + i), ...Array.from({ length: 25 }, (_, i) => 575 + i)]);
  });

  it('splits runs at gaps even when the stamps stay consecutive', () => {
    const wav = record(1, (w) => {
      w.writeFrame(mix([1, 7]));
      w.writeFrame(mix([3, 1])); // slot 1 empty here
      w.writeFrame(mix([1, 8]));
    });
    expect(inspectWav(wav).channels[0]!.slots[1]!.runs).toEqual([
      { from: 7, to: 7, fileFrame: 0, count: 1 },
      { from: 8, to: 8, fileFrame: 2, count: 1 },
    ]);
  });

  it('counts duplicates, out-of-order and garbled frames per slot', () => {
    const wav = record(1, (w) => {
      for (const k of [0, 1, 2, 2, 3, 1, 4]) w.writeFrame(mix([3, k])); // a repeat, then a step back
      const bad = mix([3, 5]);
      bad[120] = 11999;
      w.writeFrame(bad);
      w.writeFrame(mix([3, 6]));
    });
    const s = inspectWav(wav).channels[0]!.slots[3]!;
    expect(s).toMatchObject({ duplicates: 1, outOfOrder: 1, garbled: 1 });
    expect(s.runs).toEqual([
      { from: 0, to: 2, fileFrame: 0, count: 3 },
      { from: 2, to: 3, fileFrame: 3, count: 2 },
      { from: 1, to: 1, fileFrame: 5, count: 1 },
      { from: 4, to: 4, fileFrame: 6, count: 1 },
      { from: 6, to: 6, fileFrame: 8, count: 1 },
    ]);
  });

  it('inspects each channel of a dual recording on its own, with zero spans at the edges', () => {
    const wav = record(2, (w) => {
      w.writeSilence(3);
      for (let k = 0; k < 10; k++) w.writeFrame(stampedFrame([0, k], k < 6 ? null : [1, k]));
      w.writeSilence(2);
    });
    const [left, right] = inspectWav(wav).channels;
    expect(left!.slots[0]!.runs).toEqual([{ from: 0, to: 9, fileFrame: 3, count: 10 }]);
    expect(left!.slots[1]!.runs).toEqual([]);
    expect(right!.slots[1]!.runs).toEqual([{ from: 6, to: 9, fileFrame: 9, count: 4 }]);
    expect(right!.slots[0]!.runs).toEqual([]);
    expect(left!.zeroSpans).toEqual([
      { fileFrame: 0, frames: 3 },
      { fileFrame: 13, frames: 2 },
    ]);
    expect(right!.zeroSpans).toEqual([
      { fileFrame: 0, frames: 9 },
      { fileFrame: 13, frames: 2 },
    ]);
    expect(right!.channel).toBe(1);
  });

  it('does not call a frame with one non-zero sample silent, and sees demo audio as garbled', () => {
    const demo = createDemoSource(0);
    const out = new Int16Array(SAMPLES_PER_FRAME);
    const wav = record(1, (w) => {
      const nearly = new Int16Array(SAMPLES_PER_FRAME);
      nearly[159] = 1; // outside every slot: only the zero-span check can see it
      w.writeFrame(nearly);
      for (let k = 0; k < 100; k++) {
        demo.fill(out, k);
        w.writeFrame(out);
      }
    });
    const ch = inspectWav(wav).channels[0]!;
    expect(ch.zeroSpans.some((z) => z.fileFrame === 0)).toBe(false);
    expect(ch.slots.every((s) => s.runs.length === 0)).toBe(true);
    expect(ch.slots[0]!.garbled).toBeGreaterThan(20);
  });

  it('refuses audio that is not 8 kHz', () => {
    const wav: WavData = { sampleRate: 16000, channels: 1, bitsPerSample: 16, frames: 0, channelData: [new Int16Array(0)] };
    expect(() => inspectWav(wav)).toThrow(/8000 Hz/);
  });
});
