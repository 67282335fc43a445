import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AUTO_RESUME_RETRY_MS, dueDeadlines, reminderAudit } from './deadlines.ts';
import type { OpenPause } from './model.ts';
import { ledger, openPause } from '../../test/support/orchestration.ts';

const p = openPause(0); // reminder at 30 s, auto-resume at 120 s
const due = (now: number, over: Partial<OpenPause> = {}, last: number | null = null, status: 'paused' | 'recording' = 'paused') =>
  dueDeadlines({ pause: { ...p, ...over }, now, status, lastAutoResumeAttemptAt: last });

describe('dueDeadlines', () => {
  it('before anything is due: nothing, wake at the reminder', () => {
    expect(due(1_000)).toEqual({ remind: false, dropReminder: false, autoResume: false, nextAt: 30_000 });
  });
  it('at the reminder while paused: remind, then wake at the auto-resume', () => {
    expect(due(30_000)).toEqual({ remind: true, dropReminder: false, autoResume: false, nextAt: 120_000 });
  });
  it('at the reminder when nothing is paused any more: drop it without sending', () => {
    expect(due(30_000, {}, null, 'recording')).toMatchObject({ remind: false, dropReminder: true });
  });
  it('a reminder already sent is not sent again', () => {
    expect(due(60_000, { reminderFired: true })).toEqual({ remind: false, dropReminder: false, autoResume: false, nextAt: 120_000 });
  });
  it('at the auto-resume: resume (the reminder, even unsent, gives way), look again after the retry interval', () => {
    expect(due(120_000)).toEqual({ remind: false, dropReminder: false, autoResume: true, nextAt: 120_000 + AUTO_RESUME_RETRY_MS });
  });
  it('after an auto-resume that left the pause open: retried every AUTO_RESUME_RETRY_MS, not before', () => {
    expect(due(121_000, {}, 120_500)).toMatchObject({ autoResume: false, nextAt: 120_500 + AUTO_RESUME_RETRY_MS });
    expect(due(122_500, {}, 120_500)).toMatchObject({ autoResume: true });
  });
  it('without max_pause_seconds: only the reminder, then nothing more', () => {
    expect(due(1_000, { autoResumeAt: null })).toMatchObject({ nextAt: 30_000 });
    expect(due(30_000, { autoResumeAt: null })).toEqual({ remind: true, dropReminder: false, autoResume: false, nextAt: null });
    expect(due(31_000, { autoResumeAt: null, reminderFired: true }).nextAt).toBeNull();
  });
  it('never resumes early, never reminds twice, never asks to wake in the past', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 300_000 }),
        fc.option(fc.integer({ min: 1, max: 200_000 }), { nil: null }),
        fc.option(fc.integer({ min: 1, max: 200_000 }), { nil: null }),
        fc.boolean(),
        fc.option(fc.integer({ min: 0, max: 300_000 }), { nil: null }),
        (now, reminderAt, autoResumeAt, reminderFired, last) => {
          const d = due(now, { reminderAt, autoResumeAt, reminderFired }, last);
          if (d.autoResume) expect(autoResumeAt !== null && now >= autoResumeAt && (last === null || now >= last + AUTO_RESUME_RETRY_MS)).toBe(true);
          if (d.remind) expect(reminderFired).toBe(false);
          expect(d.remind && d.autoResume).toBe(false);
          if (d.nextAt !== null) expect(d.nextAt).toBeGreaterThan(now);
        },
      ),
    );
  });
});

describe('reminderAudit', () => {
  it('is a system reminder naming the pause and the configured seconds', () => {
    const l = ledger();
    expect(reminderAudit(l, p, ['RE1'], 30)).toEqual({
      action: 'reminder',
      outcome: 'ok',
      actor: 'system',
      role: 'system',
      taskSid: l.taskSid,
      callSid: l.callSid,
      conferenceSid: l.conferenceSid,
      recordingSids: ['RE1'],
      details: { pausedAt: new Date(0).toISOString(), pausedBy: 'alice', reminderSeconds: 30 },
    });
  });
});
