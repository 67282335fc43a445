/**
 * What the feature needs of a Flex `ITask`: a structural subset, so the backends can be driven by a
 * real Flex task in the plugin and by a plain object in the backend contract tests.
 */
export interface RecordingTaskParticipant {
  readonly participantType?: string;
  readonly isCurrentWorker?: boolean;
  readonly callSid?: string;
}

export interface RecordingTask {
  /** The reservation SID (Flex's `task.sid`): the key of the plugin's per-task state. */
  readonly sid: string;
  /** The TaskRouter task SID: the control server's task. */
  readonly taskSid: string;
  readonly attributes?: {
    readonly call_sid?: string;
    readonly client_call?: boolean;
    readonly conference?: { readonly sid?: string | null };
    readonly [key: string]: unknown;
  };
  readonly conference?: { readonly conferenceSid?: string; readonly participants?: readonly RecordingTaskParticipant[] };
}

/** What the plugin knows of a task's recording. `unknown` until a backend has said. */
export type RecordingStatus = 'recording' | 'paused' | 'partially-paused' | 'not-recording' | 'unknown';

export interface RecordingView {
  readonly taskSid: string;
  readonly status: RecordingStatus;
  /** Recordings still capturing while the task counts as paused (the server's alarm). */
  readonly capturing: readonly string[];
  readonly pausedAt: string | null;
}
