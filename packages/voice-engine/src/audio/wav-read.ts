import fs from 'node:fs';
import { FRAME_MS } from '@pause-recording/core';

/** A decoded 16-bit PCM WAV. */
export interface WavData {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** Whole 20 ms frames per channel (a trailing partial frame is not counted). */
  frames: number;
  /** One array of samples per channel, de-interleaved. */
  channelData: Int16Array[];
}

/** The input is not a WAV we can read; the message says why. */
export class WavFormatError extends Error {
  override name = 'WavFormatError';
}

/**
 * Strict reader for the WAVs this project writes: RIFF/WAVE, PCM 16-bit, any rate, 1..2
 * channels. Walks the chunk list to find `fmt ` and `data`, so extra chunks are fine; a data
 * chunk that claims more bytes than the file holds is an error (run repairWav first).
 */
export function readWav(pathOrBuffer: string | Buffer): WavData {
  const buf = typeof pathOrBuffer === 'string' ? fs.readFileSync(pathOrBuffer) : pathOrBuffer;
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new WavFormatError('not a WAV file: no RIFF/WAVE header');
  }
  let fmt: { format: number; channels: number; sampleRate: number; blockAlign: number; bits: number } | null = null;
  let data: Buffer | null = null;
  let pos = 12;
  while (pos + 8 <= buf.length && data === null) {
    const id = buf.toString('ascii', pos, pos + 4);
    const size = buf.readUInt32LE(pos + 4);
    const body = pos + 8;
    if (body + size > buf.length) {
      throw new WavFormatError(`truncated WAV: chunk '${id}' claims ${size} bytes, ${buf.length - body} present`);
    }
    if (id === 'fmt ') {
      if (size < 16) throw new WavFormatError(`fmt chunk too short (${size} bytes)`);
      fmt = {
        format: buf.readUInt16LE(body),
        channels: buf.readUInt16LE(body + 2),
        sampleRate: buf.readUInt32LE(body + 4),
        blockAlign: buf.readUInt16LE(body + 12),
        bits: buf.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      data = buf.subarray(body, body + size);
    }
    pos = body + size + (size & 1); // chunks are padded to even length
  }
  if (!fmt) throw new WavFormatError('WAV has no fmt chunk before its data');
  if (fmt.format !== 1) throw new WavFormatError(`unsupported WAV format ${fmt.format}: only PCM (1) is supported`);
  if (fmt.bits !== 16) throw new WavFormatError(`unsupported WAV sample size ${fmt.bits} bits: only 16-bit is supported`);
  if (fmt.channels < 1 || fmt.channels > 2) throw new WavFormatError(`unsupported channel count ${fmt.channels}`);
  if (fmt.sampleRate === 0 || fmt.blockAlign !== fmt.channels * 2) throw new WavFormatError('inconsistent WAV fmt chunk');
  if (!data) throw new WavFormatError('WAV has no data chunk');
  if (data.length % fmt.blockAlign !== 0) {
    throw new WavFormatError(`data chunk of ${data.length} bytes is not whole ${fmt.channels}-channel samples`);
  }
  const perChannel = data.length / fmt.blockAlign;
  const channelData: Int16Array[] = [];
  for (let c = 0; c < fmt.channels; c++) {
    const out = new Int16Array(perChannel);
    for (let i = 0; i < perChannel; i++) out[i] = data.readInt16LE((i * fmt.channels + c) * 2);
    channelData.push(out);
  }
  const samplesPerFrame = (fmt.sampleRate * FRAME_MS) / 1000;
  return {
    sampleRate: fmt.sampleRate,
    channels: fmt.channels,
    bitsPerSample: fmt.bits,
    frames: Math.floor(perChannel / samplesPerFrame),
    channelData,
  };
}
