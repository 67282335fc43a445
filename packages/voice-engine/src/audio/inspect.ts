import { FRAMES_PER_SECOND, SAMPLE_RATE, SAMPLES_PER_FRAME, STAMP_SLOTS } from '@pause-recording/core';
import { decodeStampFrame } from './stamp-decode.ts';
import type { WavData } from './wav-read.ts';

/**
 * Consecutive file frames of one slot whose stamps count up by exactly 1: leg frames
 * `from..to` (inclusive) sit at file frames `fileFrame..fileFrame+count-1`.
 */
export interface StampRun {
  from: number;
  to: number;
  fileFrame: number;
  count: number;
}

/** A maximal span of file frames in which every sample of the channel is exactly 0. */
export interface ZeroSpan {
  fileFrame: number;
  frames: number;
}

/** What one stamp slot of one channel holds. */
export interface SlotInspection {
  slot: number;
  /** In file order. A gap in the leg's frames (e.g. a skipped pause) starts a new run. */
  runs: StampRun[];
  /** Frames whose slot was neither all zero nor a clean stamp. */
  garbled: number;
  /** Frames whose k equals the previous k decoded in this slot. */
  duplicates: number;
  /** Frames whose k is below the previous k decoded in this slot. */
  outOfOrder: number;
}

export interface ChannelInspection {
  /** 0-based channel index (the CLI prints it 1-based). */
  channel: number;
  /** Always STAMP_SLOTS entries, index = slot. */
  slots: SlotInspection[];
  zeroSpans: ZeroSpan[];
}

/** Everything a test needs to prove which leg frames a recording holds, and where. */
export interface Inspection {
  sampleRate: number;
  channelCount: number;
  /** Whole 20 ms frames in the file. */
  frames: number;
  seconds: number;
  channels: ChannelInspection[];
}

function inspectSlot(samples: Int16Array, frames: number, slot: number): SlotInspection {
  const result: SlotInspection = { slot, runs: [], garbled: 0, duplicates: 0, outOfOrder: 0 };
  let run: StampRun | null = null;
  let prev: number | null = null;
  for (let f = 0; f < frames; f++) {
    const k = decodeStampFrame(samples, f * SAMPLES_PER_FRAME, slot);
    if (k === null || k === 'garbled') {
      if (k === 'garbled') result.garbled++;
      run = null;
      continue;
    }
    if (prev !== null && k === prev) result.duplicates++;
    else if (prev !== null && k < prev) result.outOfOrder++;
    if (run && k === run.to + 1) {
      run.to = k;
      run.count++;
    } else {
      run = { from: k, to: k, fileFrame: f, count: 1 };
      result.runs.push(run);
    }
    prev = k;
  }
  return result;
}

function zeroSpans(samples: Int16Array, frames: number): ZeroSpan[] {
  const spans: ZeroSpan[] = [];
  let span: ZeroSpan | null = null;
  for (let f = 0; f < frames; f++) {
    let silent = true;
    for (let i = f * SAMPLES_PER_FRAME, end = i + SAMPLES_PER_FRAME; i < end; i++) {
      if (samples[i] !== 0) {
        silent = false;
        break;
      }
    }
    if (!silent) span = null;
    else if (span) span.frames++;
    else spans.push((span = { fileFrame: f, frames: 1 }));
  }
  return spans;
}

/** Decodes every stamp slot and zero span of every channel of an 8 kHz recording. */
export function inspectWav(wav: WavData): Inspection {
  if (wav.sampleRate !== SAMPLE_RATE) {
    throw new RangeError(`stamped audio is ${SAMPLE_RATE} Hz; this file is ${wav.sampleRate} Hz`);
  }
  const channels = wav.channelData.map((samples, channel) => {
    const slots: SlotInspection[] = [];
    for (let s = 0; s < STAMP_SLOTS; s++) slots.push(inspectSlot(samples, wav.frames, s));
    return { channel, slots, zeroSpans: zeroSpans(samples, wav.frames) };
  });
  return {
    sampleRate: wav.sampleRate,
    channelCount: wav.channels,
    frames: wav.frames,
    seconds: wav.frames / FRAMES_PER_SECOND,
    channels,
  };
}

/** Leg frames of `slot` found in a channel, in file order: handy for leak assertions. */
export function framesInSlot(channel: ChannelInspection, slot: number): number[] {
  const out: number[] = [];
  for (const r of channel.slots[slot]?.runs ?? []) for (let k = r.from; k <= r.to; k++) out.push(k);
  return out;
}
