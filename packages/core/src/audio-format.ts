/** The audio format every leg, mix and recording uses: 8 kHz, 16-bit PCM, 20 ms frames. */
export const SAMPLE_RATE = 8000;
export const FRAME_MS = 20;
export const SAMPLES_PER_FRAME = (SAMPLE_RATE * FRAME_MS) / 1000; // 160
export const FRAMES_PER_SECOND = 1000 / FRAME_MS; // 50

/**
 * Stamped test audio (docs/architecture.md, Stamped audio): in frame k of a leg with slot s, samples [40s, 40s+32)
 * carry the 32 bits of k, most significant first, +12000 for 1 and -12000 for 0.
 */
export const STAMP_SLOTS = 4;
export const STAMP_BITS = 32;
export const STAMP_SLOT_STRIDE = 40;
export const STAMP_AMPLITUDE = 12000;

/** Seconds of audio in `frames` frames, as Twilio reports `duration`: a whole number, as a string. */
export function durationString(frames: number): string {
  return String(Math.round(frames / FRAMES_PER_SECOND));
}
