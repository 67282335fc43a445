import { SAMPLE_RATE, SAMPLES_PER_FRAME, STAMP_SLOTS } from '@pause-recording/core/audio-format';

/** Peak of the demo voice: four legs mixed stay under 32767. */
export const DEMO_PEAK = 6000;

/** About this much speech per loop; long enough that the repetition is not obvious. */
const LOOP_SECONDS = 12;

/** Fundamental per slot (Hz): two lower and two higher voices, easy to tell apart. */
const SLOT_PITCH = [118, 210, 150, 245] as const;
/** Formants scale up for the higher voices, as they do for shorter vocal tracts. */
const SLOT_FORMANT_SCALE = [1, 1.17, 1.05, 1.22] as const;

/** First three formants (Hz) of a few vowels: a, e, i, o, u, ae. */
const VOWELS: readonly (readonly [number, number, number])[] = [
  [730, 1090, 2440],
  [530, 1840, 2480],
  [300, 2250, 3000],
  [570, 840, 2410],
  [320, 870, 2240],
  [660, 1720, 2410],
];
const FORMANT_BANDWIDTH = [90, 120, 170] as const;
const FORMANT_GAIN = [1, 0.6, 0.25] as const;
const MAX_HARMONIC_HZ = 3400;

/** Small deterministic PRNG (mulberry32): the demo voice is the same on every run (tests draw reproducible runs from it too). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Harmonic amplitudes of a vowel at pitch f0: formant resonances times a gentle tilt. */
function harmonicWeights(f0: number, formants: readonly number[], scale: number): Float64Array {
  const count = Math.floor(MAX_HARMONIC_HZ / f0);
  const w = new Float64Array(count);
  for (let h = 1; h <= count; h++) {
    let g = 0;
    for (let f = 0; f < 3; f++) {
      const d = (h * f0 - formants[f]! * scale) / FORMANT_BANDWIDTH[f]!;
      g += FORMANT_GAIN[f]! / (1 + d * d);
    }
    w[h - 1] = g / Math.sqrt(h);
  }
  return w;
}

/** Raised-cosine fade so syllables start and end without clicks. */
function fade(i: number, n: number, attack: number, release: number): number {
  if (i < attack) return 0.5 - 0.5 * Math.cos((Math.PI * i) / attack);
  if (i >= n - release) return 0.5 - 0.5 * Math.cos((Math.PI * (n - i)) / release);
  return 1;
}

function synthesize(slot: number): Int16Array {
  const random = rng(0x5eed + slot * 7919);
  const f0Base = SLOT_PITCH[slot]!;
  const scale = SLOT_FORMANT_SCALE[slot]!;
  const target = LOOP_SECONDS * SAMPLE_RATE;
  const buf = new Float64Array(target + 4 * SAMPLE_RATE);
  let pos = 0;
  let phase = 0;
  let noise = 0;
  while (pos < target) {
    const syllables = 3 + Math.floor(random() * 5);
    for (let s = 0; s < syllables; s++) {
      const n = Math.round((0.12 + random() * 0.16) * SAMPLE_RATE);
      const vowel = VOWELS[Math.floor(random() * VOWELS.length)]!;
      // Pitch drifts down over a phrase (declination) and glides within a syllable.
      const decl = 1.08 - (0.16 * s) / syllables;
      const p0 = f0Base * decl * (0.95 + 0.1 * random());
      const p1 = p0 * (0.93 + 0.12 * random());
      const loud = 0.65 + 0.35 * random();
      const w = harmonicWeights((p0 + p1) / 2, vowel, scale);
      const breathy = random() < 0.5;
      for (let i = 0; i < n; i++) {
        const t = i / n;
        const f = p0 + (p1 - p0) * t;
        phase = (phase + f / SAMPLE_RATE) % 1;
        let v = 0;
        for (let h = 0; h < w.length; h++) v += w[h]! * Math.sin(2 * Math.PI * (h + 1) * phase);
        let x = v * fade(i, n, 200, 480) * loud;
        // A soft "h"-like breath onset on some syllables: low-passed noise, quick decay.
        if (breathy && i < 240) {
          noise = 0.7 * noise + 0.3 * (random() * 2 - 1);
          x += noise * 0.5 * fade(i, 240, 40, 160);
        }
        buf[pos + i] = x;
      }
      pos += n + Math.round((0.03 + random() * 0.06) * SAMPLE_RATE);
    }
    pos += Math.round((0.35 + random() * 0.6) * SAMPLE_RATE);
  }
  // Whole frames, ending in a phrase pause, so the loop wraps silently.
  const length = Math.ceil(pos / SAMPLES_PER_FRAME) * SAMPLES_PER_FRAME;
  let peak = 0;
  for (let i = 0; i < length; i++) peak = Math.max(peak, Math.abs(buf[i]!));
  const out = new Int16Array(length);
  for (let i = 0; i < length; i++) out[i] = Math.round((buf[i]! * DEMO_PEAK) / peak);
  return out;
}

const tables: (Int16Array | undefined)[] = new Array<Int16Array | undefined>(STAMP_SLOTS);

/** The demo loop for a slot, built once on first use and shared by every demo leg. */
export function demoTable(slot: number): Int16Array {
  let t = tables[slot];
  if (!t) {
    t = synthesize(slot);
    tables[slot] = t;
  }
  return t;
}
