import { describe, expect, it } from 'vitest';
import { SAMPLES_PER_FRAME, STAMP_AMPLITUDE } from '@pause-recording/core';
import { createDemoSource, createStampedSource } from './sources.ts';
import { decodeStampFrame } from './stamp-decode.ts';

function stamped(slot: number, k: number): Int16Array {
  const out = new Int16Array(SAMPLES_PER_FRAME);
  createStampedSource(slot).fill(out, k);
  return out;
}

describe('decodeStampFrame', () => {
  it('returns null for an all-zero slot', () => {
    expect(decodeStampFrame(new Int16Array(SAMPLES_PER_FRAME), 0, 2)).toBeNull();
  });

  it('decodes every slot of a sample-wise sum of legs', () => {
    const ks = [0, 2 ** 32 - 1, 2 ** 31, 777];
    const mix = new Int16Array(SAMPLES_PER_FRAME);
    ks.forEach((k, slot) => stamped(slot, k).forEach((v, i) => (mix[i] = mix[i]! + v)));
    ks.forEach((k, slot) => expect(decodeStampFrame(mix, 0, slot)).toBe(k));
    // A mix of two slots leaves the others empty.
    const two = stamped(0, 5).map((v, i) => v + stamped(3, 6)[i]!);
    expect([0, 1, 2, 3].map((s) => decodeStampFrame(two, 0, s))).toEqual([5, null, null, 6]);
  });

  it('decodes a frame at an offset inside a longer buffer (plain arrays too)', () => {
    const buf = new Array<number>(3 * SAMPLES_PER_FRAME).fill(0);
    stamped(1, 42).forEach((v, i) => (buf[SAMPLES_PER_FRAME + i] = v));
    expect(decodeStampFrame(buf, SAMPLES_PER_FRAME, 1)).toBe(42);
    expect(decodeStampFrame(buf, 0, 1)).toBeNull();
    expect(decodeStampFrame(buf, 2 * SAMPLES_PER_FRAME, 1)).toBeNull();
  });

  it('calls anything but exact +/-12000 garbled', () => {
    const off = stamped(2, 1234);
    off[80 + 7] = off[80 + 7]! + 1;
    expect(decodeStampFrame(off, 0, 2)).toBe('garbled');
    const hole = stamped(2, 1234);
    hole[80 + 31] = 0; // one zero bit among stamps
    expect(decodeStampFrame(hole, 0, 2)).toBe('garbled');
    const lone = new Int16Array(SAMPLES_PER_FRAME);
    lone[0] = STAMP_AMPLITUDE; // a single stamp-like sample in an otherwise empty slot
    expect(decodeStampFrame(lone, 0, 0)).toBe('garbled');
    const sameSlot = stamped(1, 1).map((v, i) => Math.max(-32768, Math.min(32767, v + stamped(1, 3)[i]!)));
    expect(decodeStampFrame(sameSlot, 0, 1)).toBe('garbled');
  });

  it('calls demo audio garbled', () => {
    const out = new Int16Array(SAMPLES_PER_FRAME);
    const demo = createDemoSource(0);
    let garbled = 0;
    for (let k = 0; k < 500; k++) {
      demo.fill(out, k);
      if (decodeStampFrame(out, 0, 0) === 'garbled') garbled++;
      expect(typeof decodeStampFrame(out, 0, 0)).not.toBe('number');
    }
    expect(garbled).toBeGreaterThan(100);
  });

  it('rejects a bad slot or a frame that does not fit', () => {
    expect(() => decodeStampFrame(new Int16Array(160), 0, 4)).toThrow(RangeError);
    expect(() => decodeStampFrame(new Int16Array(100), 0, 3)).toThrow(RangeError);
    expect(() => decodeStampFrame(new Int16Array(160), -1, 0)).toThrow(RangeError);
  });
});
