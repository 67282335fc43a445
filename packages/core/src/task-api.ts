/**
 * The task API's contract: TypeBox schemas of the control server's `/api` request and response
 * bodies, and the TypeScript types derived from them (`Static<typeof X>`). The server validates
 * requests and documents itself (OpenAPI) with these schemas; the desktop imports the types only.
 * TypeBox is plain JavaScript (no Node), so the browser bundle can carry it.
 *
 * Annotations the server's validator reads (packages/server/src/http/validation.ts):
 * `x-problem` is the problem a 400 names for a field that is missing or does not fit, and
 * `x-sid` the SID kind whose shape a field must have (the 400 says what is wrong with it).
 */
import { Type, type Static, type TSchema } from 'typebox';
import { TASK_RECORDING_STATUSES } from './aggregate-status.ts';
import { ACTOR_ROLES, AUDIT_ACTIONS, AUDIT_OUTCOMES } from './audit-events.ts';
import { PAUSE_BEHAVIORS } from './pause-behavior.ts';
import { RECORDING_STATUSES } from './recording-status.ts';
import { SID_PREFIXES, type SidKind } from './sids.ts';
import { DUAL_CHANNELS, USER_ROLES } from './app-config.ts';

/** A readonly array in the derived type (the server answers arrays it does not mutate). */
const List = <T extends TSchema>(items: T) => Type.Immutable(Type.Array(items));
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** A SID of `kind`: two letters and 32 lowercase hex digits. */
export function Sid(kind: SidKind, description?: string) {
  return Type.String({ pattern: `^${SID_PREFIXES[kind]}[0-9a-f]{32}$`, 'x-sid': kind, ...(description === undefined ? {} : { description }) });
}

/** A request part that takes nothing (no body fields, no query parameters). */
export const NoFields = Type.Object({}, { additionalProperties: false });

/**
 * `pending`: waiting for an agent; `reserved`: offered to `worker`; `assigned`: accepted, call live;
 * `wrapping`: call over, wrap-up; `completed`; `canceled`: the caller left before anyone accepted.
 */
export const TASK_STATUSES = ['pending', 'reserved', 'assigned', 'wrapping', 'completed', 'canceled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const TASK_ACTIONS = ['accept', 'reject', 'hangup', 'complete'] as const;
export type TaskAction = (typeof TASK_ACTIONS)[number];

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      field: Type.Optional(Type.String({ description: 'The request field the problem is about.' })),
      details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    }),
  },
  { title: 'ErrorBody', description: 'Every error of the /api routes (see Errors).' },
);
export type ErrorBody = Static<typeof ErrorBody>;

export const HealthResponse = Type.Object({ ok: Type.Literal(true), mode: Type.Enum(['embedded', 'production']) });
export type HealthResponse = Static<typeof HealthResponse>;

/** What the desktop needs of the server's configuration. */
export const UiConfig = Type.Object({
  pauseRecording: Type.Object({
    enabled: Type.Boolean(),
    includeSilence: Type.Boolean(),
    indicatorBanner: Type.Boolean(),
    indicatorPermanent: Type.Boolean(),
    reminderSeconds: Type.Number(),
    maxPauseSeconds: Type.Number(),
  }),
  dualChannelRecording: Type.Object({ enabled: Type.Boolean(), channel: Type.Enum(DUAL_CHANNELS) }),
  callRecordingEnabled: Type.Boolean(),
  mode: Type.Enum(['embedded', 'production']),
});
export type UiConfig = Static<typeof UiConfig>;

const NON_EMPTY = 'is required (a non-empty string)';
export const LoginRequest = Type.Object(
  {
    identity: Type.String({ minLength: 1, 'x-problem': NON_EMPTY }),
    password: Type.String({ minLength: 1, 'x-problem': NON_EMPTY }),
  },
  { additionalProperties: false },
);
export type LoginRequest = Static<typeof LoginRequest>;

export const LoginResponse = Type.Object({
  token: Type.String({ description: 'Bearer token: send it as `Authorization: Bearer <token>`.' }),
  identity: Type.String(),
  roles: List(Type.Enum(USER_ROLES)),
  expiresAt: Type.String({ format: 'date-time' }),
});
export type LoginResponse = Static<typeof LoginResponse>;

export const MeResponse = Type.Object({ identity: Type.String(), roles: List(Type.Enum(USER_ROLES)) });
export type MeResponse = Static<typeof MeResponse>;

export const StreamTicketResponse = Type.Object({
  ticket: Type.String({ description: 'Single use; opens `GET /api/events?ticket=` once.' }),
  expiresAt: Type.String({ format: 'date-time' }),
});
export type StreamTicketResponse = Static<typeof StreamTicketResponse>;

export const EventsQuery = Type.Object(
  { ticket: Type.Optional(Type.String({ description: 'From `POST /api/events/ticket` (EventSource cannot send headers).' })) },
  { additionalProperties: false },
);

export const TaskAttributes = Type.Object(
  {
    /** The customer's call leg. */
    call_sid: Type.String({ description: "The customer's call leg." }),
    from: Type.String(),
    to: Type.String(),
    direction: Type.Literal('inbound'),
    client_call: Type.Boolean({ description: 'True when the customer leg is a Twilio Client (browser) call; simulated callers are phones.' }),
    conference: Type.Object({
      sid: Nullable(Type.String()),
      friendly_name: Type.String(),
      participants: Type.Object({ customer: Type.String(), worker: Nullable(Type.String()) }),
    }),
  },
  { title: 'TaskAttributes', additionalProperties: true },
);
/** The task's attributes; like TaskRouter's, they may carry more keys than these. */
export type TaskAttributes = Static<typeof TaskAttributes> & { readonly [key: string]: unknown };

export const TaskView = Type.Object(
  {
    sid: Sid('task'),
    status: Type.Enum(TASK_STATUSES),
    worker: Nullable(Type.String({ description: 'The agent the task is offered to or assigned to.' })),
    queue: Type.String(),
    attributes: TaskAttributes,
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    acceptedAt: Nullable(
      Type.String({ format: 'date-time', description: 'When an agent accepted the call (the task first became `assigned`); the call timer counts from it.' }),
    ),
  },
  { title: 'TaskView' },
);
export type TaskView = Omit<Static<typeof TaskView>, 'attributes'> & { readonly attributes: TaskAttributes };

export const TasksResponse = Type.Object({ tasks: List(TaskView) });
export type TasksResponse = { readonly tasks: readonly TaskView[] };

export const TaskResponse = Type.Object({ task: TaskView });
export type TaskResponse = { readonly task: TaskView };

export const TaskParams = Type.Object({ taskSid: Sid('task') });

export const HoldRequest = Type.Object(
  { hold: Type.Boolean({ 'x-problem': 'is required, true (put the customer on hold) or false (take them off)' }) },
  { additionalProperties: false },
);
export type HoldRequest = Static<typeof HoldRequest>;

export const TransferRequest = Type.Object(
  {
    to: Type.String({
      minLength: 1,
      description: 'The agent who takes the call over.',
      'x-problem': 'is required, the identity of the agent who takes the call',
    }),
  },
  { additionalProperties: false },
);
export type TransferRequest = Static<typeof TransferRequest>;

export const RecordingSummary = Type.Object(
  {
    sid: Sid('recording'),
    status: Type.Enum(RECORDING_STATUSES),
    source: Type.String({ description: "Twilio's `source`: `StartCallRecordingAPI`, `StartConferenceRecordingAPI`, `Conference`, ..." }),
    channels: Type.Number(),
    callSid: Nullable(Type.String()),
    conferenceSid: Nullable(Type.String()),
  },
  { title: 'RecordingSummary' },
);
export type RecordingSummary = Static<typeof RecordingSummary>;

export const RecordingFailure = Type.Object(
  {
    recordingSid: Type.String(),
    code: Type.String(),
    message: Type.String(),
    twilioErrorCode: Nullable(Type.Number()),
  },
  { title: 'RecordingFailure' },
);
export type RecordingFailure = Static<typeof RecordingFailure>;

export const TaskRecordingState = Type.Object(
  {
    taskSid: Type.String(),
    status: Type.Enum(TASK_RECORDING_STATUSES),
    recordings: List(RecordingSummary),
    pausedAt: Nullable(Type.String({ format: 'date-time', description: 'While a pause is open, else null.' })),
    pausedBy: Nullable(Type.String()),
    pauseBehavior: Nullable(Type.Enum(PAUSE_BEHAVIORS)),
    reminderAt: Nullable(Type.String({ format: 'date-time' })),
    autoResumeAt: Nullable(Type.String({ format: 'date-time' })),
    failures: List(RecordingFailure),
    capturing: List(Type.String({ description: 'Recordings still capturing audio while the task counts as paused (alarm).' })),
    deferred: Type.Optional(List(Type.Object({ callSid: Type.String(), channels: Type.Number() }))),
  },
  { title: 'TaskRecordingState' },
);
/**
 * A task's recordings and its pause. `failures`: recordings the last action could not change, with
 * why. `deferred`: recordings that start when the task resumes (after a transfer while paused, the
 * new agent's leg is recorded only from the resume); counted as paused in `status`.
 */
export type TaskRecordingState = Static<typeof TaskRecordingState>;

export const PauseRequest = Type.Object(
  {
    reason: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        pattern: '\\S',
        description: 'Kept in the audit.',
        'x-problem': 'must be a non-empty string of at most 200 characters',
      }),
    ),
  },
  { additionalProperties: false },
);
export type PauseRequest = Static<typeof PauseRequest>;

export const SimulatorCallRequest = Type.Object(
  {
    from: Type.Optional(Type.String({ pattern: '^\\+[1-9]\\d{6,14}$', 'x-problem': 'must be an E.164 number like +15551234567' })),
    durationSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600, 'x-problem': 'must be a whole number from 1 to 3600' })),
    agent: Type.Optional(
      Type.String({ description: 'The identity of an agent; the call is routed to them.', 'x-problem': 'must be the identity of an agent' }),
    ),
  },
  { additionalProperties: false },
);
export type SimulatorCallRequest = Static<typeof SimulatorCallRequest>;

export const SimulatorCallResponse = Type.Object({
  callSid: Type.String(),
  from: Type.String(),
  to: Type.String(),
  taskSid: Nullable(Type.String({ description: "The task made for the call, once the engine's voice webhook has arrived (null if it is late)." })),
});
export type SimulatorCallResponse = Static<typeof SimulatorCallResponse>;

export const RecordingPauseAnnotation = Type.Object(
  {
    offsetSeconds: Type.Number({ description: "Seconds into the recording's audio where the pause begins." }),
    lengthSeconds: Nullable(Type.Number({ description: 'Length of the paused span; null while the pause is still open.' })),
    timing: Type.Enum(['capture', 'server-clock'], {
      description:
        "`capture`: the voice engine's capture log (exact to the 20 ms frame); `server-clock`: the server's own clocks (Twilio keeps no such log; approximate to a request's round trip).",
    }),
    behavior: Type.Enum(PAUSE_BEHAVIORS),
    pausedBy: Type.String(),
    role: Type.String(),
    reason: Type.String({ description: '`manual`, `seed-route`, or the reason given with the pause.' }),
    pausedAt: Type.String({ format: 'date-time' }),
    resumedAt: Nullable(Type.String({ format: 'date-time' })),
    resumedBy: Nullable(Type.String()),
  },
  { title: 'RecordingPauseAnnotation' },
);
export type RecordingPauseAnnotation = Static<typeof RecordingPauseAnnotation>;

const recordingListFields = {
  ...RecordingSummary.properties,
  taskSid: Nullable(Type.String()),
  agent: Nullable(Type.String({ description: "The task's agent (after a transfer, the one who took it over); null without a task." })),
  startTime: Nullable(Type.String()),
  duration: Nullable(Type.String()),
  mediaUrl: Type.String(),
};
export const RecordingListItem = Type.Object(recordingListFields, { title: 'RecordingListItem' });
export type RecordingListItem = Static<typeof RecordingListItem>;

export const RecordingDetail = Type.Object({ ...recordingListFields, pauses: List(RecordingPauseAnnotation) }, { title: 'RecordingDetail' });
export type RecordingDetail = Static<typeof RecordingDetail>;

export const RecordingsResponse = Type.Object({ recordings: List(RecordingListItem) });
export type RecordingsResponse = Static<typeof RecordingsResponse>;

export const RecordingParams = Type.Object({ sid: Sid('recording') });

/** The problem named for an audit filter date that does not parse. */
export const DATE_PROBLEM = 'must be an ISO 8601 date-time, e.g. 2026-01-31T12:00:00Z';

export const AuditQuery = Type.Object(
  {
    taskSid: Type.Optional(Type.String({ pattern: `^(${SID_PREFIXES.task}[0-9a-f]{32})?$`, 'x-sid': 'task', description: 'Only this task (empty: all).' })),
    from: Type.Optional(Type.String({ description: 'ISO 8601 date-time; events at or after it.', 'x-problem': DATE_PROBLEM })),
    to: Type.Optional(Type.String({ description: 'ISO 8601 date-time; events at or before it.', 'x-problem': DATE_PROBLEM })),
    format: Type.Optional(Type.Enum(['json', 'csv'], { 'x-problem': 'must be json or csv' })),
  },
  { additionalProperties: false },
);
export type AuditQuery = Static<typeof AuditQuery>;

export const AuditEventView = Type.Object(
  {
    id: Type.Number(),
    at: Type.String({ format: 'date-time' }),
    action: Type.Enum(AUDIT_ACTIONS),
    outcome: Type.Enum(AUDIT_OUTCOMES),
    actor: Type.String(),
    role: Type.Enum(ACTOR_ROLES),
    taskSid: Nullable(Type.String()),
    callSid: Nullable(Type.String()),
    conferenceSid: Nullable(Type.String()),
    recordingSids: List(Type.String()),
    details: Type.Record(Type.String(), Type.Unknown(), {
      description: 'Why, per recording errors, pause behaviour: whatever the action needs to explain itself.',
    }),
  },
  { title: 'AuditEvent' },
);

export const AuditResponse = Type.Object({ events: List(AuditEventView) });
export type AuditResponse = Static<typeof AuditResponse>;

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
