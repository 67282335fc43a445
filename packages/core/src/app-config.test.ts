import { describe, expect, it } from 'vitest';
import { DEFAULT_APP_CONFIG, dualChannelApplies, parseAppConfig } from './app-config.ts';
import { ValidationError } from './errors.ts';

const HASH = 'scrypt$16384$8$1$c2FsdA==$aGFzaA==';

function problemsOf(input: unknown): readonly string[] {
  try {
    parseAppConfig(input);
  } catch (e) {
    if (e instanceof ValidationError) return e.problems;
    throw e;
  }
  throw new Error('expected a ValidationError');
}

describe('parseAppConfig', () => {
  it('gives the design defaults without a file', () => {
    expect(parseAppConfig(undefined)).toEqual(DEFAULT_APP_CONFIG);
    expect(DEFAULT_APP_CONFIG.pauseRecording.reminderSeconds).toBe(30);
    expect(DEFAULT_APP_CONFIG.dualChannelRecording.channel).toBe('worker');
  });

  it('reads the flex-config keys', () => {
    const c = parseAppConfig({
      features: {
        pause_recording: { enabled: true, include_silence: true, reminder_seconds: 5, max_pause_seconds: 60 },
        dual_channel_recording: {
          enabled: false,
          channel: 'customer',
          exclude_queues: ['VIP'],
          exclude_attributes: [{ key: 'customers.type', value: 'internal' }],
        },
      },
      call_recording_enabled: true,
      users: [{ identity: 'alice', role: 'agent', password_hash: HASH }],
    });
    expect(c.pauseRecording).toMatchObject({ includeSilence: true, reminderSeconds: 5, maxPauseSeconds: 60 });
    expect(c.dualChannelRecording).toEqual({
      enabled: false,
      channel: 'customer',
      excludeQueues: ['VIP'],
      excludeAttributes: [{ key: 'customers.type', value: 'internal' }],
    });
    expect(c.callRecordingEnabled).toBe(true);
    expect(c.users).toEqual([{ identity: 'alice', role: 'agent', passwordHash: HASH }]);
  });

  it('lists every problem at once', () => {
    const problems = problemsOf({
      colour: 'blue',
      features: {
        pause_recording: { include_silence: 'yes', reminder_seconds: -1, extra: 1 },
        dual_channel_recording: { channel: 'both', exclude_queues: [3], exclude_attributes: [{ key: '' }] },
      },
      call_recording_enabled: 1,
      users: [
        { identity: 'a b', role: 'boss', password_hash: 'plain' },
        { identity: 'x', role: 'agent', password_hash: HASH },
        { identity: 'x', role: 'agent', password_hash: HASH },
      ],
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'config.colour: unknown key',
        'config.features.pause_recording.extra: unknown key',
        'config.features.pause_recording.include_silence: must be true or false, got string',
        expect.stringContaining('config.features.pause_recording.reminder_seconds: must be a whole number'),
        expect.stringContaining('config.features.dual_channel_recording.channel: must be one of worker, customer'),
        expect.stringContaining('config.features.dual_channel_recording.exclude_queues[0]'),
        'config.features.dual_channel_recording.exclude_attributes[0].key: must be a non-empty string',
        expect.stringContaining('config.features.dual_channel_recording.exclude_attributes[0].value'),
        'config.call_recording_enabled: must be true or false, got number',
        expect.stringContaining('config.users[0].identity'),
        expect.stringContaining('config.users[0].role'),
        expect.stringContaining('config.users[0].password_hash'),
        'config.users[2].identity: "x" appears twice',
      ]),
    );
    expect(problems).toHaveLength(13);
  });

  it('refuses a non-object', () => {
    expect(problemsOf([])).toEqual(['config: must be an object, got array']);
  });
});

describe('dualChannelApplies', () => {
  const base = { ...DEFAULT_APP_CONFIG.dualChannelRecording };
  const task = { queue: 'Everyone', attributes: { customers: { type: 'internal' } } };
  it('applies by default and not when disabled', () => {
    expect(dualChannelApplies(base, task)).toBe(true);
    expect(dualChannelApplies({ ...base, enabled: false }, task)).toBe(false);
  });
  it('honours excluded queues and attributes', () => {
    expect(dualChannelApplies({ ...base, excludeQueues: ['Everyone'] }, task)).toBe(false);
    expect(dualChannelApplies({ ...base, excludeAttributes: [{ key: 'customers.type', value: 'internal' }] }, task)).toBe(false);
    expect(dualChannelApplies({ ...base, excludeAttributes: [{ key: 'customers.type', value: 'vip' }] }, task)).toBe(true);
  });
});
