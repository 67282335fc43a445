import type { PauseRecordingFeature } from '../helpers/PauseRecordingFeature.ts';
import { useRecordingEntry } from '../helpers/RecordingStore.ts';
import { StringTemplates } from '../strings/index.ts';
import type { RecordingTask } from '../types/RecordingTask.ts';

export interface PausedIndicatorProps {
  /** Set by Flex: TaskCanvasHeader passes its `task`. */
  readonly task?: RecordingTask;
  readonly feature: PauseRecordingFeature;
  readonly strings: () => Readonly<Record<string, string>>;
}

/**
 * `indicator_permanent`: "Call Recording Paused" in the task canvas header while paused. A partial
 * pause is never shown as paused: the header then says that the call still records.
 */
export function PausedIndicator({ task, feature, strings }: PausedIndicatorProps) {
  const { view } = useRecordingEntry(feature.d.store, task?.taskSid);
  const s = strings();
  if (view?.status === 'paused') {
    return (
      <span role="status" data-testid="recording-paused-indicator" style={{ fontWeight: 'bold', padding: '0 8px' }}>
        {s[StringTemplates.RECORDING_PAUSED_LABEL]}
      </span>
    );
  }
  if (view?.status === 'partially-paused') {
    return (
      <span role="alert" data-testid="recording-partial-indicator" style={{ fontWeight: 'bold', padding: '0 8px', color: '#c72323' }}>
        {s[StringTemplates.PARTIALLY_PAUSED_LABEL]}
      </span>
    );
  }
  return null;
}
