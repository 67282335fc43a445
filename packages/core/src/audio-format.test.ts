import { describe, expect, it } from 'vitest';
import {
  FRAMES_PER_SECOND,
  FRAME_MS,
  SAMPLES_PER_FRAME,
  SAMPLE_RATE,
  STAMP_AMPLITUDE,
  STAMP_BITS,
  STAMP_SLOTS,
  STAMP_SLOT_STRIDE,
  durationString,
} from './audio-format.ts';

describe('audio format', () => {
  it('is 8 kHz with 20 ms frames of 160 samples, 50 frames a second', () => {
    expect(SAMPLE_RATE).toBe(8000);
    expect(FRAME_MS).toBe(20);
    expect(SAMPLES_PER_FRAME).toBe(160);
    expect(FRAMES_PER_SECOND).toBe(50);
    expect(SAMPLES_PER_FRAME * FRAMES_PER_SECOND).toBe(SAMPLE_RATE);
  });

  it('stamp slots fit in one frame without overlapping, and a full mix cannot clip 16-bit audio', () => {
    expect(STAMP_BITS).toBe(32);
    expect(STAMP_BITS).toBeLessThanOrEqual(STAMP_SLOT_STRIDE);
    expect(STAMP_SLOT_STRIDE * (STAMP_SLOTS - 1) + STAMP_BITS).toBeLessThanOrEqual(SAMPLES_PER_FRAME);
    // Slots never share a sample, so a mix of every slot peaks at one stamp's amplitude.
    expect(STAMP_AMPLITUDE).toBe(12000);
    expect(STAMP_AMPLITUDE).toBeLessThanOrEqual(32767);
  });
});

describe('durationString', () => {
  it('is whole seconds, as a string', () => {
    expect(durationString(0)).toBe('0');
    expect(durationString(50)).toBe('1');
    expect(durationString(400)).toBe('8');
    expect(durationString(3000)).toBe('60');
    expect(durationString(180_000)).toBe('3600');
  });

  it('rounds to the nearest second, halves up', () => {
    expect(durationString(1)).toBe('0'); // 0.02 s
    expect(durationString(24)).toBe('0'); // 0.48 s
    expect(durationString(25)).toBe('1'); // 0.5 s
    expect(durationString(74)).toBe('1'); // 1.48 s
    expect(durationString(75)).toBe('2'); // 1.5 s
    expect(durationString(124)).toBe('2'); // 2.48 s
    expect(durationString(125)).toBe('3'); // 2.5 s
    expect(durationString(349)).toBe('7'); // 6.98 s
  });

  it('is a string of digits for every frame count', () => {
    for (let frames = 0; frames < 2000; frames += 7) {
      expect(durationString(frames)).toMatch(/^\d+$/);
      expect(Math.abs(Number(durationString(frames)) - frames / FRAMES_PER_SECOND)).toBeLessThanOrEqual(0.5);
    }
  });
});
