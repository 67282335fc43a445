import { FRAME_MS } from '@pause-recording/core';

/**
 * The 20 ms frame clock. In real time it catches up on missed frames (so audio
 * duration follows wall time even when the event loop is briefly busy) and reports
 * how far behind it ran; `speed` > 1 runs simulated time faster. A manual clock
 * lets tests step frames one by one.
 */
export interface FrameClock {
  /** Frames processed so far; the next frame processed will be `tick`. */
  readonly tick: number;
  readonly speed: number;
  start(onFrame: (tick: number) => void): void;
  stop(): void;
  /** Largest lag seen, in frames (real-time clocks only). */
  readonly maxLagFrames: number;
  /** Milliseconds of simulated time for `frames` frames, in wall time. */
  wallMsFor(frames: number): number;
  /** Starts a new lag measurement (benchmarks measure lag after warm-up). */
  resetLag(): void;
}

/**
 * Wall-time budget of one catch-up burst. Behind real time the clock runs missed frames back to
 * back; after this much work it yields (setImmediate), so HTTP handlers — a pause request — wait
 * for at most about this long instead of a whole burst (250 frames can be seconds of work).
 */
const BURST_BUDGET_MS = 10;

export class RealtimeClock implements FrameClock {
  tick = 0;
  maxLagFrames = 0;
  readonly speed: number;
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private running = false;
  private startedAtMs = 0;
  private onFrame: ((tick: number) => void) | null = null;
  private readonly frameWallMs: number;

  constructor(speed = 1) {
    if (!(speed > 0) || !Number.isFinite(speed)) throw new Error(`clock speed must be a positive number, got ${speed}`);
    this.speed = speed;
    this.frameWallMs = FRAME_MS / speed;
  }

  start(onFrame: (tick: number) => void): void {
    if (this.running) return;
    this.running = true;
    this.onFrame = onFrame;
    this.startedAtMs = performance.now() - this.tick * this.frameWallMs;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
  }

  /** `performance.now()` when frame 0 was due: frame `t` is due at `startedAt + wallMsFor(t)` (benchmarks compare the two). */
  get startedAt(): number {
    return this.startedAtMs;
  }

  wallMsFor(frames: number): number {
    return frames * this.frameWallMs;
  }

  resetLag(): void {
    this.maxLagFrames = 0;
  }

  private schedule(): void {
    const next = this.startedAtMs + (this.tick + 1) * this.frameWallMs;
    const delay = next - performance.now();
    this.timer = null;
    this.immediate = null;
    // Behind: continue after pending I/O (no 1 ms timer floor); otherwise wait for the frame.
    if (delay > 0) this.timer = setTimeout(() => this.run(), delay);
    else this.immediate = setImmediate(() => this.run());
  }

  private run(): void {
    const now = performance.now();
    const due = Math.floor((now - this.startedAtMs) / this.frameWallMs);
    const lag = due - this.tick;
    if (lag > this.maxLagFrames) this.maxLagFrames = lag;
    // Cap one burst (in frames and in wall time) so HTTP handlers get a turn even if we fell far behind.
    const until = Math.min(due, this.tick + 250);
    const budgetEnd = now + BURST_BUDGET_MS;
    while (this.tick < until && this.onFrame) {
      const t = this.tick;
      this.tick = t + 1;
      this.onFrame(t);
      if (performance.now() >= budgetEnd) break;
    }
    if (this.running) this.schedule();
  }
}

export class ManualClock implements FrameClock {
  tick = 0;
  readonly speed = 1;
  readonly maxLagFrames = 0;
  private onFrame: ((tick: number) => void) | null = null;

  start(onFrame: (tick: number) => void): void {
    this.onFrame = onFrame;
  }

  stop(): void {
    this.onFrame = null;
  }

  wallMsFor(frames: number): number {
    return frames * FRAME_MS;
  }

  resetLag(): void {}

  /** Processes `frames` frames synchronously. */
  advance(frames: number): void {
    for (let i = 0; i < frames; i++) {
      const t = this.tick;
      this.tick = t + 1;
      this.onFrame?.(t);
    }
  }
}
