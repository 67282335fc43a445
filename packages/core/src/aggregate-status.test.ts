import { describe, expect, it } from 'vitest';
import { aggregateRecordingStatus } from './aggregate-status.ts';

describe('aggregateRecordingStatus', () => {
  it('is not-recording with no recordings or only finished ones', () => {
    expect(aggregateRecordingStatus([])).toBe('not-recording');
    expect(aggregateRecordingStatus(['completed', 'stopped', 'absent'])).toBe('not-recording');
  });
  it('is recording when every active recording captures', () => {
    expect(aggregateRecordingStatus(['in-progress'])).toBe('recording');
    expect(aggregateRecordingStatus(['in-progress', 'in-progress', 'completed'])).toBe('recording');
  });
  it('is paused only when every active recording is paused', () => {
    expect(aggregateRecordingStatus(['paused', 'paused'])).toBe('paused');
    expect(aggregateRecordingStatus(['paused', 'completed'])).toBe('paused');
  });
  it('is partially-paused when one pauses and another still captures', () => {
    expect(aggregateRecordingStatus(['paused', 'in-progress'])).toBe('partially-paused');
    expect(aggregateRecordingStatus(['in-progress', 'paused', 'stopped'])).toBe('partially-paused');
  });
});
