import type { TaskRecordingState, TaskView } from '@pause-recording/core';

/** The payload every recording action takes, as in Flex: the task to act on. */
export interface TaskPayload {
  readonly task: TaskView;
}

/** Every action the registry knows, with its payload and what its promise resolves to. */
export interface ActionTypes {
  ToggleCallRecording: { payload: TaskPayload; result: TaskRecordingState | null };
  PauseCallRecording: { payload: TaskPayload; result: TaskRecordingState | null };
  ResumeCallRecording: { payload: TaskPayload; result: TaskRecordingState | null };
}

export type ActionName = keyof ActionTypes;
export type PayloadOf<N extends ActionName> = ActionTypes[N]['payload'];
export type ResultOf<N extends ActionName> = ActionTypes[N]['result'];

export const RECORDING_ACTIONS = ['ToggleCallRecording', 'PauseCallRecording', 'ResumeCallRecording'] as const satisfies readonly ActionName[];

export function isActionName(v: unknown): v is ActionName {
  return typeof v === 'string' && (RECORDING_ACTIONS as readonly string[]).includes(v);
}
