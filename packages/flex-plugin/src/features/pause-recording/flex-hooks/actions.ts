import type * as Flex from '@twilio/flex-ui';
import type { PauseRecordingFeature, RecordingChange } from '../helpers/PauseRecordingFeature.ts';
import type { RecordingTask } from '../types/RecordingTask.ts';

export const RecordingActions = {
  TOGGLE: 'ToggleCallRecording',
  PAUSE: 'PauseCallRecording',
  RESUME: 'ResumeCallRecording',
} as const;

export interface RecordingActionPayload {
  readonly task?: RecordingTask | null;
}

/**
 * Registers the three Flex actions (payload `{ task }`). Being Flex actions, other plugins can
 * invoke them, listen `before…`/`after…`, abort them (`before` listener's `abort()`) or replace them.
 */
export function registerActions(flex: Pick<typeof Flex, 'Actions'>, feature: PauseRecordingFeature): void {
  const register = (name: string, change: RecordingChange): void => {
    flex.Actions.registerAction(name, async (payload: RecordingActionPayload) => {
      await feature.run(payload?.task, change);
    });
  };
  register(RecordingActions.TOGGLE, 'toggle');
  register(RecordingActions.PAUSE, 'pause');
  register(RecordingActions.RESUME, 'resume');
}
