/**
 * Recording lifecycle as Twilio reports it.
 * `in-progress <-> paused` by update; either -> `stopped` by update or when the call ends;
 * `stopped -> processing -> completed | absent`. `failed` exists at Twilio for encryption only.
 */
export const RECORDING_STATUSES = ['in-progress', 'paused', 'stopped', 'processing', 'completed', 'absent', 'failed'] as const;

export type RecordingStatus = (typeof RECORDING_STATUSES)[number];

/** Statuses a client may ask for in a recording update (Twilio's `Status` parameter). */
export const REQUESTABLE_STATUSES = ['in-progress', 'paused', 'stopped'] as const;
export type RequestableStatus = (typeof REQUESTABLE_STATUSES)[number];

const TRANSITIONS: Readonly<Record<RecordingStatus, readonly RecordingStatus[]>> = {
  'in-progress': ['paused', 'stopped'],
  paused: ['in-progress', 'stopped'],
  stopped: ['processing'],
  processing: ['completed', 'absent', 'failed'],
  completed: [],
  absent: [],
  failed: [],
};

export function isRecordingStatus(value: unknown): value is RecordingStatus {
  return typeof value === 'string' && (RECORDING_STATUSES as readonly string[]).includes(value);
}

export function isRequestableStatus(value: unknown): value is RequestableStatus {
  return typeof value === 'string' && (REQUESTABLE_STATUSES as readonly string[]).includes(value);
}

/** True when a recording may move from `from` to `to` in one step. Staying put is not a transition. */
export function canTransition(from: RecordingStatus, to: RecordingStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** The statuses reachable from `from` in one step. */
export function nextStatuses(from: RecordingStatus): readonly RecordingStatus[] {
  return TRANSITIONS[from];
}

/** A recording that is still attached to a live call and may capture audio again. */
export function isActive(status: RecordingStatus): boolean {
  return status === 'in-progress' || status === 'paused';
}

/** A recording whose audio is final. */
export function isFinal(status: RecordingStatus): boolean {
  return TRANSITIONS[status].length === 0;
}

export type UpdateOutcome = { kind: 'change'; to: RecordingStatus } | { kind: 'no-op' } | { kind: 'not-active' };

/**
 * What a client's `Status` update does to a recording in `from`.
 * Asking for the status it already has is a no-op (idempotent, answered 200);
 * asking anything of a recording that is no longer active is refused.
 */
export function planUpdate(from: RecordingStatus, requested: RequestableStatus): UpdateOutcome {
  if (!isActive(from)) return { kind: 'not-active' };
  if (from === requested) return { kind: 'no-op' };
  return { kind: 'change', to: requested };
}
