import type { RecordingPauseAnnotation } from '@pause-recording/core';
import type { RecordingPauseRecord } from '../recording/pause-store.ts';

const secs = (ms: number): number => Math.round(ms / 10) / 100;

/**
 * Where each paused span sits in the recording's audio. A `skip` span is cut out of the file,
 * so every later offset moves earlier by its length; a `silence` span stays in place. Offsets
 * come from server clocks (the recording's start as first seen, the pause as confirmed) and are
 * therefore approximate to a request's round trip.
 */
export function pauseAnnotations(spans: readonly RecordingPauseRecord[], recordingStartMs: number): RecordingPauseAnnotation[] {
  let skipped = 0;
  const out: RecordingPauseAnnotation[] = [];
  for (const s of [...spans].sort((a, b) => a.pausedAt - b.pausedAt)) {
    const length = s.resumedAt === null ? null : s.resumedAt - s.pausedAt;
    out.push({
      offsetSeconds: secs(Math.max(0, s.pausedAt - recordingStartMs - skipped)),
      lengthSeconds: length === null ? null : secs(length),
      behavior: s.behavior,
      pausedBy: s.pausedBy,
      role: s.role,
      reason: s.reason,
      pausedAt: new Date(s.pausedAt).toISOString(),
      resumedAt: s.resumedAt === null ? null : new Date(s.resumedAt).toISOString(),
      resumedBy: s.resumedBy,
    });
    if (s.behavior === 'skip' && length !== null) skipped += length;
  }
  return out;
}
