import { describe, expect, it } from 'vitest';
import { duePauseActions, pauseSchedule } from './pause-policy.ts';

describe('pauseSchedule', () => {
  it('places reminder and auto-resume after the pause began', () => {
    expect(pauseSchedule(1000, { reminderSeconds: 30, maxPauseSeconds: 120 })).toEqual({
      reminderAt: 31_000,
      autoResumeAt: 121_000,
    });
  });
  it('treats 0 as off', () => {
    expect(pauseSchedule(0, { reminderSeconds: 0, maxPauseSeconds: 0 })).toEqual({ reminderAt: null, autoResumeAt: null });
    expect(pauseSchedule(0, { reminderSeconds: 5, maxPauseSeconds: 0 })).toEqual({ reminderAt: 5000, autoResumeAt: null });
  });
  it('drops a reminder that would not come before the auto-resume', () => {
    expect(pauseSchedule(0, { reminderSeconds: 60, maxPauseSeconds: 60 })).toEqual({ reminderAt: null, autoResumeAt: 60_000 });
  });
});

describe('duePauseActions', () => {
  const schedule = { reminderAt: 10, autoResumeAt: 20 };
  it('reminds once when the reminder is due', () => {
    expect(duePauseActions(schedule, 9, { reminder: false })).toEqual({ remind: false, autoResume: false });
    expect(duePauseActions(schedule, 10, { reminder: false })).toEqual({ remind: true, autoResume: false });
    expect(duePauseActions(schedule, 15, { reminder: true })).toEqual({ remind: false, autoResume: false });
  });
  it('resumes (and no longer reminds) once the maximum has passed', () => {
    expect(duePauseActions(schedule, 25, { reminder: false })).toEqual({ remind: false, autoResume: true });
  });
});
