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

export class RealtimeClock implements FrameClock {
  tick = 0;
  maxLagFrames = 0;
  readonly speed: number;
  private timer: NodeJS.Timeout | null = null;
  private startedAt = 0;
  private onFrame: ((tick: number) => void) | null = null;
  private readonly frameWallMs: number;

  constructor(speed = 1) {
    if (!(speed > 0) || !Number.isFinite(speed)) throw new Error(`clock speed must be a positive number, got ${speed}`);
    this.speed = speed;
    this.frameWallMs = FRAME_MS / speed;
  }

  start(onFrame: (tick: number) => void): void {
    if (this.timer) return;
    this.onFrame = onFrame;
    this.startedAt = performance.now() - this.tick * this.frameWallMs;
    this.schedule();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  wallMsFor(frames: number): number {
    return frames * this.frameWallMs;
  }

  resetLag(): void {
    this.maxLagFrames = 0;
  }

  private schedule(): void {
    const next = this.startedAt + (this.tick + 1) * this.frameWallMs;
    const delay = Math.max(0, next - performance.now());
    this.timer = setTimeout(() => this.run(), delay);
  }

  private run(): void {
    const due = Math.floor((performance.now() - this.startedAt) / this.frameWallMs);
    const lag = due - this.tick;
    if (lag > this.maxLagFrames) this.maxLagFrames = lag;
    // Cap one burst so HTTP handlers get a turn even if we fell far behind.
    const until = Math.min(due, this.tick + 250);
    while (this.tick < until && this.onFrame) {
      const t = this.tick;
      this.tick = t + 1;
      this.onFrame(t);
    }
    if (this.timer !== null) this.schedule();
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
