import { IconButton } from '@twilio/flex-ui';
import { useEffect } from 'react';
import type { PauseRecordingFeature } from '../helpers/PauseRecordingFeature.ts';
import { useRecordingEntry } from '../helpers/RecordingStore.ts';
import { RecordingActions } from '../flex-hooks/actions.ts';
import { StringTemplates } from '../strings/index.ts';
import type { RecordingTask } from '../types/RecordingTask.ts';

export interface PauseRecordingButtonProps {
  /** Set by Flex: CallCanvasActions passes its `task` to added children. */
  readonly task?: RecordingTask;
  readonly feature: PauseRecordingFeature;
  readonly strings: () => Readonly<Record<string, string>>;
}

/**
 * The call canvas's Pause/Resume button: enabled only while the call is live and recorded, waiting
 * while a change is in flight. It invokes the Flex actions, so other plugins' listeners apply.
 */
export function PauseRecordingButton({ task, feature, strings }: PauseRecordingButtonProps) {
  const { view, pending } = useRecordingEntry(feature.d.store, task?.taskSid);
  // Read the truth when a task's canvas shows (a recording may have started or stopped meanwhile
  // without a pause or resume, which the server does not announce); live events do the rest.
  const taskSid = task?.taskSid;
  useEffect(() => {
    if (task) void feature.refresh(task);
    // Once per task shown (by SID), not per re-render of the same task.
  }, [feature, taskSid]);
  const paused = view?.status === 'paused';
  const s = strings();
  const label = paused ? s[StringTemplates.RESUME_TOOLTIP] : s[StringTemplates.PAUSE_TOOLTIP];
  const enabled = feature.canChange(task) && !pending;
  const onClick = (): void => {
    if (!enabled) return;
    feature.d.invoke(paused ? RecordingActions.RESUME : RecordingActions.PAUSE, { task }).catch(() => {
      // Aborted by a before-listener: nothing changed.
    });
  };
  return (
    <IconButton
      icon="MonitorOffLarge"
      disabled={!enabled}
      onClick={onClick}
      variant={paused ? 'primary' : 'secondary'}
      title={label}
      aria-label={label}
      aria-pressed={paused}
      data-testid="pause-recording-button"
    />
  );
}
