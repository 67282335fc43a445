/**
 * voice-engine's capture log of one recording (its engine-only `GET /dev/recordings/{RE}`): every
 * status change with the engine frame (tick) from which it applied and the number of frames
 * already in the WAV at that moment. Twilio has no such record; against Twilio there is none.
 */
export interface CaptureLogEvent {
  /** Engine frame from which the new status applied. */
  readonly tick: number;
  /** Frames already in the recording's file at that moment: where the change sits in the audio. */
  readonly fileFrame: number;
  readonly status: string;
  /** Wall-clock ms when the engine accepted the change. */
  readonly acceptedAtMs: number;
}

export interface CaptureLog {
  readonly sid: string;
  readonly events: readonly CaptureLogEvent[];
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** The log from the engine's JSON, or null when the answer is not one (then server clocks are used). */
export function parseCaptureLog(json: unknown): CaptureLog | null {
  if (typeof json !== 'object' || json === null) return null;
  const o = json as Record<string, unknown>;
  if (typeof o['sid'] !== 'string' || !Array.isArray(o['events'])) return null;
  const events: CaptureLogEvent[] = [];
  for (const e of o['events'] as unknown[]) {
    if (typeof e !== 'object' || e === null) return null;
    const x = e as Record<string, unknown>;
    if (!isCount(x['tick']) || !isCount(x['fileFrame']) || typeof x['status'] !== 'string' || typeof x['acceptedAtMs'] !== 'number') return null;
    events.push({ tick: x['tick'], fileFrame: x['fileFrame'], status: x['status'], acceptedAtMs: x['acceptedAtMs'] });
  }
  return { sid: o['sid'], events };
}
