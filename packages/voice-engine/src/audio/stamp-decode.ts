import { STAMP_AMPLITUDE, STAMP_BITS, STAMP_SLOTS, STAMP_SLOT_STRIDE } from '@pause-recording/core';

// Local copies so the hot loop reads plain constants (see sources.ts).
const AMP = STAMP_AMPLITUDE;
const BITS = STAMP_BITS;

/**
 * Reads `slot`'s stamp in the 20 ms frame that starts at `samples[start]`.
 * Returns the leg's frame index k when all 32 samples are exactly +/-12000, `null` when
 * they are all 0 (no leg in that slot spoke this frame), and 'garbled' otherwise
 * (e.g. demo audio, two legs in one slot, or a recording that altered samples).
 */
export function decodeStampFrame(samples: ArrayLike<number>, start: number, slot: number): number | null | 'garbled' {
  if (!Number.isInteger(slot) || slot < 0 || slot >= STAMP_SLOTS) {
    throw new RangeError(`stamp slot must be an integer 0..${STAMP_SLOTS - 1}, got ${slot}`);
  }
  const base = start + slot * STAMP_SLOT_STRIDE;
  if (!Number.isInteger(start) || start < 0 || base + STAMP_BITS > samples.length) {
    throw new RangeError(`frame at ${start} does not hold slot ${slot} (${samples.length} samples)`);
  }
  let k = 0;
  let zeros = 0;
  let bad = false;
  for (let b = 0; b < BITS; b++) {
    const v = samples[base + b]!;
    if (v === AMP) k = k * 2 + 1;
    else if (v === -AMP) k = k * 2;
    else if (v === 0) zeros++;
    else bad = true;
  }
  if (zeros === BITS) return null;
  // Multiplying rather than shifting keeps k in 0..2^32-1 without sign trouble.
  return bad || zeros > 0 ? 'garbled' : k;
}
