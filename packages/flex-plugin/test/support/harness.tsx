/**
 * Test support: one real server + engine per test file, the real Flex offline, and the plugin
 * added per test and removed after it (so each test sees only its own configuration).
 */
import * as Flex from '@twilio/flex-ui';
import { act } from 'react-dom/test-utils';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { System } from '@pause-recording/server/test-support';
import { addPauseRecording, type PauseRecordingHandle } from '../../src/features/pause-recording/index.ts';
import type { LiveTask } from '../../src/features/pause-recording/helpers/backend-contract.ts';
import type { CustomData } from '../../src/features/pause-recording/types/ServiceConfiguration.ts';
import { SHORTCUT_THROTTLE_MS } from '../../src/features/pause-recording/flex-hooks/keyboard-shortcuts.ts';
import { offlineFlex, pressCtrlShiftDigit, voiceTask, type OfflineFlex } from './offline-flex.tsx';
import { liveTask, startRealSystem } from './real-system.ts';

export const h = {
  s: null as unknown as System,
  /** alice's server token (also her Flex token in these tests: see README, server auth gap). */
  token: '',
  flex: null as OfflineFlex | null,
  handle: null as PauseRecordingHandle | null,
};
let lastPress = 0;

export function useRealSystem(settings?: unknown): void {
  beforeAll(async () => {
    h.s = await startRealSystem(settings);
    h.token = await h.s.login('alice');
    // Real Flex attaches its key listener with the default shortcuts before plugins start.
    Flex.KeyboardShortcutManager.init(Flex.defaultKeyboardShortcuts);
  });
  afterAll(async () => {
    await h.s?.close();
  });
  afterEach(() => {
    h.handle?.dispose();
    h.handle = null;
    h.flex?.cleanup();
    h.flex = null;
    for (const n of [...Flex.Notifications.activeNotifications]) Flex.Notifications.dismissNotificationById(n.id);
  });
}

export function serverConfig(flags: Record<string, unknown> = {}): CustomData {
  return { features: { pause_recording: { enabled: true, backend: 'server', server_url: h.s.url, ...flags } } };
}

export function start(
  customData: CustomData,
  language?: string,
  user: { identity: string; token: string } = { identity: 'alice', token: h.token },
): { flex: OfflineFlex; handle: PauseRecordingHandle } {
  const flex = offlineFlex(customData, { ...user, ...(language ? { language } : {}) });
  h.flex = flex;
  const handle = addPauseRecording(Flex, flex.manager);
  if (handle === null) throw new Error('the feature did not load');
  h.handle = handle;
  return { flex, handle };
}

export async function live(agent = 'alice', token = h.token): Promise<{ live: LiveTask; task: Flex.ITask }> {
  const l = await liveTask(h.s, agent, token);
  const task = voiceTask({
    reservationSid: 'WR' + l.task.taskSid.slice(2),
    taskSid: l.task.taskSid,
    callSid: l.task.attributes?.call_sid ?? '',
    conferenceSid: l.task.conference?.conferenceSid ?? null,
  });
  return { live: l, task };
}

/** Shortcut presses of one key must be a throttle apart, or Flex (rightly) drops the second. */
export async function press(digit: string): Promise<void> {
  const wait = lastPress + SHORTCUT_THROTTLE_MS + 50 - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  await pressCtrlShiftDigit(digit);
  lastPress = Date.now();
}

export async function until<T>(what: string, fn: () => Promise<T | false | null | undefined> | T | false | null | undefined): Promise<T> {
  const end = Date.now() + 10_000;
  for (;;) {
    let v: T | false | null | undefined = false;
    await act(async () => {
      v = await fn();
    });
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const status = async (l: LiveTask): Promise<string> => (await l.truth()).status;
