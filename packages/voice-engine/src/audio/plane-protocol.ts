/**
 * Messages between the engine thread and its audio threads (src/audio/plane.ts). One port per
 * thread carries everything in the engine thread's order, so a thread applies each change
 * (open, a new description, flush on pause, close) exactly between the same two frames as the
 * engine did.
 *
 * A thread keeps each of its recordings' description and renders every frame from it; the
 * engine thread sends a description only when it changes (`descs`), and per frame only the
 * frame's number. `descs` is an Int32Array of descriptions, each: recording id, mode (write,
 * silence, nothing), then channel a as a count and that many legs, then channel b the same
 * way (count 0 for mono). A leg is 5 ints: leg id, source kind (0 stamped, 1 demo), slot,
 * seed, answered tick; the leg's frame k of engine frame t is t - answered tick. A recording's
 * channel is the sum of its legs' frames, clamped to 16 bits, exactly as the engine thread's
 * Mixer does.
 */
export type ToAudio =
  /** Frame t: render and write every recording by its current description. */
  | number
  | { op: 'open'; id: number; path: string; channels: 1 | 2 }
  | { op: 'descs'; data: Int32Array }
  /** Epoch ms at which frame 0 was due and ms per frame (NaN on a manual clock: no lag to measure). */
  | { op: 'clock'; base: number; frameMs: number }
  | { op: 'flush'; id: number }
  | { op: 'close'; id: number }
  | { op: 'ping'; seq: number };

export type FromAudio = { op: 'closed'; id: number } | { op: 'pong'; seq: number } | { op: 'failed'; error: string };

export const MODE_WRITE = 0;
export const MODE_SILENCE = 1;
/** Paused with `skip` (or nothing to capture): the frame is not in the file. */
export const MODE_NOTHING = 2;
/** Ints per leg in a description. */
export const LEG_INTS = 5;

/** Slots of the shared counters each audio thread keeps. */
export const STAT_FRAMES = 0;
export const STAT_MAX_LAG = 1;
/** The id of the last recording whose file the thread closed (the engine thread waits on it). */
export const STAT_CLOSED = 2;
export const STAT_SLOTS = 3;
