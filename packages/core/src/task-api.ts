/**
 * The task API's contract: request and response bodies of the control server's `/api` routes
 * and its live events. Types only, so the browser desktop can import them without Node.
 */
import type { TaskRecordingStatus } from './aggregate-status.ts';
import type { AuditEvent } from './audit-events.ts';
import type { PauseBehavior } from './pause-behavior.ts';
import type { RecordingStatus } from './recording-status.ts';
import type { DualChannel, UserRole } from './app-config.ts';

/**
 * `pending`: waiting for an agent; `reserved`: offered to `worker`; `assigned`: accepted, call live;
 * `wrapping`: call over, wrap-up; `completed`; `canceled`: the caller left before anyone accepted.
 */
export const TASK_STATUSES = ['pending', 'reserved', 'assigned', 'wrapping', 'completed', 'canceled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const TASK_ACTIONS = ['accept', 'reject', 'hangup', 'complete'] as const;

export interface TransferRequest {
  /** The agent who takes the call over. */
  readonly to: string;
}
export type TaskAction = (typeof TASK_ACTIONS)[number];

export interface TaskAttributes {
  /** The customer's call leg. */
  readonly call_sid: string;
  readonly from: string;
  readonly to: string;
  readonly direction: 'inbound';
  /** True when the customer leg is a Twilio Client (browser) call; simulated callers are phones. */
  readonly client_call: boolean;
  readonly conference: {
    readonly sid: string | null;
    readonly friendly_name: string;
    readonly participants: { readonly customer: string; readonly worker: string | null };
  };
  readonly [key: string]: unknown;
}

export interface TaskView {
  readonly sid: string;
  readonly status: TaskStatus;
  /** The agent the task is offered to or assigned to. */
  readonly worker: string | null;
  readonly queue: string;
  readonly attributes: TaskAttributes;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** When an agent accepted the call (the task first became `assigned`); null before. The call timer counts from it. */
  readonly acceptedAt: string | null;
}

export interface TasksResponse {
  readonly tasks: readonly TaskView[];
}

export interface TaskResponse {
  readonly task: TaskView;
}

export interface RecordingSummary {
  readonly sid: string;
  readonly status: RecordingStatus;
  /** Twilio's `source`: `StartCallRecordingAPI`, `StartConferenceRecordingAPI`, `Conference`, ... */
  readonly source: string;
  readonly channels: number;
  readonly callSid: string | null;
  readonly conferenceSid: string | null;
}

export interface RecordingFailure {
  readonly recordingSid: string;
  readonly code: string;
  readonly message: string;
  readonly twilioErrorCode: number | null;
}

export interface TaskRecordingState {
  readonly taskSid: string;
  readonly status: TaskRecordingStatus;
  readonly recordings: readonly RecordingSummary[];
  /** ISO 8601 while a pause is open, else null. */
  readonly pausedAt: string | null;
  readonly pausedBy: string | null;
  readonly pauseBehavior: PauseBehavior | null;
  readonly reminderAt: string | null;
  readonly autoResumeAt: string | null;
  /** Recordings the last action could not change, with why. Empty when everything followed. */
  readonly failures: readonly RecordingFailure[];
  /** SIDs of recordings still capturing audio while the task counts as paused (alarm). */
  readonly capturing: readonly string[];
  /**
   * Recordings that do not exist yet and start when the task resumes: after a transfer while
   * paused, the new agent's leg is recorded only from the resume (nothing is captured meanwhile).
   * Counted as paused in `status`.
   */
  readonly deferred?: readonly { readonly callSid: string; readonly channels: number }[];
}

export interface LoginRequest {
  readonly identity: string;
  readonly password: string;
}

export interface LoginResponse {
  readonly token: string;
  readonly identity: string;
  readonly roles: readonly UserRole[];
  readonly expiresAt: string;
}

export interface MeResponse {
  readonly identity: string;
  readonly roles: readonly UserRole[];
}

export interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly field?: string;
    readonly details?: Readonly<Record<string, unknown>>;
  };
}

export interface SimulatorCallRequest {
  readonly from?: string;
  readonly durationSeconds?: number;
  readonly agent?: string;
}

export interface SimulatorCallResponse {
  readonly callSid: string;
  readonly from: string;
  readonly to: string;
  /** The task made for the call, once the engine's voice webhook has arrived (null if it is late). */
  readonly taskSid: string | null;
}

export interface RecordingPauseAnnotation {
  /** Seconds into the recording's audio where the pause begins. */
  readonly offsetSeconds: number;
  /** Length of the paused span in seconds; null while the pause is still open. */
  readonly lengthSeconds: number | null;
  /**
   * Where offset and length come from: `capture`, the voice engine's capture log (exact to the
   * 20 ms frame); `server-clock`, the server's own clocks (Twilio keeps no such log; approximate
   * to a request's round trip).
   */
  readonly timing: 'capture' | 'server-clock';
  readonly behavior: PauseBehavior;
  readonly pausedBy: string;
  readonly role: string;
  /** `manual`, `seed-route`, or the reason given with the pause. */
  readonly reason: string;
  readonly pausedAt: string;
  readonly resumedAt: string | null;
  readonly resumedBy: string | null;
}

export interface RecordingListItem extends RecordingSummary {
  readonly taskSid: string | null;
  /** The agent who handled the call: the task's agent (after a transfer, the one who took it over); null without a task. */
  readonly agent: string | null;
  readonly startTime: string | null;
  readonly duration: string | null;
  readonly mediaUrl: string;
}

export interface RecordingDetail extends RecordingListItem {
  readonly pauses: readonly RecordingPauseAnnotation[];
}

export interface RecordingsResponse {
  readonly recordings: readonly RecordingListItem[];
}

export interface AuditResponse {
  readonly events: readonly AuditEvent[];
}

/** What the desktop needs of the server's configuration. */
export interface UiConfig {
  readonly pauseRecording: {
    readonly enabled: boolean;
    readonly includeSilence: boolean;
    readonly indicatorBanner: boolean;
    readonly indicatorPermanent: boolean;
    readonly reminderSeconds: number;
    readonly maxPauseSeconds: number;
  };
  readonly dualChannelRecording: { readonly enabled: boolean; readonly channel: DualChannel };
  readonly callRecordingEnabled: boolean;
  readonly mode: 'embedded' | 'production';
}

/** Server-sent events on `GET /api/events` (the SSE `event:` field is `type`). */
export type LiveEvent =
  | { readonly type: 'task.offered'; readonly task: TaskView }
  | { readonly type: 'task.updated'; readonly task: TaskView }
  | { readonly type: 'recording.state'; readonly taskSid: string; readonly state: TaskRecordingState }
  | { readonly type: 'recording.reminder'; readonly taskSid: string; readonly state: TaskRecordingState }
  | { readonly type: 'recording.auto-resumed'; readonly taskSid: string; readonly state: TaskRecordingState }
  | {
      readonly type: 'recording.alarm';
      readonly taskSid: string;
      readonly state: TaskRecordingState;
      /** Recordings that are still capturing although a pause was asked for. */
      readonly capturing: readonly string[];
    };

export type LiveEventType = LiveEvent['type'];
