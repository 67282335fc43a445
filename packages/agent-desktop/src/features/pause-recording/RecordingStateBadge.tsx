import type { TaskView } from '@pause-recording/core';
import { useT } from '../../lib/i18n/i18n-context.tsx';
import { useRecordingEntry, type RecordingStates } from '../../lib/recording-states.ts';
import { formatDuration, secondsSince } from '../../lib/time-format.ts';
import { useNow } from '../../lib/use-now.ts';

/** The recording's state in words, with the time since pause and the auto-resume countdown while paused. */
export function RecordingStateBadge({ task, states }: { task: TaskView; states: RecordingStates }) {
  const t = useT();
  const { state } = useRecordingEntry(states, task.sid);
  const paused = state?.status === 'paused' || state?.status === 'partially-paused';
  const now = useNow(paused);
  if (state === undefined) return null;
  return (
    <p className={`recording-state recording-state-${state.status}`} aria-label={t('recordingStatus')}>
      <span className="recording-state-label">{t(`state_${state.status}`)}</span>
      {paused && state.pausedAt !== null ? <span className="recording-state-timer"> · {t('pausedFor', { time: formatDuration(secondsSince(state.pausedAt, now)) })}</span> : null}
      {paused && state.autoResumeAt !== null ? (
        <span className="recording-state-countdown"> · {t('autoResumeIn', { time: formatDuration(-secondsSince(state.autoResumeAt, now)) })}</span>
      ) : null}
    </p>
  );
}
