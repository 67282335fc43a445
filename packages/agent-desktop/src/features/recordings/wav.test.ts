import { describe, expect, it } from 'vitest';
import { summarizeWav } from './wav.ts';

/** A 16-bit PCM WAV built in memory: `samples` per channel, interleaved. */
function wav(sampleRate: number, channels: number[][]): ArrayBuffer {
  const frames = channels[0]?.length ?? 0;
  const data = frames * channels.length * 2;
  const buf = new ArrayBuffer(44 + data);
  const v = new DataView(buf);
  const str = (at: number, s: string) => [...s].forEach((c, i) => v.setUint8(at + i, c.charCodeAt(0)));
  str(0, 'RIFF');
  v.setUint32(4, 36 + data, true);
  str(8, 'WAVE');
  str(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true);
  v.setUint16(22, channels.length, true);
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, sampleRate * channels.length * 2, true);
  v.setUint16(32, channels.length * 2, true);
  v.setUint16(34, 16, true);
  str(36, 'data');
  v.setUint32(40, data, true);
  for (let f = 0; f < frames; f++) channels.forEach((ch, c) => v.setInt16(44 + (f * channels.length + c) * 2, ch[f] ?? 0, true));
  return buf;
}

describe('summarizeWav', () => {
  it('reports format and duration and takes the loudest sample of either channel per bucket', () => {
    // 8 frames at 8 Hz = 1 s; first half loud on the left, second half silent (a silenced pause).
    const left = [16384, -16384, 8192, 0, 0, 0, 0, 0];
    const right = [0, 0, 0, -32768, 0, 0, 0, 0];
    const s = summarizeWav(wav(8, [left, right]), 4);
    expect(s).toMatchObject({ sampleRate: 8, channels: 2, durationSeconds: 1 });
    expect(s.peaks).toEqual([0.5, 1, 0, 0]);
  });

  it('refuses what is not a 16-bit PCM WAV', () => {
    expect(() => summarizeWav(new TextEncoder().encode('hello world, not a wav').buffer, 4)).toThrow('not a WAV file');
  });
});
