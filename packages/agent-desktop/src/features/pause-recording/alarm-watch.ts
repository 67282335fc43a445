import type { Notifier } from '../../lib/notifier.ts';
import type { RecordingStates } from '../../lib/recording-states.ts';

/**
 * Keeps one sticky alarm per task whose state is `partially-paused` (a recording still captures
 * while the agent believes the call is paused) and clears it as soon as the state is safe again.
 */
export function watchRecordingAlarms(states: RecordingStates, notifier: Notifier): () => void {
  // Task -> how many recordings the shown alarm names, so an unchanged alarm is not re-announced.
  const alarmed = new Map<string, number>();
  const check = (): void => {
    for (const [taskSid, entry] of states.all()) {
      const s = entry.state;
      if (s === undefined) continue;
      const id = `alarm:${taskSid}`;
      if (s.status === 'partially-paused') {
        const count = Math.max(1, s.capturing.length);
        if (alarmed.get(taskSid) === count) continue;
        notifier.notify({ id, kind: 'error', message: 'notifAlarm', params: { count }, sticky: true });
        alarmed.set(taskSid, count);
      } else if (alarmed.has(taskSid)) {
        notifier.dismiss(id);
        alarmed.delete(taskSid);
      }
    }
  };
  check();
  return states.subscribe(check);
}
