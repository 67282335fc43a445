import { pauseFunction } from '../../lib/recordings.ts';

export const handler = pauseFunction('call');
