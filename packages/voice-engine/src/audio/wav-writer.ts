import fs from 'node:fs';
import os from 'node:os';
import { FRAMES_PER_SECOND, SAMPLE_RATE, SAMPLES_PER_FRAME } from '@pause-recording/core/audio-format';

/** Size of the canonical RIFF/WAVE header we write: RIFF + fmt (16 bytes) + data chunk header. */
export const WAV_HEADER_BYTES = 44;
const BYTES_PER_SAMPLE = 2;
/** Frames buffered in memory before a write: 1 s, so at most 1 s is lost on a crash. */
const BUFFER_FRAMES = FRAMES_PER_SECOND;

// PCM is copied into the file buffer through an Int16Array view, which is native-endian.
if (os.endianness() !== 'LE') throw new Error('wav-writer needs a little-endian host');

/** A valid 16-bit PCM 8 kHz WAV header for `dataBytes` of audio. */
export function wavHeader(channels: 1 | 2, dataBytes: number): Buffer {
  const h = Buffer.alloc(WAV_HEADER_BYTES);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(SAMPLE_RATE, 24);
  h.writeUInt32LE(SAMPLE_RATE * channels * BYTES_PER_SAMPLE, 28);
  h.writeUInt16LE(channels * BYTES_PER_SAMPLE, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

/**
 * Streaming WAV writer that keeps the file valid on disk after every flush: PCM is appended
 * first, then the RIFF and data sizes are rewritten. Everything flushed survives a kill -9
 * (the OS page cache holds it); a crash between the two writes leaves only stale sizes,
 * which repairWav fixes.
 */
export class WavWriter {
  private readonly frameSamples: number;
  private readonly frameBytes: number;
  private readonly pcm: Int16Array;
  private readonly pcmBytes: Buffer;
  private readonly sizeField = Buffer.alloc(4);
  private buffered = 0;
  private flushed = 0;
  private fd: number | null;

  private constructor(
    fd: number,
    readonly path: string,
    readonly channels: 1 | 2,
    flushedFrames: number,
  ) {
    this.fd = fd;
    this.flushed = flushedFrames;
    this.frameSamples = SAMPLES_PER_FRAME * channels;
    this.frameBytes = this.frameSamples * BYTES_PER_SAMPLE;
    this.pcm = new Int16Array(BUFFER_FRAMES * this.frameSamples);
    this.pcmBytes = Buffer.from(this.pcm.buffer, this.pcm.byteOffset, this.pcm.byteLength);
  }

  /** Creates (or truncates) `path` and writes a header for an empty recording. */
  static open(path: string, channels: 1 | 2): WavWriter {
    if (channels !== 1 && channels !== 2) throw new RangeError(`channels must be 1 or 2, got ${String(channels)}`);
    const fd = fs.openSync(path, 'w');
    try {
      fs.writeSync(fd, wavHeader(channels, 0), 0, WAV_HEADER_BYTES, 0);
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
    return new WavWriter(fd, path, channels, 0);
  }

  /**
   * Continues a recording after a restart: repairs `path` (see repairWav) and appends to it.
   * `channels` is used only if the header itself was lost.
   */
  static reopen(path: string, channels: 1 | 2 = 1): WavWriter {
    const r = repairWav(path, channels);
    const fd = fs.openSync(path, 'r+');
    return new WavWriter(fd, path, r.channels === 2 ? 2 : 1, r.frames);
  }

  /** Frames written so far, including those still buffered. */
  get frames(): number {
    return this.flushed + this.buffered;
  }

  /** Frames that are on disk with a header that covers them. */
  get flushedFrames(): number {
    return this.flushed;
  }

  /** Appends one 20 ms frame: 160 samples per channel, interleaved when dual. */
  writeFrame(interleaved: Int16Array): void {
    this.checkOpen();
    if (interleaved.length !== this.frameSamples) {
      throw new RangeError(`frame must have ${this.frameSamples} samples, got ${interleaved.length}`);
    }
    this.pcm.set(interleaved, this.buffered * this.frameSamples);
    this.buffered++;
    if (this.buffered === BUFFER_FRAMES) this.flush();
  }

  /** Appends `frames` frames of exact digital silence (a paused span kept as silence). */
  writeSilence(frames: number): void {
    this.checkOpen();
    if (!Number.isInteger(frames) || frames < 0) throw new RangeError(`frames must be a whole number, got ${frames}`);
    let left = frames;
    while (left > 0) {
      const n = Math.min(left, BUFFER_FRAMES - this.buffered);
      this.pcm.fill(0, this.buffered * this.frameSamples, (this.buffered + n) * this.frameSamples);
      this.buffered += n;
      left -= n;
      if (this.buffered === BUFFER_FRAMES) this.flush();
    }
  }

  /** Writes buffered PCM, then the header sizes, so the file is a valid WAV right after. */
  flush(): void {
    const fd = this.checkOpen();
    if (this.buffered === 0) return;
    const position = WAV_HEADER_BYTES + this.flushed * this.frameBytes;
    const length = this.buffered * this.frameBytes;
    let done = 0;
    while (done < length) done += fs.writeSync(fd, this.pcmBytes, done, length - done, position + done);
    this.flushed += this.buffered;
    this.buffered = 0;
    const dataBytes = this.flushed * this.frameBytes;
    this.writeSize(fd, 4, 36 + dataBytes);
    this.writeSize(fd, 40, dataBytes);
  }

  /** Flushes and closes; returns the final frame count and file size. Safe to call twice. */
  close(): { frames: number; bytes: number } {
    if (this.fd !== null) {
      this.flush();
      fs.closeSync(this.fd);
      this.fd = null;
    }
    return { frames: this.flushed, bytes: WAV_HEADER_BYTES + this.flushed * this.frameBytes };
  }

  private writeSize(fd: number, offset: number, value: number): void {
    this.sizeField.writeUInt32LE(value, 0);
    fs.writeSync(fd, this.sizeField, 0, 4, offset);
  }

  private checkOpen(): number {
    if (this.fd === null) throw new Error(`WAV writer for ${this.path} is closed`);
    return this.fd;
  }
}

/**
 * Makes a WAV left by a crashed writer valid again: keeps every whole frame on disk, cuts a
 * partial trailing frame, and rewrites the sizes. A file too short to hold a header becomes a
 * valid empty WAV with `channels`. Throws if the file is not one of our PCM WAVs.
 */
export function repairWav(path: string, channels: 1 | 2 = 1): { frames: number; channels: number; repaired: boolean } {
  const fd = fs.openSync(path, 'r+');
  try {
    const size = fs.fstatSync(fd).size;
    if (size < WAV_HEADER_BYTES) {
      fs.writeSync(fd, wavHeader(channels, 0), 0, WAV_HEADER_BYTES, 0);
      fs.ftruncateSync(fd, WAV_HEADER_BYTES);
      return { frames: 0, channels, repaired: true };
    }
    const header = Buffer.alloc(WAV_HEADER_BYTES);
    fs.readSync(fd, header, 0, WAV_HEADER_BYTES, 0);
    const ch = header.readUInt16LE(22) === 2 ? 2 : 1;
    // Everything but the two size fields must match what WavWriter writes.
    const expected = wavHeader(ch, 0);
    if (!header.subarray(8, 40).equals(expected.subarray(8, 40)) || header.toString('ascii', 0, 4) !== 'RIFF') {
      throw new Error(`${path} is not a 16-bit PCM 8 kHz WAV written by WavWriter; not repairing it`);
    }
    const frameBytes = SAMPLES_PER_FRAME * ch * BYTES_PER_SAMPLE;
    const frames = Math.floor((size - WAV_HEADER_BYTES) / frameBytes);
    const dataBytes = frames * frameBytes;
    const truncate = size !== WAV_HEADER_BYTES + dataBytes;
    const stale = header.readUInt32LE(4) !== 36 + dataBytes || header.readUInt32LE(40) !== dataBytes;
    if (truncate) fs.ftruncateSync(fd, WAV_HEADER_BYTES + dataBytes);
    if (stale) fs.writeSync(fd, wavHeader(ch, dataBytes), 0, WAV_HEADER_BYTES, 0);
    return { frames, channels: ch, repaired: truncate || stale };
  } finally {
    fs.closeSync(fd);
  }
}
