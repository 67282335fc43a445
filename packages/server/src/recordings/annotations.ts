import { FRAME_MS, type RecordingPauseAnnotation } from '@pause-recording/core';
import type { CaptureLog } from '../provider/capture-log.ts';
import type { RecordingPauseRecord } from '../ledger/ledger.ts';

const secs = (ms: number): number => Math.round(ms / 10) / 100;

/** A pause as the engine captured it: from which frame, at which file position, until which frame. */
interface CapturedPause {
  readonly tick: number;
  readonly fileFrame: number;
  readonly acceptedAtMs: number;
  /** The frame from which capture went on (resumed, or the recording stopped); null while paused. */
  endTick: number | null;
}

/** A server span and an engine pause this far apart (by wall clock) are not the same pause. */
const MATCH_WINDOW_MS = 5000;

function capturedPauses(log: CaptureLog): CapturedPause[] {
  const out: CapturedPause[] = [];
  let open: CapturedPause | null = null;
  for (const e of log.events) {
    if (e.status === 'paused') {
      if (open === null) out.push((open = { tick: e.tick, fileFrame: e.fileFrame, acceptedAtMs: e.acceptedAtMs, endTick: null }));
    } else if (open !== null) {
      open.endTick = e.tick;
      open = null;
    }
  }
  return out;
}

/**
 * Where each paused span sits in the recording's audio, and how long it lasted.
 *
 * With the engine's capture log (`capture`), both come from the frames the engine actually
 * paused and resumed at (`timing: 'capture'`): exact to the frame. Each server span is paired
 * with the engine pause accepted nearest in time to it.
 *
 * Without one (Twilio keeps no such record), they come from server clocks (`timing:
 * 'server-clock'`): the recording's start as first seen and the pause as confirmed, so they are
 * approximate to a request's round trip. A `skip` span is cut out of the file, so every later
 * offset moves earlier by its length; a `silence` span stays in place.
 */
export function pauseAnnotations(
  spans: readonly RecordingPauseRecord[],
  recordingStartMs: number,
  capture: CaptureLog | null = null,
): RecordingPauseAnnotation[] {
  const captured = capture === null ? [] : capturedPauses(capture);
  const used = new Set<CapturedPause>();
  let skipped = 0;
  const out: RecordingPauseAnnotation[] = [];
  for (const s of [...spans].sort((a, b) => a.pausedAt - b.pausedAt)) {
    let match: CapturedPause | null = null;
    for (const c of captured) {
      if (used.has(c) || Math.abs(c.acceptedAtMs - s.pausedAt) > MATCH_WINDOW_MS) continue;
      if (match === null || Math.abs(c.acceptedAtMs - s.pausedAt) < Math.abs(match.acceptedAtMs - s.pausedAt)) match = c;
    }
    const clockLength = s.resumedAt === null ? null : s.resumedAt - s.pausedAt;
    const common = {
      behavior: s.behavior,
      pausedBy: s.pausedBy,
      role: s.role,
      reason: s.reason,
      pausedAt: new Date(s.pausedAt).toISOString(),
      resumedAt: s.resumedAt === null ? null : new Date(s.resumedAt).toISOString(),
      resumedBy: s.resumedBy,
    };
    if (match !== null) {
      used.add(match);
      const frames = match.endTick === null ? null : match.endTick - match.tick;
      out.push({
        offsetSeconds: secs(match.fileFrame * FRAME_MS),
        lengthSeconds: frames === null ? (clockLength === null ? null : secs(clockLength)) : secs(frames * FRAME_MS),
        timing: 'capture',
        ...common,
      });
      if (s.behavior === 'skip' && frames !== null) skipped += frames * FRAME_MS;
      continue;
    }
    out.push({
      offsetSeconds: secs(Math.max(0, s.pausedAt - recordingStartMs - skipped)),
      lengthSeconds: clockLength === null ? null : secs(clockLength),
      timing: 'server-clock',
      ...common,
    });
    if (s.behavior === 'skip' && clockLength !== null) skipped += clockLength;
  }
  return out;
}
