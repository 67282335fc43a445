import { createRecordingFunction } from '../../../../lib/recordings.ts';

export const handler = createRecordingFunction();
