import { describe, expect, it } from 'vitest';
import { canTransition, RECORDING_STATUSES, type RecordingStatus } from '@pause-recording/core';
import { IllegalTransitionError } from '../errors.ts';
import { Recording, type StoredRecording } from './recording.ts';

const SID = `RE${'c'.repeat(32)}`;

/** A recording restored in `status` (no WAV needed: only the status is exercised). */
function recordingIn(status: RecordingStatus): Recording {
  const stored: StoredRecording = {
    sid: SID,
    accountSid: `AC${'0'.repeat(32)}`,
    callSid: `CA${'1'.repeat(32)}`,
    conferenceSid: null,
    channels: 1,
    track: 'both',
    source: 'StartCallRecordingAPI',
    callback: null,
    callbackEvents: [],
    wavPath: '/nonexistent.wav',
    startTick: 0,
    createdMs: 0,
    status,
    pauseBehavior: null,
    updatedMs: 0,
    errorCode: null,
    fileFrames: 0,
    liveFrames: 0,
    events: [],
  };
  return Recording.restore(stored);
}

describe('Recording.moveTo: every status change through core transition table', () => {
  for (const from of RECORDING_STATUSES) {
    for (const to of RECORDING_STATUSES) {
      const legal = canTransition(from, to);
      it(`${from} -> ${to}: ${legal ? 'allowed' : 'IllegalTransitionError, unchanged'}`, () => {
        const r = recordingIn(from);
        if (legal) {
          r.moveTo(to);
          expect(r.status).toBe(to);
        } else {
          expect(() => r.moveTo(to)).toThrow(IllegalTransitionError);
          expect(r.status).toBe(from);
        }
      });
    }
  }

  it('the error names the recording and both statuses', () => {
    const r = recordingIn('completed');
    try {
      r.moveTo('in-progress');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(IllegalTransitionError);
      const err = e as IllegalTransitionError;
      expect([err.recordingSid, err.from, err.to]).toEqual([SID, 'completed', 'in-progress']);
      expect(err.message).toBe(`Recording ${SID} cannot go from completed to in-progress`);
    }
  });

  it('a restored recording keeps the status it was stored with', () => {
    for (const s of RECORDING_STATUSES) expect(recordingIn(s).status).toBe(s);
  });
});
