import { describe, expect, it } from 'vitest';
import type { RecordingPauseRecord } from '../ledger/ledger.ts';
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

describe('pauseAnnotations with the engine capture log', () => {
  const ev = (tick: number, fileFrame: number, status: string, acceptedAtMs: number) => ({ tick, fileFrame, status, acceptedAtMs });
  // Recording from tick 50 (wall 1000 ms); a skip pause at tick 550 (file frame 500) until tick 650,
  // a silence pause at tick 1050 (file frame 900) until 1100, then stopped.
  const log = {
    sid: 'RE1',
    events: [
      ev(50, 0, 'in-progress', 1000),
      ev(550, 500, 'paused', 11_030),
      ev(650, 500, 'in-progress', 13_020),
      ev(1050, 900, 'paused', 21_050),
      ev(1100, 950, 'in-progress', 22_040),
      ev(1200, 1050, 'stopped', 24_000),
    ],
  };

  it('takes offsets and lengths from the frames the engine paused and resumed at', () => {
    // Server clocks 0.1 s early, as confirmed pauses are.
    const a = pauseAnnotations([span(10_930, 12_930, 'skip'), span(20_950, 21_950, 'silence')], 1000, log);
    expect(a.map((x) => [x.offsetSeconds, x.lengthSeconds, x.timing])).toEqual([
      [10, 2, 'capture'],
      [18, 1, 'capture'],
    ]);
  });

  it('falls back to server clocks for a span the engine has no pause for (after the captured skip)', () => {
    const a = pauseAnnotations([span(10_930, 12_930, 'skip'), span(40_000, 41_000, 'silence')], 1000, log);
    expect(a.map((x) => [x.offsetSeconds, x.lengthSeconds, x.timing])).toEqual([
      [10, 2, 'capture'],
      [37, 1, 'server-clock'],
    ]);
  });

  it('leaves a pause the engine still holds open', () => {
    const live = { sid: 'RE1', events: log.events.slice(0, 2) };
    const a = pauseAnnotations([span(10_930, null, 'skip')], 1000, live);
    expect(a.map((x) => [x.offsetSeconds, x.lengthSeconds, x.timing])).toEqual([[10, null, 'capture']]);
  });

  it('pairs each server span with the nearest engine pause, each engine pause once', () => {
    const a = pauseAnnotations([span(21_000, 22_000, 'silence'), span(21_010, 22_000, 'silence')], 1000, log);
    expect(a.map((x) => x.timing)).toEqual(['capture', 'server-clock']);
  });
});
