/** What the waveform needs of a WAV file: its format and, per bucket of time, the loudest sample. */
export interface WavSummary {
  readonly sampleRate: number;
  readonly channels: number;
  readonly durationSeconds: number;
  /** Peak |sample| / 32768 per bucket, channels mixed by taking the loudest. */
  readonly peaks: readonly number[];
}

/** Reads a 16-bit PCM WAV (what the engine and Twilio write) and summarises it into `buckets` peaks. */
export function summarizeWav(bytes: ArrayBuffer, buckets: number): WavSummary {
  const view = new DataView(bytes);
  const tag = (at: number): string => String.fromCharCode(view.getUint8(at), view.getUint8(at + 1), view.getUint8(at + 2), view.getUint8(at + 3));
  if (bytes.byteLength < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new Error('not a WAV file');
  let offset = 12;
  let sampleRate = 0;
  let channels = 0;
  let bits = 0;
  let dataStart = -1;
  let dataLength = 0;
  while (offset + 8 <= bytes.byteLength) {
    const id = tag(offset);
    const size = view.getUint32(offset + 4, true);
    if (id === 'fmt ') {
      channels = view.getUint16(offset + 10, true);
      sampleRate = view.getUint32(offset + 12, true);
      bits = view.getUint16(offset + 22, true);
    } else if (id === 'data') {
      dataStart = offset + 8;
      // A file still being written may declare more than it holds.
      dataLength = Math.min(size, bytes.byteLength - dataStart);
      break;
    }
    offset += 8 + size + (size % 2);
  }
  if (dataStart < 0 || bits !== 16 || channels < 1 || sampleRate < 1) throw new Error('only 16-bit PCM WAV files are supported');
  const frames = Math.floor(dataLength / (2 * channels));
  const n = Math.max(1, buckets);
  const peaks = new Array<number>(n).fill(0);
  for (let f = 0; f < frames; f++) {
    const b = Math.min(n - 1, Math.floor((f * n) / frames));
    for (let c = 0; c < channels; c++) {
      const v = Math.abs(view.getInt16(dataStart + (f * channels + c) * 2, true)) / 32768;
      if (v > (peaks[b] ?? 0)) peaks[b] = v;
    }
  }
  return { sampleRate, channels, durationSeconds: frames / sampleRate, peaks };
}
