/**
 * One audio thread: renders the frames the engine thread describes and writes them to the
 * WAVs it owns (see plane-protocol.ts). It holds no call or recording state but its writers.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SAMPLES_PER_FRAME } from '@pause-recording/core/audio-format';
import { createDemoSource, createStampedSource, type AudioSource } from './sources.ts';
import { WavWriter } from './wav-writer.ts';
import { MODE_SILENCE, STAT_CLOSED, STAT_FRAMES, STAT_MAX_LAG, type FromAudio, type ToAudio } from './plane-protocol.ts';

const FRAME = SAMPLES_PER_FRAME;
const port = parentPort!;
const stats = new Int32Array((workerData as { stats: SharedArrayBuffer }).stats);
const writers = new Map<number, WavWriter>();
const sources = new Map<string, AudioSource>();
/** One Int16 frame per leg of the current frame, reused. */
const legFrames: Int16Array[] = [];
const sumA = new Int32Array(FRAME);
const sumB = new Int32Array(FRAME);
const mono = new Int16Array(FRAME);
const dual = new Int16Array(FRAME * 2);

const send = (m: FromAudio): void => port.postMessage(m);

function source(kind: number, slot: number, seed: number): AudioSource {
  const key = `${kind}:${slot}:${seed}`;
  let s = sources.get(key);
  if (!s) {
    // Sources are tiny and stateless; bound the cache so years of calls don't grow it.
    if (sources.size > 20_000) sources.clear();
    s = kind === 0 ? createStampedSource(slot) : createDemoSource(slot, seed);
    sources.set(key, s);
  }
  return s;
}

/** Sums the legs listed at `recs[i]` (count, then indexes) into `out`; returns the next index. */
function sum(recs: Int32Array, i: number, out: Int32Array): number {
  const n = recs[i]!;
  out.fill(0);
  for (let j = 1; j <= n; j++) {
    const f = legFrames[recs[i + j]!]!;
    for (let s = 0; s < FRAME; s++) out[s]! += f[s]!;
  }
  return i + 1 + n;
}

function clamp(v: number): number {
  return v > 32767 ? 32767 : v < -32768 ? -32768 : v;
}

function frame(m: Extract<ToAudio, { op: 'frame' }>): void {
  const { calls, recs } = m;
  const legs = calls.length / 4;
  for (let l = 0; l < legs; l++) {
    const frame16 = (legFrames[l] ??= new Int16Array(FRAME));
    source(calls[l * 4]!, calls[l * 4 + 1]!, calls[l * 4 + 2]!).fill(frame16, calls[l * 4 + 3]!);
  }
  let i = 0;
  while (i < recs.length) {
    const w = writers.get(recs[i]!);
    const mode = recs[i + 1]!;
    i = sum(recs, i + 2, sumA);
    i = sum(recs, i, sumB);
    if (!w) continue;
    if (mode === MODE_SILENCE) {
      w.writeSilence(1);
    } else if (w.channels === 1) {
      for (let s = 0; s < FRAME; s++) mono[s] = clamp(sumA[s]!);
      w.writeFrame(mono);
    } else {
      for (let s = 0, j = 0; s < FRAME; s++, j += 2) {
        dual[j] = clamp(sumA[s]!);
        dual[j + 1] = clamp(sumB[s]!);
      }
      w.writeFrame(dual);
    }
  }
  Atomics.add(stats, STAT_FRAMES, 1);
  if (Number.isFinite(m.base)) {
    const lag = Math.floor((performance.timeOrigin + performance.now() - m.base) / m.frameMs) - m.t;
    if (lag > Atomics.load(stats, STAT_MAX_LAG)) Atomics.store(stats, STAT_MAX_LAG, lag);
  }
}

port.on('message', (m: ToAudio) => {
  try {
    switch (m.op) {
      case 'frame':
        frame(m);
        break;
      case 'open':
        // The engine thread created the file with its header; this thread appends to it.
        writers.set(m.id, WavWriter.reopen(m.path, m.channels));
        break;
      case 'flush':
        writers.get(m.id)?.flush();
        break;
      case 'close':
        try {
          writers.get(m.id)?.close();
        } finally {
          writers.delete(m.id);
          Atomics.store(stats, STAT_CLOSED, m.id);
          Atomics.notify(stats, STAT_CLOSED);
        }
        send({ op: 'closed', id: m.id });
        break;
      case 'ping':
        send({ op: 'pong', seq: m.seq });
        break;
    }
  } catch (e) {
    send({ op: 'failed', error: String((e as Error).stack ?? e) });
    if (m.op === 'close') send({ op: 'closed', id: m.id });
  }
});
