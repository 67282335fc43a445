import { SAMPLES_PER_FRAME, STAMP_AMPLITUDE, STAMP_BITS, STAMP_SLOTS, STAMP_SLOT_STRIDE } from '@pause-recording/core/audio-format';
import { demoTable } from './demo-voice.ts';

/** What a call leg "says": one 20 ms frame at a time. */
export interface AudioSource {
  readonly kind: 'stamped' | 'demo';
  /** Stamp slot 0..3 (docs/architecture.md, Stamped audio); demo sources use it to pick a voice. */
  readonly slot: number;
  /** What `createDemoSource` was given (0 for stamped): with kind and slot it recreates the source (audio threads do). */
  readonly seed: number;
  /**
   * Writes the leg's frame `k` (counted from 0 when the leg answered) into `out`
   * (length 160), overwriting every sample. Allocation-free: it runs per leg per frame.
   */
  fill(out: Int16Array, k: number): void;
}

// Local copies: hot loops then read plain constants, not imported bindings (which some
// loaders, e.g. vitest's, turn into property reads on every iteration).
const FRAME = SAMPLES_PER_FRAME;
const AMP = STAMP_AMPLITUDE;
const BITS = STAMP_BITS;
const STRIDE = STAMP_SLOT_STRIDE;

function checkSlot(slot: number): void {
  if (!Number.isInteger(slot) || slot < 0 || slot >= STAMP_SLOTS) {
    throw new RangeError(`stamp slot must be an integer 0..${STAMP_SLOTS - 1}, got ${slot}`);
  }
}

/**
 * Writes only the 32 stamp samples of `slot` for frame `k` into the frame that starts at
 * `out[offset]`, MSB first, +12000 for 1 and -12000 for 0. Other samples are left alone, so
 * callers can stamp into a frame they cleared (or mixed) themselves. `k` is taken modulo 2^32.
 */
export function writeStamp(out: Int16Array, offset: number, slot: number, k: number): void {
  const base = offset + slot * STRIDE;
  const bits = k >>> 0;
  for (let b = 0; b < BITS; b++) {
    out[base + b] = (bits >>> (BITS - 1 - b)) & 1 ? AMP : -AMP;
  }
}

/** A leg whose every frame carries its own index k in `slot`, so recordings prove what they hold. */
export function createStampedSource(slot: number): AudioSource {
  checkSlot(slot);
  return {
    kind: 'stamped',
    slot,
    seed: 0,
    fill(out: Int16Array, k: number): void {
      out.fill(0, 0, FRAME);
      writeStamp(out, 0, slot, k);
    },
  };
}

/**
 * A pleasant "talking" voice for demo calls: vowel-like harmonics in syllables and phrases,
 * a different voice per slot, peak 6000 so four mixed legs never clip. The audio is a
 * precomputed loop shared by every source of that slot; `seed` only picks where in the loop
 * the leg starts, so two demo legs in one slot do not speak in unison.
 */
export function createDemoSource(slot: number, seed = 0): AudioSource {
  checkSlot(slot);
  const table = demoTable(slot);
  const loopFrames = table.length / SAMPLES_PER_FRAME;
  // Knuth multiplicative hash spreads small seeds (0, 1, 2, ...) across the loop.
  const startFrame = Math.imul(seed | 0, 0x9e3779b1) >>> 0;
  const offset = startFrame % loopFrames;
  return {
    kind: 'demo',
    slot,
    seed,
    fill(out: Int16Array, k: number): void {
      const frame = (((k + offset) % loopFrames) + loopFrames) % loopFrames;
      const base = frame * FRAME;
      // A plain loop, not subarray(): subarray allocates a view on every call.
      for (let i = 0; i < FRAME; i++) out[i] = table[base + i]!;
    },
  };
}
