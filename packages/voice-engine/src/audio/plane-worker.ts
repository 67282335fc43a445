/**
 * One audio thread: keeps the description of each recording it writes (mode and the legs of
 * each channel, see plane-protocol.ts) and renders every frame from it into the WAVs it owns.
 * It holds no call or recording state beyond that; the engine thread sends a description
 * again only when it changes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SAMPLES_PER_FRAME } from '@pause-recording/core/audio-format';
import { createDemoSource, createStampedSource, type AudioSource } from './sources.ts';
import { WavWriter } from './wav-writer.ts';
import { LEG_INTS, MODE_NOTHING, MODE_SILENCE, STAT_CLOSED, STAT_FRAMES, STAT_MAX_LAG, type FromAudio, type ToAudio } from './plane-protocol.ts';

const FRAME = SAMPLES_PER_FRAME;
const port = parentPort!;
const stats = new Int32Array((workerData as { stats: SharedArrayBuffer }).stats);

/** A call leg some recording of this thread hears: its source, rendered at most once per frame. */
interface Leg {
  id: number;
  source: AudioSource;
  answeredTick: number;
  frame: Int16Array;
  /** The engine frame `frame` holds (-1: none yet). */
  at: number;
  /** Recording channels that list it; the leg is dropped at 0. */
  refs: number;
}

interface Rec {
  writer: WavWriter;
  mode: number;
  a: Leg[];
  b: Leg[];
}

const recs = new Map<number, Rec>();
const legs = new Map<number, Leg>();
const sum = new Int32Array(FRAME);
const dual = new Int16Array(FRAME * 2);
let base = NaN;
let frameMs = 20;

const send = (m: FromAudio): void => port.postMessage(m);

function release(list: Leg[]): void {
  for (const l of list) if (--l.refs === 0) legs.delete(l.id);
}

/** Reads `count, count x leg` at `d[i]` into `out`; returns the next index. */
function readLegs(d: Int32Array, i: number, out: Leg[]): number {
  const n = d[i++]!;
  for (let j = 0; j < n; j++, i += LEG_INTS) {
    const id = d[i]!;
    let l = legs.get(id);
    if (!l) {
      const kind = d[i + 1]!;
      const slot = d[i + 2]!;
      const seed = d[i + 3]!;
      l = {
        id,
        source: kind === 0 ? createStampedSource(slot) : createDemoSource(slot, seed),
        answeredTick: d[i + 4]!,
        frame: new Int16Array(FRAME),
        at: -1,
        refs: 0,
      };
      legs.set(id, l);
    }
    l.refs++;
    out.push(l);
  }
  return i;
}

function describe(d: Int32Array): void {
  let i = 0;
  while (i < d.length) {
    const r = recs.get(d[i]!);
    const mode = d[i + 1]!;
    const a: Leg[] = [];
    const b: Leg[] = [];
    i = readLegs(d, i + 2, a);
    i = readLegs(d, i, b);
    if (!r) {
      // Closed meanwhile (cannot happen: the engine thread describes only open recordings).
      release(a);
      release(b);
      continue;
    }
    release(r.a);
    release(r.b);
    r.mode = mode;
    r.a = a;
    r.b = b;
  }
}

const zeros = new Int16Array(FRAME);
const chA = new Int16Array(FRAME);
const chB = new Int16Array(FRAME);

/** A leg's frame of engine frame `t`, rendered once per frame however many channels hear it. */
function legFrame(l: Leg, t: number): Int16Array {
  if (l.at !== t) {
    l.source.fill(l.frame, t - l.answeredTick);
    l.at = t;
  }
  return l.frame;
}

/**
 * Channel `list` of frame `t` in 16 bits: the sum of its legs clamped, as the engine thread's
 * Mixer computes it. One leg is its own frame as it is (16-bit samples need no clamping), no
 * leg is silence: the usual dual call recording (one leg per channel) skips the 32-bit sum.
 */
function channel(list: Leg[], t: number, out: Int16Array): Int16Array {
  if (list.length === 0) return zeros;
  if (list.length === 1) return legFrame(list[0]!, t);
  sum.fill(0);
  for (let j = 0; j < list.length; j++) {
    const f = legFrame(list[j]!, t);
    for (let s = 0; s < FRAME; s++) sum[s]! += f[s]!;
  }
  for (let s = 0; s < FRAME; s++) out[s] = clamp(sum[s]!);
  return out;
}

function clamp(v: number): number {
  return v > 32767 ? 32767 : v < -32768 ? -32768 : v;
}

function frame(t: number): void {
  for (const r of recs.values()) {
    const mode = r.mode;
    if (mode === MODE_NOTHING) continue;
    const w = r.writer;
    if (mode === MODE_SILENCE) {
      w.writeSilence(1);
      continue;
    }
    const a = channel(r.a, t, chA);
    if (w.channels === 1) {
      w.writeFrame(a);
    } else {
      const b = channel(r.b, t, chB);
      for (let s = 0, j = 0; s < FRAME; s++, j += 2) {
        dual[j] = a[s]!;
        dual[j + 1] = b[s]!;
      }
      w.writeFrame(dual);
    }
  }
  Atomics.add(stats, STAT_FRAMES, 1);
  if (Number.isFinite(base)) {
    const lag = Math.floor((performance.timeOrigin + performance.now() - base) / frameMs) - t;
    if (lag > Atomics.load(stats, STAT_MAX_LAG)) Atomics.store(stats, STAT_MAX_LAG, lag);
  }
}

port.on('message', (m: ToAudio) => {
  if (typeof m === 'number') {
    try {
      frame(m);
    } catch (e) {
      send({ op: 'failed', error: String((e as Error).stack ?? e) });
    }
    return;
  }
  try {
    switch (m.op) {
      case 'descs':
        describe(m.data);
        break;
      case 'clock':
        base = m.base;
        frameMs = m.frameMs;
        break;
      case 'open':
        // The engine thread created the file with its header; this thread appends to it. It
        // writes nothing until its first description (sent before the frame it governs).
        recs.set(m.id, { writer: WavWriter.reopen(m.path, m.channels), mode: MODE_NOTHING, a: [], b: [] });
        break;
      case 'flush':
        recs.get(m.id)?.writer.flush();
        break;
      case 'close': {
        const r = recs.get(m.id);
        try {
          r?.writer.close();
        } finally {
          if (r) {
            recs.delete(m.id);
            release(r.a);
            release(r.b);
          }
          Atomics.store(stats, STAT_CLOSED, m.id);
          Atomics.notify(stats, STAT_CLOSED);
        }
        send({ op: 'closed', id: m.id });
        break;
      }
      case 'ping':
        send({ op: 'pong', seq: m.seq });
        break;
    }
  } catch (e) {
    send({ op: 'failed', error: String((e as Error).stack ?? e) });
    if (m.op === 'close') send({ op: 'closed', id: m.id });
  }
});
