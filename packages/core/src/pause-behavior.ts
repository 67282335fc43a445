/**
 * What happens to the audio of a paused span.
 * `skip`: the span is cut out of the file and of `duration`.
 * `silence`: the span is kept as exact digital silence (Twilio's default).
 */
export const PAUSE_BEHAVIORS = ['skip', 'silence'] as const;
export type PauseBehavior = (typeof PAUSE_BEHAVIORS)[number];

/** Twilio's default when `PauseBehavior` is not sent. */
export const DEFAULT_PAUSE_BEHAVIOR: PauseBehavior = 'silence';

export function isPauseBehavior(value: unknown): value is PauseBehavior {
  return typeof value === 'string' && (PAUSE_BEHAVIORS as readonly string[]).includes(value);
}

/** The flex-config switch `include_silence` chooses the behaviour the product asks for. */
export function pauseBehaviorFor(includeSilence: boolean): PauseBehavior {
  return includeSilence ? 'silence' : 'skip';
}
