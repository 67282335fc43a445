export * from './sids.ts';
export * from './recording-status.ts';
export * from './pause-behavior.ts';
export * from './errors.ts';
export * from './audio-format.ts';
