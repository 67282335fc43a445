import { isActive, type RecordingStatus } from './recording-status.ts';

/**
 * What a task's recordings amount to, as one word for the agent's screen.
 * `not-recording`: no active recording; `recording`: every active one captures audio;
 * `paused`: every active one is paused; `partially-paused`: some paused, some still capturing
 * (the alarm case: the UI must never show it as paused).
 */
export const TASK_RECORDING_STATUSES = ['not-recording', 'recording', 'paused', 'partially-paused'] as const;
export type TaskRecordingStatus = (typeof TASK_RECORDING_STATUSES)[number];

/** Aggregates the statuses of every recording of one task. Finished recordings do not count. */
export function aggregateRecordingStatus(statuses: readonly RecordingStatus[]): TaskRecordingStatus {
  const active = statuses.filter(isActive);
  if (active.length === 0) return 'not-recording';
  const paused = active.filter((s) => s === 'paused').length;
  if (paused === 0) return 'recording';
  if (paused === active.length) return 'paused';
  return 'partially-paused';
}
