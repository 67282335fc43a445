/**
 * How long a pause may last before the agent is reminded, and before it is ended for them.
 * Both in whole seconds; `maxPauseSeconds` 0 means never resume automatically,
 * `reminderSeconds` 0 means no reminder.
 */
export interface PausePolicy {
  readonly reminderSeconds: number;
  readonly maxPauseSeconds: number;
}

export interface PauseSchedule {
  /** Epoch milliseconds of the reminder, or null when there is none. */
  readonly reminderAt: number | null;
  /** Epoch milliseconds of the automatic resume, or null when there is none. */
  readonly autoResumeAt: number | null;
}

/**
 * When the reminder and the automatic resume of a pause that began at `pausedAt` fall due.
 * A reminder that would come at or after the automatic resume is dropped: the resume says more.
 */
export function pauseSchedule(pausedAt: number, policy: PausePolicy): PauseSchedule {
  const autoResumeAt = policy.maxPauseSeconds > 0 ? pausedAt + policy.maxPauseSeconds * 1000 : null;
  let reminderAt = policy.reminderSeconds > 0 ? pausedAt + policy.reminderSeconds * 1000 : null;
  if (reminderAt !== null && autoResumeAt !== null && reminderAt >= autoResumeAt) reminderAt = null;
  return { reminderAt, autoResumeAt };
}

/** What is due at `now` for a pause with `schedule`, given what has already fired. */
export function duePauseActions(schedule: PauseSchedule, now: number, fired: { reminder: boolean }): { remind: boolean; autoResume: boolean } {
  const autoResume = schedule.autoResumeAt !== null && now >= schedule.autoResumeAt;
  const remind = !fired.reminder && !autoResume && schedule.reminderAt !== null && now >= schedule.reminderAt;
  return { remind, autoResume };
}
