import type { LoginResponse, UiConfig } from '@pause-recording/core';
import { ActionsRegistry } from '../features/actions/index.ts';
import { NotificationStore } from '../features/notifications/index.ts';
import { registerRecordingActions, watchRecordingAlarms } from '../features/pause-recording/index.ts';
import { ShortcutStore } from '../features/shortcuts/index.ts';
import type { DesktopApi } from '../lib/api-client.ts';
import { RecordingStates } from '../lib/recording-states.ts';
import { TaskBoard } from '../lib/task-board.ts';

/** Everything a signed-in desktop holds, made once per sign-in and handed to the features. */
export interface DesktopServices {
  readonly api: DesktopApi;
  readonly session: LoginResponse;
  readonly config: UiConfig;
  readonly actions: ActionsRegistry;
  readonly states: RecordingStates;
  readonly tasks: TaskBoard;
  readonly notifications: NotificationStore;
  readonly shortcuts: ShortcutStore;
  readonly dispose: () => void;
}

declare global {
  interface Window {
    /** For other features and for tests: the same registry the button and the shortcuts use. */
    agentDesktop?: { actions: ActionsRegistry; tasks: TaskBoard; states: RecordingStates };
  }
}

export function createServices(api: DesktopApi, session: LoginResponse, config: UiConfig): DesktopServices {
  const actions = new ActionsRegistry();
  const states = new RecordingStates();
  const tasks = new TaskBoard();
  const notifications = new NotificationStore();
  const shortcuts = new ShortcutStore();
  registerRecordingActions({ actions, api, states, notifier: notifications, config: () => config });
  const stopAlarms = watchRecordingAlarms(states, notifications);
  window.agentDesktop = { actions, tasks, states };
  return {
    api,
    session,
    config,
    actions,
    states,
    tasks,
    notifications,
    shortcuts,
    dispose: () => {
      stopAlarms();
      delete window.agentDesktop;
    },
  };
}
