/**
 * The engine's audio on worker threads. The engine thread keeps every call, conference and
 * recording and the frame counts the API reports; each thread keeps a description of each of
 * its recordings (what its status makes of a frame, the legs of each channel) and computes the
 * samples and writes the WAVs. The engine thread sends a description only when it changes, and
 * per frame only the frame's number, so its per-frame work does not grow with the calls.
 * Recordings are partitioned by conference (a call recording of a leg in a conference goes where
 * that conference's recordings go), so a conference's legs are mixed on one thread. Every change reaches a thread through the same ordered port as the frames, so it
 * takes effect between exactly the frames it did on the engine thread: a pause accepted before
 * frame t governs frame t on the thread too, and no frame after an acknowledged pause is written.
 */
import { writeFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { Call } from '../model/calls/call.ts';
import type { RecordingWriter } from '../model/recordings/recording.ts';
import {
  LEG_INTS,
  MODE_NOTHING,
  MODE_SILENCE,
  MODE_WRITE,
  STAT_CLOSED,
  STAT_FRAMES,
  STAT_MAX_LAG,
  STAT_SLOTS,
  type FromAudio,
  type ToAudio,
} from './plane-protocol.ts';
import { wavHeader, WAV_HEADER_BYTES } from './wav-writer.ts';

/** Source checkouts (tsx, vitest) start the thread through a loader entry; builds run the compiled file. */
const WORKER_URL = import.meta.url.endsWith('.ts') ? new URL('./plane-worker-boot.mjs', import.meta.url) : new URL('./plane-worker.js', import.meta.url);

/** Longest the engine thread waits for a thread to close a stopped recording's file (then it goes on asynchronously). */
const CLOSE_WAIT_MS = 2000;

/** A recording's WAV, written on an audio thread. The engine thread only flushes and closes it. */
export class RemoteWriter implements RecordingWriter {
  constructor(
    readonly id: number,
    readonly shard: number,
    readonly channels: 1 | 2,
    private readonly plane: ThreadedAudio,
  ) {}

  writeFrame(): void {
    throw new Error('frames of a threaded recording are written by its audio thread');
  }

  writeSilence(): void {
    throw new Error('frames of a threaded recording are written by its audio thread');
  }

  flush(): void {
    this.plane.post(this.shard, { op: 'flush', id: this.id });
  }

  /** Once the thread wrote the last frame and closed the file: at once (undefined), or a promise. */
  close(): Promise<void> | undefined {
    return this.plane.closeWriter(this) ?? undefined;
  }
}

/** A thread's descriptions not yet sent, encoded as plane-protocol.ts says (a reused buffer). */
class DescBuffer {
  data: Int32Array<ArrayBuffer> = new Int32Array(256);
  n = 0;

  private room(k: number): void {
    if (this.n + k <= this.data.length) return;
    const b = new Int32Array(Math.max(this.n + k, this.data.length * 2));
    b.set(this.data.subarray(0, this.n));
    this.data = b;
  }

  push(v: number): void {
    this.room(1);
    this.data[this.n++] = v;
  }

  /** The legs that speak (answered, with a source), as a count and 5 ints each. */
  legs(list: readonly Call[], legId: (c: Call) => number): void {
    this.room(1 + list.length * LEG_INTS);
    const at = this.n++;
    let count = 0;
    for (const c of list) {
      if (c.status !== 'in-progress' || !c.source || c.answeredTick === null) continue;
      const s = c.source;
      this.data[this.n++] = legId(c);
      this.data[this.n++] = s.kind === 'stamped' ? 0 : 1;
      this.data[this.n++] = s.slot;
      this.data[this.n++] = s.seed | 0;
      this.data[this.n++] = c.answeredTick;
      count++;
    }
    this.data[at] = count;
  }

  take(): Int32Array<ArrayBuffer> {
    const out = this.data.slice(0, this.n);
    this.n = 0;
    return out;
  }
}

interface Thread {
  worker: Worker | null;
  stats: Int32Array;
  descs: DescBuffer;
  /** Recordings open on this thread (for balancing). */
  open: number;
  framesPosted: number;
  /** The clock last sent (the thread measures its lag against it). */
  base: number;
  frameMs: number;
}

export class ThreadedAudio {
  readonly threads: number;
  private readonly pool: Thread[];
  private nextId = 1;
  private nextSeq = 1;
  /** Which thread a partition key (a conference SID, or a call SID outside one) is on, and how many open recordings hold it. */
  private readonly keys = new Map<string, { shard: number; refs: number }>();
  private readonly keyOf = new Map<number, string>();
  private readonly closing = new Map<number, () => void>();
  private readonly pings = new Map<number, () => void>();
  private readonly onError: (error: string) => void;
  /** Each call's leg id on the threads (a number is cheaper to send and look up than a SID). */
  private readonly legIds = new WeakMap<Call, number>();
  private nextLeg = 1;
  private readonly legId = (c: Call): number => {
    let id = this.legIds.get(c);
    if (id === undefined) this.legIds.set(c, (id = this.nextLeg++));
    return id;
  };

  constructor(threads: number, onError: (error: string) => void) {
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`audio threads must be a whole number >= 1, got ${threads}`);
    this.threads = threads;
    this.onError = onError;
    this.pool = Array.from({ length: threads }, () => ({
      worker: null,
      stats: new Int32Array(new SharedArrayBuffer(STAT_SLOTS * 4)),
      descs: new DescBuffer(),
      open: 0,
      framesPosted: 0,
      base: NaN,
      frameMs: NaN,
    }));
  }

  /** Creates the WAV (header only, as WavWriter.open does) and hands it to the thread of `key`. */
  openWriter(path: string, channels: 1 | 2, key: string): RemoteWriter {
    writeFileSync(path, wavHeader(channels, 0).subarray(0, WAV_HEADER_BYTES));
    let k = this.keys.get(key);
    if (!k) {
      let shard = 0;
      for (let i = 1; i < this.pool.length; i++) if (this.pool[i]!.open < this.pool[shard]!.open) shard = i;
      k = { shard, refs: 0 };
      this.keys.set(key, k);
    }
    k.refs++;
    const id = this.nextId++;
    this.keyOf.set(id, key);
    this.pool[k.shard]!.open++;
    this.post(k.shard, { op: 'open', id, path, channels });
    return new RemoteWriter(id, k.shard, channels, this);
  }

  /** Closes the file on its thread: null once closed (the usual case), else a promise of it. */
  closeWriter(w: RemoteWriter): Promise<void> | null {
    const key = this.keyOf.get(w.id);
    this.keyOf.delete(w.id);
    const k = key === undefined ? undefined : this.keys.get(key);
    if (key !== undefined && k && --k.refs === 0) this.keys.delete(key);
    this.pool[w.shard]!.open--;
    this.post(w.shard, { op: 'close', id: w.id });
    // A stopped recording is final on the next turn, before any later request is served (as
    // on the engine thread); so wait here, bounded, for its thread to close the file. The
    // thread is normally idle between frames: this is a round trip, not audio work.
    const stats = this.pool[w.shard]!.stats;
    const until = performance.now() + CLOSE_WAIT_MS;
    for (let left = CLOSE_WAIT_MS; Atomics.load(stats, STAT_CLOSED) < w.id && left > 0; left = until - performance.now()) {
      Atomics.wait(stats, STAT_CLOSED, Atomics.load(stats, STAT_CLOSED), left);
    }
    if (Atomics.load(stats, STAT_CLOSED) >= w.id) return null;
    return new Promise<void>((resolve) => this.closing.set(w.id, resolve));
  }

  /**
   * A recording's new description (Mixer.describe and Recording.frameMode): sent with the next
   * frame, before it, so it governs that frame on the thread as on the engine thread. Only for
   * a change: the thread renders every later frame from it.
   */
  describe(w: RemoteWriter, mode: 'write' | 'silence' | null, a: readonly Call[], b: readonly Call[]): void {
    const d = this.pool[w.shard]!.descs;
    d.push(w.id);
    d.push(mode === 'write' ? MODE_WRITE : mode === 'silence' ? MODE_SILENCE : MODE_NOTHING);
    d.legs(mode === 'write' ? a : [], this.legId);
    d.legs(mode === 'write' ? b : [], this.legId);
  }

  /** Sends frame `t` to every running thread, after the descriptions that changed before it. */
  endFrame(t: number, base: number, frameMs: number): void {
    for (let i = 0; i < this.pool.length; i++) {
      const th = this.pool[i]!;
      if (th.descs.n > 0) {
        const data = th.descs.take();
        this.post(i, { op: 'descs', data }, [data.buffer]);
      }
      if (th.worker === null) continue;
      if (!Object.is(th.base, base) || th.frameMs !== frameMs) {
        th.base = base;
        th.frameMs = frameMs;
        this.post(i, { op: 'clock', base, frameMs });
      }
      th.framesPosted++;
      this.post(i, t);
    }
  }

  /** The thread of a recording's writer (tests: a conference's legs land on one thread). */
  shardOf(w: RecordingWriter | null): number | null {
    return w instanceof RemoteWriter ? w.shard : null;
  }

  /** Resolves once every thread applied everything sent before this call (a pause's flush included). */
  async settled(w?: RecordingWriter | null): Promise<void> {
    const shards = w instanceof RemoteWriter ? [w.shard] : this.pool.map((_, i) => i);
    await Promise.all(
      shards
        .filter((i) => this.pool[i]!.worker !== null)
        .map((i) => {
          const seq = this.nextSeq++;
          const p = new Promise<void>((resolve) => this.pings.set(seq, resolve));
          this.post(i, { op: 'ping', seq });
          return p;
        }),
    );
  }

  /** Largest lag of a thread behind real time (frames) and the largest backlog of frames sent, not yet written. */
  lag(): { maxLagFrames: number; backlogFrames: number; framesDone: number } {
    let maxLagFrames = 0;
    let backlogFrames = 0;
    let framesDone = Infinity;
    for (const th of this.pool) {
      if (th.worker === null) continue;
      const done = Atomics.load(th.stats, STAT_FRAMES);
      maxLagFrames = Math.max(maxLagFrames, Atomics.load(th.stats, STAT_MAX_LAG));
      backlogFrames = Math.max(backlogFrames, th.framesPosted - done);
      framesDone = Math.min(framesDone, done);
    }
    return { maxLagFrames, backlogFrames, framesDone: Number.isFinite(framesDone) ? framesDone : 0 };
  }

  resetLag(): void {
    for (const th of this.pool) Atomics.store(th.stats, STAT_MAX_LAG, 0);
  }

  /** Waits for every close and everything sent, then ends the threads. */
  async close(): Promise<void> {
    await this.settled();
    await Promise.all(this.pool.flatMap((th) => (th.worker ? [th.worker.terminate()] : [])));
    for (const th of this.pool) th.worker = null;
  }

  post(shard: number, m: ToAudio, transfer: ArrayBuffer[] = []): void {
    this.thread(shard).postMessage(m, transfer);
  }

  /** Threads start with the first recording they get, so an engine without recordings starts none. */
  private thread(shard: number): Worker {
    const th = this.pool[shard]!;
    if (th.worker) return th.worker;
    const w = new Worker(WORKER_URL, { workerData: { stats: th.stats.buffer } });
    w.on('message', (m: FromAudio) => {
      if (m.op === 'closed') {
        this.closing.get(m.id)?.();
        this.closing.delete(m.id);
      } else if (m.op === 'pong') {
        this.pings.get(m.seq)?.();
        this.pings.delete(m.seq);
      } else this.onError(m.error);
    });
    w.on('error', (e) => this.onError(String(e.stack ?? e)));
    // A thread that died answers nothing more: release whoever waits for it, so close never hangs.
    w.on('exit', () => {
      for (const r of this.closing.values()) r();
      for (const r of this.pings.values()) r();
      this.closing.clear();
      this.pings.clear();
    });
    th.worker = w;
    return w;
  }
}
