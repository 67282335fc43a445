/**
 * Messages between the engine thread and its audio threads (src/audio/plane.ts). One port per
 * thread carries everything in the engine thread's order, so a thread applies each change
 * (open, flush on pause, close) exactly between the same two frames as the engine did.
 *
 * A frame is two Int32Arrays. `calls`: 4 ints per leg that speaks this frame — source kind
 * (0 stamped, 1 demo), slot, seed, k (the leg's frame index since it answered). `recs`: per
 * recording — id, mode (0 write, 1 silence), then channel a as a count and that many indexes
 * into `calls`, then channel b the same way (count 0 for mono). A recording's channel is the
 * sum of its legs' frames, clamped to 16 bits, exactly as the engine thread's Mixer does.
 */
export type ToAudio =
  | { op: 'open'; id: number; path: string; channels: 1 | 2 }
  | { op: 'flush'; id: number }
  | { op: 'close'; id: number }
  | { op: 'ping'; seq: number }
  | {
      op: 'frame';
      t: number;
      /** Epoch ms at which frame 0 was due and ms per frame (NaN on a manual clock: no lag to measure). */
      base: number;
      frameMs: number;
      calls: Int32Array;
      recs: Int32Array;
    };

export type FromAudio = { op: 'closed'; id: number } | { op: 'pong'; seq: number } | { op: 'failed'; error: string };

export const MODE_WRITE = 0;
export const MODE_SILENCE = 1;

/** Slots of the shared counters each audio thread keeps. */
export const STAT_FRAMES = 0;
export const STAT_MAX_LAG = 1;
/** The id of the last recording whose file the thread closed (the engine thread waits on it). */
export const STAT_CLOSED = 2;
export const STAT_SLOTS = 3;
