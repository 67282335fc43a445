import type * as Flex from '@twilio/flex-ui';
import { PauseRecordingButton } from '../custom-components/PauseRecordingButton.tsx';
import { PausedIndicator } from '../custom-components/PausedIndicator.tsx';
import { isInternalCall, type PauseRecordingFeature } from '../helpers/PauseRecordingFeature.ts';
import type { RecordingTask } from '../types/RecordingTask.ts';

interface WithTask {
  readonly task?: RecordingTask;
}

/** Adds the button to the call canvas and (`indicator_permanent`) the indicator to the task header. */
export function addComponents(
  flex: Pick<typeof Flex, 'CallCanvasActions' | 'TaskCanvasHeader'>,
  feature: PauseRecordingFeature,
  strings: () => Readonly<Record<string, string>>,
): Array<() => void> {
  const cleanups: Array<() => void> = [];
  // Hidden on internal calls (agent to agent), as in the seed.
  cleanups.push(
    flex.CallCanvasActions.Content.add(<PauseRecordingButton key="pause-recording-button" feature={feature} strings={strings} />, {
      sortOrder: 2,
      if: (props: WithTask) => !isInternalCall(props.task),
    }),
  );
  if (feature.d.config.isPermanentIndicatorEnabled()) {
    cleanups.push(
      flex.TaskCanvasHeader.Content.add(<PausedIndicator key="pause-recording-indicator" feature={feature} strings={strings} />, {
        sortOrder: 0,
        if: (props: WithTask) => !isInternalCall(props.task),
      }),
    );
  }
  return cleanups;
}
