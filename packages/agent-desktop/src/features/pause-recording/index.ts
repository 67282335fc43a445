export { PauseRecordingButton } from './PauseRecordingButton.tsx';
export { RecordingPausedPanel } from './RecordingPausedPanel.tsx';
export { RecordingStateBadge } from './RecordingStateBadge.tsx';
export { registerRecordingActions, type RecordingActionDeps } from './recording-actions.ts';
export { applyRecordingEvent } from './recording-events.ts';
export { watchRecordingAlarms } from './alarm-watch.ts';
