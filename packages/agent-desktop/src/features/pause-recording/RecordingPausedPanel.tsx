import type { TaskView } from '@pause-recording/core';
import { useT } from '../../lib/i18n/i18n-context.tsx';
import { useRecordingEntry, type RecordingStates } from '../../lib/recording-states.ts';
import { formatDuration, secondsSince } from '../../lib/time-format.ts';
import { useNow } from '../../lib/use-now.ts';

/**
 * The seed's permanent indicator (`indicator_permanent`): a "Call Recording Paused" panel on the
 * call canvas for as long as the server says the task is paused.
 */
export function RecordingPausedPanel({ task, states, enabled }: { task: TaskView; states: RecordingStates; enabled: boolean }) {
  const t = useT();
  const { state } = useRecordingEntry(states, task.sid);
  const paused = enabled && state?.status === 'paused';
  const now = useNow(paused);
  if (!paused || state === undefined) return null;
  const title = t('recordingPausedPanel');
  return (
    <div className="recording-paused-panel" role="status" aria-label={title}>
      <strong>{title}</strong>
      {/* The title already says paused: the timer stands alone after it. */}
      {state.pausedAt !== null ? (
        <span>
          {' · '}
          <time dateTime={state.pausedAt}>{formatDuration(secondsSince(state.pausedAt, now))}</time>
        </span>
      ) : null}
      {state.pausedBy !== null ? <span> · {t('pausedBy', { who: state.pausedBy })}</span> : null}
      {state.autoResumeAt !== null ? <span> · {t('autoResumeIn', { time: formatDuration(-secondsSince(state.autoResumeAt, now)) })}</span> : null}
    </div>
  );
}
