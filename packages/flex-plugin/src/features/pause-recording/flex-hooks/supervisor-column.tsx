import type * as Flex from '@twilio/flex-ui';
import { PausedRecordingCell, type WorkerRow } from '../custom-components/PausedRecordingCell.tsx';
import type { PauseRecordingFeature } from '../helpers/PauseRecordingFeature.ts';
import { StringTemplates } from '../strings/index.ts';

export const SUPERVISOR_COLUMN_KEY = 'pause-recording-column';

/**
 * A column in Flex's Teams view (`WorkersDataTable`): who has a paused recording and for how long.
 * Fed by the control server's live events (a supervisor's stream carries every task), so only the
 * server backend adds it: the Functions keep no state a supervisor could see.
 */
export function addSupervisorColumn(
  flex: Pick<typeof Flex, 'WorkersDataTable' | 'ColumnDefinition'>,
  feature: PauseRecordingFeature,
  strings: () => Readonly<Record<string, string>>,
): () => void {
  const { ColumnDefinition } = flex;
  return flex.WorkersDataTable.Content.add(
    <ColumnDefinition
      key={SUPERVISOR_COLUMN_KEY}
      header={strings()[StringTemplates.SUPERVISOR_COLUMN]}
      content={(item: WorkerRow) => <PausedRecordingCell item={item} feature={feature} />}
    />,
  );
}
