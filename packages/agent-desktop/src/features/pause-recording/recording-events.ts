import type { LiveEvent } from '@pause-recording/core';
import type { Notifier } from '../../lib/notifier.ts';
import type { RecordingStates } from '../../lib/recording-states.ts';
import { formatDuration, secondsSince } from '../../lib/time-format.ts';

/** Applies a live recording event: the state it carries, plus the reminder / auto-resume banners. */
export function applyRecordingEvent(e: LiveEvent, deps: { states: RecordingStates; notifier: Notifier; now?: () => number }): void {
  if (e.type === 'task.offered' || e.type === 'task.updated') return;
  deps.states.set(e.state);
  const id = `recording:${e.taskSid}`;
  if (e.type === 'recording.reminder') {
    const since = e.state.pausedAt === null ? 0 : secondsSince(e.state.pausedAt, (deps.now ?? Date.now)());
    deps.notifier.notify({ id, kind: 'warning', message: 'notifReminder', params: { time: formatDuration(since) } });
  }
  if (e.type === 'recording.auto-resumed') deps.notifier.notify({ id, kind: 'info', message: 'notifAutoResumed' });
}
