/**
 * The engine's audio on worker threads. The engine thread keeps every call, conference and
 * recording and does each frame's bookkeeping (who speaks, what each recording's status makes
 * of the frame, the frame counts the API reports); the threads compute the samples and write
 * the WAVs. Recordings are partitioned by conference (a call recording of a leg in a
 * conference goes where that conference's recordings go), so a conference's legs are mixed on
 * one thread. Every change reaches a thread through the same ordered port as the frames, so it
 * takes effect between exactly the frames it did on the engine thread: a pause accepted before
 * frame t governs frame t on the thread too, and no frame after an acknowledged pause is written.
 */
import { writeFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { Call } from '../model/calls/call.ts';
import type { RecordingWriter } from '../model/recordings/recording.ts';
import { MODE_SILENCE, MODE_WRITE, STAT_CLOSED, STAT_FRAMES, STAT_MAX_LAG, STAT_SLOTS, type FromAudio, type ToAudio } from './plane-protocol.ts';
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

class Builder {
  calls: Int32Array<ArrayBuffer> = new Int32Array(1024);
  recs: Int32Array<ArrayBuffer> = new Int32Array(1024);
  nCalls = 0;
  nRecs = 0;
  readonly legIndex = new Map<Call, number>();

  private grow(a: Int32Array<ArrayBuffer>, need: number): Int32Array<ArrayBuffer> {
    if (need <= a.length) return a;
    const b = new Int32Array(Math.max(need, a.length * 2));
    b.set(a);
    return b;
  }

  head(id: number, mode: number): void {
    this.recs = this.grow(this.recs, this.nRecs + 2);
    this.recs[this.nRecs++] = id;
    this.recs[this.nRecs++] = mode;
  }

  /** Index of `c`'s frame in this frame's `calls`; -1 when it says nothing (not answered, no source). */
  leg(c: Call, t: number): number {
    if (c.status !== 'in-progress' || !c.source || c.answeredTick === null) return -1;
    let i = this.legIndex.get(c);
    if (i !== undefined) return i;
    i = this.nCalls / 4;
    this.calls = this.grow(this.calls, this.nCalls + 4);
    const s = c.source;
    this.calls[this.nCalls++] = s.kind === 'stamped' ? 0 : 1;
    this.calls[this.nCalls++] = s.slot;
    this.calls[this.nCalls++] = s.seed | 0;
    this.calls[this.nCalls++] = t - c.answeredTick;
    this.legIndex.set(c, i);
    return i;
  }

  channel(legs: Call[], t: number): void {
    this.recs = this.grow(this.recs, this.nRecs + 1 + legs.length);
    const at = this.nRecs++;
    let n = 0;
    for (const c of legs) {
      const i = this.leg(c, t);
      if (i >= 0) this.recs[this.nRecs++] = i;
      if (i >= 0) n++;
    }
    this.recs[at] = n;
  }

  take(): { calls: Int32Array<ArrayBuffer>; recs: Int32Array<ArrayBuffer> } {
    const out = { calls: this.calls.slice(0, this.nCalls), recs: this.recs.slice(0, this.nRecs) };
    this.nCalls = 0;
    this.nRecs = 0;
    this.legIndex.clear();
    return out;
  }
}

interface Thread {
  worker: Worker | null;
  stats: Int32Array;
  builder: Builder;
  /** Recordings open on this thread (for balancing). */
  open: number;
  framesPosted: number;
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

  constructor(threads: number, onError: (error: string) => void) {
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`audio threads must be a whole number >= 1, got ${threads}`);
    this.threads = threads;
    this.onError = onError;
    this.pool = Array.from({ length: threads }, () => ({
      worker: null,
      stats: new Int32Array(new SharedArrayBuffer(STAT_SLOTS * 4)),
      builder: new Builder(),
      open: 0,
      framesPosted: 0,
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

  /** One frame of a recording: its mode and the legs of each channel (Mixer.describe). */
  add(w: RemoteWriter, t: number, mode: 'write' | 'silence', a: Call[], b: Call[]): void {
    const bld = this.pool[w.shard]!.builder;
    bld.head(w.id, mode === 'silence' ? MODE_SILENCE : MODE_WRITE);
    bld.channel(mode === 'silence' ? [] : a, t);
    bld.channel(mode === 'silence' ? [] : b, t);
  }

  /** Sends frame `t` to every thread that has recordings (after the changes made before it). */
  endFrame(t: number, base: number, frameMs: number): void {
    for (let i = 0; i < this.pool.length; i++) {
      const th = this.pool[i]!;
      if (th.worker === null && th.builder.nRecs === 0) continue;
      const { calls, recs } = th.builder.take();
      th.framesPosted++;
      this.post(i, { op: 'frame', t, base, frameMs, calls, recs }, [calls.buffer, recs.buffer]);
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
