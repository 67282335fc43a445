import { describe, expect, it } from 'vitest';
import { SAMPLES_PER_FRAME, STAMP_AMPLITUDE, STAMP_SLOTS } from '@pause-recording/core';
import { createDemoSource, createStampedSource, writeStamp } from './sources.ts';
import { decodeStampFrame } from './stamp-decode.ts';
import { DEMO_PEAK } from './demo-voice.ts';

const KS = [0, 1, 2, 3, 49, 50, 12345, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 2, 2 ** 32 - 1];

function frame(fillWith = 0): Int16Array {
  return new Int16Array(SAMPLES_PER_FRAME).fill(fillWith);
}

describe('stamped source', () => {
  it('round-trips every slot and edge k, overwriting the whole frame', () => {
    for (let slot = 0; slot < STAMP_SLOTS; slot++) {
      const src = createStampedSource(slot);
      expect(src.kind).toBe('stamped');
      expect(src.slot).toBe(slot);
      for (const k of KS) {
        const out = frame(777); // stale data must be overwritten
        src.fill(out, k);
        expect(decodeStampFrame(out, 0, slot)).toBe(k);
        for (let other = 0; other < STAMP_SLOTS; other++) {
          if (other !== slot) expect(decodeStampFrame(out, 0, other)).toBeNull();
        }
        const nonZero = [...out.keys()].filter((i) => out[i] !== 0);
        expect(nonZero).toEqual(Array.from({ length: 32 }, (_, b) => slot * 40 + b));
      }
    }
  });

  it('encodes MSB first as +12000 for 1 and -12000 for 0', () => {
    const out = frame();
    createStampedSource(1).fill(out, 0x80000001);
    const bits = Array.from(out.subarray(40, 72));
    expect(bits[0]).toBe(STAMP_AMPLITUDE);
    expect(bits.slice(1, 31).every((v) => v === -STAMP_AMPLITUDE)).toBe(true);
    expect(bits[31]).toBe(STAMP_AMPLITUDE);
    createStampedSource(0).fill(out, 5); // 0b101
    expect(Array.from(out.subarray(29, 32))).toEqual([STAMP_AMPLITUDE, -STAMP_AMPLITUDE, STAMP_AMPLITUDE]);
  });

  it('writeStamp writes at an offset into a longer buffer and touches only the slot', () => {
    const buf = new Int16Array(3 * SAMPLES_PER_FRAME).fill(5);
    writeStamp(buf, 2 * SAMPLES_PER_FRAME, 3, 99);
    expect(decodeStampFrame(buf, 2 * SAMPLES_PER_FRAME, 3)).toBe(99);
    expect(buf[2 * SAMPLES_PER_FRAME + 119]).toBe(5);
    expect(buf[2 * SAMPLES_PER_FRAME + 152]).toBe(5);
  });

  it('rejects slots outside 0..3', () => {
    expect(() => createStampedSource(4)).toThrow(RangeError);
    expect(() => createStampedSource(-1)).toThrow(RangeError);
    expect(() => createDemoSource(1.5)).toThrow(RangeError);
  });
});

describe('demo source', () => {
  const seconds = 20;
  function render(slot: number, seed?: number, frames = seconds * 50): Int16Array {
    const src = createDemoSource(slot, seed);
    const all = new Int16Array(frames * SAMPLES_PER_FRAME);
    const out = frame();
    for (let k = 0; k < frames; k++) {
      out.fill(31000); // stale data must be overwritten, even in pauses
      src.fill(out, k);
      all.set(out, k * SAMPLES_PER_FRAME);
    }
    return all;
  }

  it('is audible, bounded near 6000 and pauses between phrases', () => {
    for (let slot = 0; slot < STAMP_SLOTS; slot++) {
      const pcm = render(slot);
      let peak = 0;
      let energy = 0;
      for (const v of pcm) {
        peak = Math.max(peak, Math.abs(v));
        energy += v * v;
      }
      expect(peak).toBeLessThanOrEqual(DEMO_PEAK);
      expect(peak).toBeGreaterThan(DEMO_PEAK * 0.9);
      expect(Math.sqrt(energy / pcm.length)).toBeGreaterThan(500);
      let silentFrames = 0;
      for (let f = 0; f < pcm.length / SAMPLES_PER_FRAME; f++) {
        if (pcm.subarray(f * SAMPLES_PER_FRAME, (f + 1) * SAMPLES_PER_FRAME).every((v) => v === 0)) silentFrames++;
      }
      const frames = pcm.length / SAMPLES_PER_FRAME;
      expect(silentFrames).toBeGreaterThan(frames * 0.1);
      expect(silentFrames).toBeLessThan(frames * 0.6);
    }
  });

  it('never clips when four slots are mixed', () => {
    const mixes = [0, 1, 2, 3].map((s) => render(s, s * 7));
    let peak = 0;
    for (let i = 0; i < mixes[0]!.length; i++) {
      peak = Math.max(peak, Math.abs(mixes[0]![i]! + mixes[1]![i]! + mixes[2]![i]! + mixes[3]![i]!));
    }
    expect(peak).toBeLessThanOrEqual(32767);
    expect(peak).toBeGreaterThan(DEMO_PEAK);
  });

  it('is deterministic, differs per slot and per seed', () => {
    const a = render(1, 3, 500);
    expect(render(1, 3, 500)).toEqual(a);
    expect(render(2, 3, 500)).not.toEqual(a);
    expect(render(1, 4, 500)).not.toEqual(a);
    expect(createDemoSource(0).kind).toBe('demo');
    expect(createDemoSource(2).slot).toBe(2);
  });
});
