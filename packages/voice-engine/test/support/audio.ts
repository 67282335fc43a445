/** Helpers shared by the audio tests (not used by production code). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SAMPLES_PER_FRAME } from '@pause-recording/core';
import { writeStamp } from '../../src/audio/sources.ts';

/** A fresh temp dir; the OS cleans it up, and tests remove it when they can. */
export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'pause-rec-audio-'));
}

/** One frame (interleaved when `channels` is 2) with stamp (slot, k) per channel; null leaves a channel silent. */
export function stampedFrame(...perChannel: ([slot: number, k: number] | null)[]): Int16Array {
  const channels = perChannel.length;
  const mono = new Int16Array(SAMPLES_PER_FRAME);
  const out = new Int16Array(SAMPLES_PER_FRAME * channels);
  perChannel.forEach((stamp, c) => {
    mono.fill(0);
    if (stamp) writeStamp(mono, 0, stamp[0], stamp[1]);
    for (let i = 0; i < SAMPLES_PER_FRAME; i++) out[i * channels + c] = mono[i]!;
  });
  return out;
}
