import { describe, expect, it } from 'vitest';
import type { NotificationRequest, Notifier } from '../../lib/notifier.ts';
import { RecordingStates } from '../../lib/recording-states.ts';
import { recState, TASK_SID } from '../../../test/support/fixtures.ts';
import { watchRecordingAlarms } from './alarm-watch.ts';
import { applyRecordingEvent } from './recording-events.ts';

/** What is on screen, as a Notifier sees it: the latest request per id, until dismissed. */
class Screen implements Notifier {
  private readonly shown = new Map<string, NotificationRequest>();
  readonly notified: string[] = [];
  notify(n: NotificationRequest): void {
    this.notified.push(n.id);
    this.shown.delete(n.id);
    this.shown.set(n.id, n);
  }
  dismiss(id: string): void {
    this.shown.delete(id);
  }
  current(): NotificationRequest[] {
    return [...this.shown.values()];
  }
}

describe('partially-paused alarm', () => {
  it('raises one sticky alarm while partially paused and clears it once the state is safe', () => {
    const states = new RecordingStates();
    const notes = new Screen();
    watchRecordingAlarms(states, notes);
    states.set(recState({ status: 'partially-paused', capturing: ['RE0123456789abcdef0123456789abcdef'] }));
    states.setPending(TASK_SID, false);
    const alarms = notes.current().filter((n) => n.id === `alarm:${TASK_SID}`);
    expect(alarms).toHaveLength(1);
    // An unrelated change (the pending flag) does not re-announce the same alarm.
    expect(notes.notified).toEqual([`alarm:${TASK_SID}`]);
    expect(alarms[0]).toMatchObject({ kind: 'error', sticky: true, message: 'notifAlarm', params: { count: 1 } });
    states.set(recState({ status: 'paused' }));
    expect(notes.current().filter((n) => n.id === `alarm:${TASK_SID}`)).toHaveLength(0);
  });
});

describe('live recording events', () => {
  it('store the state they carry and raise the reminder and auto-resume banners', () => {
    const states = new RecordingStates();
    const notes = new Screen();
    const pausedAt = '2026-11-26T15:00:00.000Z';
    const now = (): number => Date.parse(pausedAt) + 30_000;
    applyRecordingEvent({ type: 'recording.reminder', taskSid: TASK_SID, state: recState({ status: 'paused', pausedAt }) }, { states, notifier: notes, now });
    expect(states.get(TASK_SID).state?.status).toBe('paused');
    expect(notes.current()[0]).toMatchObject({ message: 'notifReminder', params: { time: '0:30' } });
    applyRecordingEvent({ type: 'recording.auto-resumed', taskSid: TASK_SID, state: recState({ status: 'recording' }) }, { states, notifier: notes, now });
    expect(states.get(TASK_SID).state?.status).toBe('recording');
    expect(notes.current().map((n) => n.message)).toEqual(['notifAutoResumed']);
  });
});
