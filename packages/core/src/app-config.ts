import Type, { type Static, type TProperties, type TSchema } from 'typebox';
import Value from 'typebox/value';
import { ValidationError } from './errors.ts';
import { fieldPath, schemaProblems, typeName } from './schema-problems.ts';

/**
 * The flex-config-compatible settings file (docs/configuration.md), plus the users of embedded/self-hosted
 * mode. Pure: the caller reads the file and hands the parsed JSON here. A TypeBox schema refuses
 * unknown keys and wrong types, every problem listed in one ValidationError.
 */
export const DUAL_CHANNELS = ['worker', 'customer'] as const;
export type DualChannel = (typeof DUAL_CHANNELS)[number];

export const USER_ROLES = ['agent', 'supervisor'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export interface AttributeMatch {
  /** Dotted path into the task attributes, e.g. `customers.type`. */
  readonly key: string;
  readonly value: string | number | boolean;
}

export interface ConfiguredUser {
  readonly identity: string;
  readonly role: UserRole;
  /** `scrypt$N$r$p$saltBase64$hashBase64`. */
  readonly passwordHash: string;
}

export interface PauseRecordingConfig {
  readonly enabled: boolean;
  readonly includeSilence: boolean;
  readonly indicatorBanner: boolean;
  readonly indicatorPermanent: boolean;
  readonly reminderSeconds: number;
  readonly maxPauseSeconds: number;
}

export interface DualChannelRecordingConfig {
  readonly enabled: boolean;
  readonly channel: DualChannel;
  readonly excludeQueues: readonly string[];
  readonly excludeAttributes: readonly AttributeMatch[];
}

export interface AppConfig {
  readonly pauseRecording: PauseRecordingConfig;
  readonly dualChannelRecording: DualChannelRecordingConfig;
  readonly callRecordingEnabled: boolean;
  readonly users: readonly ConfiguredUser[];
}

export const DEFAULT_APP_CONFIG: AppConfig = {
  pauseRecording: {
    enabled: true,
    includeSilence: false,
    indicatorBanner: false,
    indicatorPermanent: false,
    reminderSeconds: 30,
    maxPauseSeconds: 0,
  },
  dualChannelRecording: { enabled: true, channel: 'worker', excludeQueues: [], excludeAttributes: [] },
  callRecordingEnabled: false,
  users: [],
};

export const PASSWORD_HASH_PATTERN = /^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/;
const IDENTITY_PATTERN = /^[A-Za-z0-9_.@-]{1,64}$/;

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const MAX_SECONDS = 24 * 3600;

// Each field's problem text is part of the settings file's documented behaviour (docs/configuration.md).
const object = <P extends TProperties>(properties: P, shape?: string) =>
  Type.Object(properties, {
    additionalProperties: false,
    problem: (v: unknown) => `must be an object${shape ? ` ${shape}` : ''}, got ${typeName(v)}`,
  });
const flag = () => Type.Optional(Type.Boolean({ problem: (v: unknown) => `must be true or false, got ${typeName(v)}` }));
const seconds = () =>
  Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: MAX_SECONDS,
      problem: (v: unknown) => `must be a whole number of seconds from 0 to ${MAX_SECONDS}, got ${JSON.stringify(v)}`,
    }),
  );
const list = <T extends TSchema>(items: T) => Type.Optional(Type.Array(items, { problem: (v: unknown) => `must be an array, got ${typeName(v)}` }));
const oneOf = <const T extends string>(values: readonly T[]) =>
  Type.Enum([...values], { problem: (v: unknown) => `must be one of ${values.join(', ')}, got ${JSON.stringify(v)}` });

/** The settings file, as TypeBox checks it: unknown keys and wrong types are problems. */
export const AppConfigFileSchema = object({
  features: Type.Optional(
    object({
      pause_recording: Type.Optional(
        object({
          enabled: flag(),
          include_silence: flag(),
          indicator_banner: flag(),
          indicator_permanent: flag(),
          reminder_seconds: seconds(),
          max_pause_seconds: seconds(),
        }),
      ),
      dual_channel_recording: Type.Optional(
        object({
          enabled: flag(),
          channel: Type.Optional(oneOf(DUAL_CHANNELS)),
          exclude_queues: list(Type.String({ minLength: 1, problem: (v: unknown) => `must be a non-empty queue name or SID, got ${JSON.stringify(v)}` })),
          exclude_attributes: list(
            object(
              {
                key: Type.String({ minLength: 1, problem: 'must be a non-empty string' }),
                value: Type.Union([Type.String(), Type.Number(), Type.Boolean()], {
                  problem: (v: unknown) => `must be a string, number or boolean, got ${typeName(v)}`,
                }),
              },
              '{key, value}',
            ),
          ),
        }),
      ),
    }),
  ),
  call_recording_enabled: flag(),
  users: list(
    object(
      {
        identity: Type.String({ pattern: IDENTITY_PATTERN.source, problem: 'must be 1-64 letters, digits or _.@-' }),
        role: oneOf(USER_ROLES),
        password_hash: Type.String({ pattern: PASSWORD_HASH_PATTERN.source, problem: 'must be scrypt$N$r$p$salt$hash (see docs/configuration.md)' }),
      },
      '{identity, role, password_hash}',
    ),
  ),
});

export type AppConfigFile = Static<typeof AppConfigFileSchema>;

/** Parses the settings file's JSON value; `undefined` (no file) gives the defaults. */
export function parseAppConfig(input: unknown): AppConfig {
  const value = input === undefined ? {} : input;
  const found = schemaProblems(AppConfigFileSchema, value, { max: 200 });
  const problems = found.map((p) => `${fieldPath(p.path, 'config')}: ${p.problem}`);
  // What a schema cannot say: an identity may appear only once (checked among users that are otherwise valid).
  const users = isObject(value) && Array.isArray(value['users']) ? (value['users'] as unknown[]) : [];
  const seen = new Set<string>();
  users.forEach((u, i) => {
    if (found.some((p) => p.path[0] === 'users' && p.path[1] === i) || !isObject(u)) return;
    const identity = String(u['identity']);
    if (seen.has(identity)) problems.push(`config.users[${i}].identity: "${identity}" appears twice`);
    seen.add(identity);
  });
  if (problems.length > 0 || !Value.Check(AppConfigFileSchema, value)) throw new ValidationError('Invalid configuration', problems);
  const file: AppConfigFile = value;
  const p = file.features?.pause_recording ?? {};
  const d = file.features?.dual_channel_recording ?? {};
  const d0 = DEFAULT_APP_CONFIG.pauseRecording;
  const d1 = DEFAULT_APP_CONFIG.dualChannelRecording;
  return {
    pauseRecording: {
      enabled: p.enabled ?? d0.enabled,
      includeSilence: p.include_silence ?? d0.includeSilence,
      indicatorBanner: p.indicator_banner ?? d0.indicatorBanner,
      indicatorPermanent: p.indicator_permanent ?? d0.indicatorPermanent,
      reminderSeconds: p.reminder_seconds ?? d0.reminderSeconds,
      maxPauseSeconds: p.max_pause_seconds ?? d0.maxPauseSeconds,
    },
    dualChannelRecording: {
      enabled: d.enabled ?? d1.enabled,
      channel: d.channel ?? d1.channel,
      excludeQueues: d.exclude_queues ?? [],
      excludeAttributes: (d.exclude_attributes ?? []).map((a) => ({ key: a.key, value: a.value })),
    },
    callRecordingEnabled: file.call_recording_enabled ?? DEFAULT_APP_CONFIG.callRecordingEnabled,
    users: (file.users ?? []).map((u) => ({ identity: u.identity, role: u.role, passwordHash: u.password_hash })),
  };
}

/** Reads a dotted path (`a.b.c`) out of task attributes. */
export function attributeAt(attributes: Readonly<Record<string, unknown>>, key: string): unknown {
  let cur: unknown = attributes;
  for (const part of key.split('.')) {
    if (!isObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

/**
 * Whether a task gets a dual-channel recording: the feature is on, its queue is not excluded
 * (by name or SID) and none of the excluded attribute values match.
 */
export function dualChannelApplies(
  config: DualChannelRecordingConfig,
  task: { readonly queue: string; readonly queueSid?: string; readonly attributes: Readonly<Record<string, unknown>> },
): boolean {
  if (!config.enabled) return false;
  if (config.excludeQueues.includes(task.queue)) return false;
  if (task.queueSid !== undefined && config.excludeQueues.includes(task.queueSid)) return false;
  return !config.excludeAttributes.some((m) => attributeAt(task.attributes, m.key) === m.value);
}
