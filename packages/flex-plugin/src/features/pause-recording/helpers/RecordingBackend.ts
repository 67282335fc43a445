import type { RecordingTask, RecordingView } from '../types/RecordingTask.ts';

/** Why a backend call failed, so the plugin can pick the notification. */
export type BackendFailure = 'no-recording' | 'unauthorized' | 'rejected' | 'unreachable';

export class BackendError extends Error {
  constructor(
    readonly failure: BackendFailure,
    message: string,
  ) {
    super(message);
    this.name = 'BackendError';
  }
}

/**
 * One interface for both backends (Twilio Functions and the control server). Every method answers
 * the task's recording view after the change, or throws a BackendError.
 */
export interface RecordingBackend {
  readonly kind: 'functions' | 'server';
  pause(task: RecordingTask): Promise<RecordingView>;
  resume(task: RecordingTask): Promise<RecordingView>;
  /** Pauses when recording, resumes when paused. */
  toggle(task: RecordingTask): Promise<RecordingView>;
  /** The best knowledge of the task's recording now. */
  current(task: RecordingTask): Promise<RecordingView>;
  /** Views pushed by the backend (the server's live events, or its own changes); returns the unsubscribe. */
  subscribe(listener: LiveListener): () => void;
  /** Stops live connections. */
  close(): void;
}

/** Why a view was pushed: a change (`state`), or the server's reminder, auto-resume or alarm. */
export type LiveKind = 'state' | 'reminder' | 'auto-resumed' | 'alarm';
export type LiveListener = (view: RecordingView, kind: LiveKind) => void;

/** The Flex token of the signed-in agent (read on each call: Flex refreshes it). */
export type TokenSource = () => string;
