import { ValidationError } from './errors.ts';

/**
 * The flex-config-compatible settings file (docs/configuration.md), plus the users of embedded/self-hosted
 * mode. Pure: the caller reads the file and hands the parsed JSON here. Unknown keys and wrong
 * types are refused, every problem listed in one ValidationError.
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

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

class Reader {
  readonly problems: string[] = [];

  object(v: unknown, path: string, known: readonly string[]): Obj {
    if (v === undefined) return {};
    if (!isObject(v)) {
      this.problems.push(`${path}: must be an object, got ${typeName(v)}`);
      return {};
    }
    for (const key of Object.keys(v)) {
      if (!known.includes(key)) this.problems.push(`${path}.${key}: unknown key`);
    }
    return v;
  }

  bool(o: Obj, key: string, path: string, dflt: boolean): boolean {
    const v = o[key];
    if (v === undefined) return dflt;
    if (typeof v !== 'boolean') {
      this.problems.push(`${path}.${key}: must be true or false, got ${typeName(v)}`);
      return dflt;
    }
    return v;
  }

  seconds(o: Obj, key: string, path: string, dflt: number, max: number): number {
    const v = o[key];
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) {
      this.problems.push(`${path}.${key}: must be a whole number of seconds from 0 to ${max}, got ${JSON.stringify(v)}`);
      return dflt;
    }
    return v;
  }

  oneOf<T extends string>(o: Obj, key: string, path: string, allowed: readonly T[], dflt: T): T {
    const v = o[key];
    if (v === undefined) return dflt;
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
      this.problems.push(`${path}.${key}: must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
      return dflt;
    }
    return v as T;
  }

  array(o: Obj, key: string, path: string): unknown[] {
    const v = o[key];
    if (v === undefined) return [];
    if (!Array.isArray(v)) {
      this.problems.push(`${path}.${key}: must be an array, got ${typeName(v)}`);
      return [];
    }
    return v;
  }
}

const MAX_SECONDS = 24 * 3600;

/** Parses the settings file's JSON value; `undefined` (no file) gives the defaults. */
export function parseAppConfig(input: unknown): AppConfig {
  const r = new Reader();
  const root = r.object(input, 'config', ['features', 'call_recording_enabled', 'users']);
  const features = r.object(root['features'], 'config.features', ['pause_recording', 'dual_channel_recording']);

  const pPath = 'config.features.pause_recording';
  const p = r.object(features['pause_recording'], pPath, [
    'enabled',
    'include_silence',
    'indicator_banner',
    'indicator_permanent',
    'reminder_seconds',
    'max_pause_seconds',
  ]);
  const d0 = DEFAULT_APP_CONFIG.pauseRecording;
  const pauseRecording: PauseRecordingConfig = {
    enabled: r.bool(p, 'enabled', pPath, d0.enabled),
    includeSilence: r.bool(p, 'include_silence', pPath, d0.includeSilence),
    indicatorBanner: r.bool(p, 'indicator_banner', pPath, d0.indicatorBanner),
    indicatorPermanent: r.bool(p, 'indicator_permanent', pPath, d0.indicatorPermanent),
    reminderSeconds: r.seconds(p, 'reminder_seconds', pPath, d0.reminderSeconds, MAX_SECONDS),
    maxPauseSeconds: r.seconds(p, 'max_pause_seconds', pPath, d0.maxPauseSeconds, MAX_SECONDS),
  };

  const dPath = 'config.features.dual_channel_recording';
  const d = r.object(features['dual_channel_recording'], dPath, [
    'enabled',
    'channel',
    'exclude_queues',
    'exclude_attributes',
  ]);
  const d1 = DEFAULT_APP_CONFIG.dualChannelRecording;
  const excludeQueues: string[] = [];
  r.array(d, 'exclude_queues', dPath).forEach((q, i) => {
    if (typeof q === 'string' && q.length > 0) excludeQueues.push(q);
    else r.problems.push(`${dPath}.exclude_queues[${i}]: must be a non-empty queue name or SID, got ${JSON.stringify(q)}`);
  });
  const excludeAttributes: AttributeMatch[] = [];
  r.array(d, 'exclude_attributes', dPath).forEach((a, i) => {
    const at = `${dPath}.exclude_attributes[${i}]`;
    if (!isObject(a)) {
      r.problems.push(`${at}: must be an object {key, value}, got ${typeName(a)}`);
      return;
    }
    const extra = Object.keys(a).filter((k) => k !== 'key' && k !== 'value');
    for (const k of extra) r.problems.push(`${at}.${k}: unknown key`);
    const key = a['key'];
    const value = a['value'];
    let ok = true;
    if (typeof key !== 'string' || key.length === 0) {
      r.problems.push(`${at}.key: must be a non-empty string`);
      ok = false;
    }
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      r.problems.push(`${at}.value: must be a string, number or boolean, got ${typeName(value)}`);
      ok = false;
    }
    if (ok) excludeAttributes.push({ key: key as string, value: value as string | number | boolean });
  });
  const dualChannelRecording: DualChannelRecordingConfig = {
    enabled: r.bool(d, 'enabled', dPath, d1.enabled),
    channel: r.oneOf(d, 'channel', dPath, DUAL_CHANNELS, d1.channel),
    excludeQueues,
    excludeAttributes,
  };

  const callRecordingEnabled = r.bool(root, 'call_recording_enabled', 'config', DEFAULT_APP_CONFIG.callRecordingEnabled);

  const users: ConfiguredUser[] = [];
  const seen = new Set<string>();
  r.array(root, 'users', 'config').forEach((u, i) => {
    const at = `config.users[${i}]`;
    if (!isObject(u)) {
      r.problems.push(`${at}: must be an object {identity, role, password_hash}, got ${typeName(u)}`);
      return;
    }
    for (const k of Object.keys(u)) {
      if (!['identity', 'role', 'password_hash'].includes(k)) r.problems.push(`${at}.${k}: unknown key`);
    }
    const identity = u['identity'];
    const role = u['role'];
    const hash = u['password_hash'];
    let ok = true;
    if (typeof identity !== 'string' || !IDENTITY_PATTERN.test(identity)) {
      r.problems.push(`${at}.identity: must be 1-64 letters, digits or _.@-`);
      ok = false;
    } else if (seen.has(identity)) {
      r.problems.push(`${at}.identity: "${identity}" appears twice`);
      ok = false;
    }
    if (typeof role !== 'string' || !(USER_ROLES as readonly string[]).includes(role)) {
      r.problems.push(`${at}.role: must be one of ${USER_ROLES.join(', ')}, got ${JSON.stringify(role)}`);
      ok = false;
    }
    if (typeof hash !== 'string' || !PASSWORD_HASH_PATTERN.test(hash)) {
      r.problems.push(`${at}.password_hash: must be scrypt$N$r$p$salt$hash (see docs/configuration.md)`);
      ok = false;
    }
    if (ok) {
      seen.add(identity as string);
      users.push({ identity: identity as string, role: role as UserRole, passwordHash: hash as string });
    }
  });

  if (r.problems.length > 0) throw new ValidationError('Invalid configuration', r.problems);
  return { pauseRecording, dualChannelRecording, callRecordingEnabled, users };
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
