import { resumeFunction } from '../../lib/recordings.ts';

export const handler = resumeFunction('call');
