/**
 * Twilio-style SIDs: a two-letter prefix and 32 lowercase hex digits.
 * Twilio itself emits lowercase hex; we accept only that, so a SID has one spelling.
 */
export const SID_PREFIXES = {
  account: 'AC',
  call: 'CA',
  conference: 'CF',
  recording: 'RE',
  task: 'WT',
  reservation: 'WR',
  worker: 'WK',
  phoneNumber: 'PN',
  // TaskRouter
  workspace: 'WS',
  activity: 'WA',
  taskQueue: 'WQ',
  workflow: 'WW',
  event: 'EV',
} as const;

export type SidKind = keyof typeof SID_PREFIXES;
export type SidPrefix = (typeof SID_PREFIXES)[SidKind];

const HEX32 = /^[0-9a-f]{32}$/;

/** True when `value` is a SID of the given kind (prefix + 32 lowercase hex). */
export function isSid(kind: SidKind, value: unknown): value is string {
  if (typeof value !== 'string' || value.length !== 34) return false;
  return value.startsWith(SID_PREFIXES[kind]) && HEX32.test(value.slice(2));
}

/**
 * Why `value` is not a SID of `kind`, or null when it is one.
 * Used to build error messages that say what is wrong, not just that something is.
 */
export function sidProblem(kind: SidKind, value: unknown): string | null {
  const prefix = SID_PREFIXES[kind];
  if (typeof value !== 'string') return `must be a string ${prefix} SID`;
  if (value.length === 0) return `is empty; expected ${prefix} followed by 32 hex digits`;
  if (!value.startsWith(prefix)) return `must start with ${prefix}`;
  if (value.length !== 34) return `must be 34 characters (${prefix} + 32 hex digits), got ${value.length}`;
  if (!HEX32.test(value.slice(2))) return `must be ${prefix} followed by 32 lowercase hex digits`;
  return null;
}

/** Builds a SID from a prefix and a source of random bytes (injected so tests can be deterministic). */
export function makeSid(kind: SidKind, randomBytes: (n: number) => Uint8Array): string {
  const bytes = randomBytes(16);
  let hex = '';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  return SID_PREFIXES[kind] + hex;
}

/** Which kind a SID is, by prefix and shape; null for anything that is not a known SID. */
export function sidKind(value: unknown): SidKind | null {
  for (const kind of Object.keys(SID_PREFIXES) as SidKind[]) {
    if (isSid(kind, value)) return kind;
  }
  return null;
}
