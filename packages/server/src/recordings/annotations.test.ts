import { describe, expect, it } from 'vitest';
import type { RecordingPauseRecord } from '../recording/pause-store.ts';
import { pauseAnnotations } from './annotations.ts';

const span = (pausedAt: number, resumedAt: number | null, behavior: 'skip' | 'silence'): RecordingPauseRecord => ({
  recordingSid: 'RE1',
  taskSid: null,
  pausedAt,
  resumedAt,
  behavior,
  pausedBy: 'alice',
  role: 'agent',
  reason: 'manual',
  resumedBy: resumedAt === null ? null : 'alice',
});

describe('pauseAnnotations', () => {
  it('moves later offsets earlier by the length of skipped spans', () => {
    const a = pauseAnnotations([span(13_000, 15_000, 'skip'), span(10_000, 12_000, 'skip')], 0);
    expect(a.map((x) => [x.offsetSeconds, x.lengthSeconds])).toEqual([
      [10, 2],
      [11, 2],
    ]);
  });
  it('keeps silence spans in place and leaves an open span without length', () => {
    const a = pauseAnnotations([span(10_000, 12_000, 'silence'), span(13_500, null, 'silence')], 1000);
    expect(a.map((x) => [x.offsetSeconds, x.lengthSeconds])).toEqual([
      [9, 2],
      [12.5, null],
    ]);
    expect(a[1]).toMatchObject({ pausedBy: 'alice', resumedAt: null, behavior: 'silence' });
  });
});
