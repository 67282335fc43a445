import type { TaskView } from '@pause-recording/core';
import type { ActionsRegistry } from '../actions/actions-registry.ts';
import { useT } from '../../lib/i18n/i18n-context.tsx';
import { useRecordingEntry, type RecordingStates } from '../../lib/recording-states.ts';

export interface PauseRecordingButtonProps {
  readonly task: TaskView;
  readonly actions: ActionsRegistry;
  readonly states: RecordingStates;
}

/**
 * The call canvas's Pause/Resume control (the seed's button). It shows the server's state and
 * invokes the recording actions; it never talks to the server itself.
 */
export function PauseRecordingButton({ task, actions, states }: PauseRecordingButtonProps) {
  const t = useT();
  const { state, pending } = useRecordingEntry(states, task.sid);
  // Internal (client-to-client) calls are not recorded by this feature, as in the seed.
  if (task.attributes.client_call) return null;
  const paused = state?.status === 'paused';
  const label = paused ? t('resumeRecording') : t('pauseRecording');
  const live = task.status === 'assigned';
  const onClick = (): void => {
    if (pending) return;
    actions.invokeAction(paused ? 'ResumeCallRecording' : 'PauseCallRecording', { task }).catch(() => {
      // Aborted by a listener or failed: the action already told the agent.
    });
  };
  return (
    <button
      type="button"
      className={`pause-recording-button${paused ? ' is-paused' : ''}`}
      aria-pressed={paused}
      title={label}
      // In flight: aria-disabled, not `disabled`, so keyboard focus stays on the control for the next press.
      disabled={!live}
      aria-disabled={pending}
      aria-busy={pending}
      onClick={onClick}
    >
      <span aria-hidden="true" className="pause-recording-icon">
        {paused ? '▶' : '❚❚'}
      </span>
      {label}
    </button>
  );
}
