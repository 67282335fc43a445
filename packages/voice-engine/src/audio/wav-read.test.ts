import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import wavefile from 'wavefile';
import { WavFormatError, readWav } from './wav-read.ts';
import { wavHeader } from './wav-writer.ts';
import { tempDir } from '../../test/support/audio.ts';

/** A WAV from chunks we lay out by hand. */
function riff(...chunks: [id: string, body: Buffer][]): Buffer {
  const parts = chunks.map(([id, body]) => {
    const head = Buffer.alloc(8);
    head.write(id, 0, 'ascii');
    head.writeUInt32LE(body.length, 4);
    return Buffer.concat([head, body, Buffer.alloc(body.length & 1)]);
  });
  const all = Buffer.concat(parts);
  const head = Buffer.alloc(12);
  head.write('RIFF', 0, 'ascii');
  head.writeUInt32LE(4 + all.length, 4);
  head.write('WAVE', 8, 'ascii');
  return Buffer.concat([head, all]);
}

function fmt(format: number, channels: number, rate: number, bits: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt16LE(format, 0);
  b.writeUInt16LE(channels, 2);
  b.writeUInt32LE(rate, 4);
  b.writeUInt32LE((rate * channels * bits) / 8, 8);
  b.writeUInt16LE((channels * bits) / 8, 12);
  b.writeUInt16LE(bits, 14);
  return b;
}

function pcm(samples: number[]): Buffer {
  const b = Buffer.alloc(samples.length * 2);
  samples.forEach((v, i) => b.writeInt16LE(v, i * 2));
  return b;
}

describe('readWav', () => {
  it('reads a dual-channel file written by wavefile, de-interleaving channels', () => {
    const left = Array.from({ length: 480 }, (_, i) => ((i * 37) % 30000) - 15000);
    const right = left.map((v) => -v - 1);
    const wf = new wavefile.WaveFile();
    wf.fromScratch(2, 8000, '16', [left, right]);
    const dir = tempDir();
    const p = path.join(dir, 'wf.wav');
    fs.writeFileSync(p, wf.toBuffer());
    const wav = readWav(p);
    expect(wav).toMatchObject({ sampleRate: 8000, channels: 2, bitsPerSample: 16, frames: 3 });
    expect(Array.from(wav.channelData[0]!)).toEqual(left);
    expect(Array.from(wav.channelData[1]!)).toEqual(right);
    fs.rmSync(dir, { recursive: true });
  });

  it('finds fmt and data past other chunks, including odd-sized padded ones', () => {
    const samples = Array.from({ length: 170 }, (_, i) => i - 85);
    const wav = readWav(riff(['LIST', Buffer.from('abc')], ['fmt ', fmt(1, 1, 8000, 16)], ['junk', Buffer.alloc(5)], ['data', pcm(samples)]));
    expect(wav.frames).toBe(1); // 170 samples: one whole 20 ms frame
    expect(Array.from(wav.channelData[0]!)).toEqual(samples);
  });

  it('reads the header WavWriter writes for an empty file, and counts frames at other rates', () => {
    expect(readWav(wavHeader(1, 0))).toMatchObject({ channels: 1, frames: 0, sampleRate: 8000 });
    expect(readWav(riff(['fmt ', fmt(1, 1, 16000, 16)], ['data', pcm(new Array<number>(640).fill(0))])).frames).toBe(2);
  });

  it.each([
    ['text', Buffer.from('hello, this is not audio at all'), /not a WAV/],
    ['RIFF but not WAVE', Buffer.from('RIFF\x04\x00\x00\x00AVI '), /not a WAV/],
    ['float samples', riff(['fmt ', fmt(3, 1, 8000, 32)], ['data', Buffer.alloc(8)]), /unsupported WAV format 3/],
    ['8-bit samples', riff(['fmt ', fmt(1, 1, 8000, 8)], ['data', Buffer.alloc(8)]), /8 bits/],
    ['6 channels', riff(['fmt ', fmt(1, 6, 8000, 16)], ['data', Buffer.alloc(24)]), /channel count 6/],
    ['no data chunk', riff(['fmt ', fmt(1, 1, 8000, 16)]), /no data chunk/],
    ['data before fmt', riff(['data', Buffer.alloc(4)], ['fmt ', fmt(1, 1, 8000, 16)]), /no fmt chunk/],
    ['short fmt', riff(['fmt ', Buffer.alloc(10)], ['data', Buffer.alloc(4)]), /fmt chunk too short/],
    ['partial stereo sample', riff(['fmt ', fmt(1, 2, 8000, 16)], ['data', Buffer.alloc(6)]), /not whole/],
    ['data longer than the file', Buffer.concat([wavHeader(1, 1000), Buffer.alloc(10)]), /truncated/],
  ])('rejects %s with a clear WavFormatError', (_name, buf, message) => {
    expect(() => readWav(buf)).toThrow(WavFormatError);
    expect(() => readWav(buf)).toThrow(message);
  });

  it('reports a missing file with the file system error', () => {
    expect(() => readWav(path.join(tempDir(), 'nope.wav'))).toThrow(/ENOENT/);
  });
});
