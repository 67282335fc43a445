import type { TaskView } from '@pause-recording/core';
import { useT } from '../../lib/i18n/i18n-context.tsx';
import { useRecordingEntry, type RecordingStates } from '../../lib/recording-states.ts';
import { formatDuration, secondsSince } from '../../lib/time-format.ts';
import { useNow } from '../../lib/use-now.ts';

/**
 * The recording's state in words. While paused the timer is part of the one phrase ("Paused for
 * 0:12", "Partially paused for 0:12: still recording") so the state is not said twice; the
 * auto-resume countdown follows.
 */
export function RecordingStateBadge({ task, states }: { task: TaskView; states: RecordingStates }) {
  const t = useT();
  const { state } = useRecordingEntry(states, task.sid);
  const paused = state?.status === 'paused' || state?.status === 'partially-paused';
  const now = useNow(paused);
  if (state === undefined) return null;
  const elapsed = paused && state.pausedAt !== null ? formatDuration(secondsSince(state.pausedAt, now)) : null;
  const label =
    elapsed === null ? t(`state_${state.status}`) : state.status === 'paused' ? t('pausedFor', { time: elapsed }) : t('partiallyPausedFor', { time: elapsed });
  return (
    <p className={`recording-state recording-state-${state.status}`} aria-label={t('recordingStatus')}>
      <span className="recording-state-label">{label}</span>
      {paused && state.autoResumeAt !== null ? (
        <span className="recording-state-countdown"> · {t('autoResumeIn', { time: formatDuration(-secondsSince(state.autoResumeAt, now)) })}</span>
      ) : null}
    </p>
  );
}
