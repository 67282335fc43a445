import type * as Flex from '@twilio/flex-ui';
import { FeatureConfig, readCustomData } from './config/index.ts';
import { registerActions } from './flex-hooks/actions.ts';
import { addComponents } from './flex-hooks/components.tsx';
import { addSupervisorColumn } from './flex-hooks/supervisor-column.tsx';
import { registerShortcuts } from './flex-hooks/keyboard-shortcuts.ts';
import { registerNotifications } from './flex-hooks/notifications.ts';
import { FunctionsBackend } from './helpers/FunctionsBackend.ts';
import { PauseRecordingFeature } from './helpers/PauseRecordingFeature.ts';
import type { RecordingBackend } from './helpers/RecordingBackend.ts';
import { RecordingStore } from './helpers/RecordingStore.ts';
import { ServerBackend } from './helpers/ServerBackend.ts';
import { addStrings } from './strings/index.ts';
import type { RecordingTask } from './types/RecordingTask.ts';

export type FlexApi = Pick<
  typeof Flex,
  | 'Actions'
  | 'Notifications'
  | 'NotificationType'
  | 'KeyboardShortcutManager'
  | 'Manager'
  | 'TaskHelper'
  | 'CallCanvasActions'
  | 'TaskCanvasHeader'
  | 'WorkersDataTable'
  | 'ColumnDefinition'
>;

/** The agent's language, as the template picks it: worker attribute, then `custom_data.language`. */
function languageOf(manager: Flex.Manager, config: FeatureConfig): string {
  const fromWorker = manager.workerClient?.attributes?.['language'];
  const language = typeof fromWorker === 'string' ? fromWorker : (config.customData.language ?? 'en-US');
  return language === 'default' && typeof navigator !== 'undefined' ? navigator.language : language;
}

export function createBackend(config: FeatureConfig, manager: Flex.Manager): RecordingBackend {
  // Read on every call: Flex refreshes the token before it expires.
  const token = (): string => manager.user.token;
  if (config.backend() === 'server') return new ServerBackend({ serverUrl: config.pauseRecording.server_url ?? '', token });
  return new FunctionsBackend({
    baseUrl: config.functionsBaseUrl(),
    token,
    pauseBehavior: () => config.pauseBehavior(),
    dualChannelLeg: () => (config.isDualChannelEnabled() ? config.dualChannelLeg() : null),
  });
}

export interface PauseRecordingHandle {
  readonly feature: PauseRecordingFeature;
  /** Removes what `addPauseRecording` added (components, shortcuts, listener, live events). */
  dispose(): void;
}

/**
 * Wires the feature into Flex: strings, notifications, actions, shortcuts, components. Returns
 * null when disabled or misconfigured: then nothing is added, so no button can fail.
 */
export function addPauseRecording(flex: FlexApi, manager: Flex.Manager, backend?: RecordingBackend): PauseRecordingHandle | null {
  const config = new FeatureConfig(readCustomData(manager));
  if (!config.isFeatureEnabled()) return null;
  const problems = config.problems();
  if (problems.length > 0) {
    console.error(`plugin-pause-recording is not loaded: ${problems.join('; ')}`);
    return null;
  }
  addStrings(manager.strings, languageOf(manager, config));
  const strings = (): Readonly<Record<string, string>> => ({ ...manager.strings });
  registerNotifications(flex);
  const feature = new PauseRecordingFeature({
    backend: backend ?? createBackend(config, manager),
    store: new RecordingStore(),
    config,
    notify: (id, context) => {
      flex.Notifications.showNotification(id, context);
    },
    invoke: (action, payload) => flex.Actions.invokeAction(action, payload),
    isLiveCall: (task: RecordingTask) => flex.TaskHelper.isLiveCall(task as Flex.ITask),
    holdsTask: (taskSid) => [...manager.store.getState().flex.worker.tasks.values()].some((t) => t.taskSid === taskSid),
    dismiss: (id, taskSid) => {
      for (const n of [...flex.Notifications.activeNotifications]) {
        if (n.id === id && n.context?.['taskSid'] === taskSid) flex.Notifications.dismissNotification(n);
      }
    },
  });
  registerActions(flex, feature);
  const shortcutKeys = registerShortcuts(flex, strings());
  const cleanups = addComponents(flex, feature, strings);
  // The Teams view column needs the server's shared state (the Functions keep none a supervisor could see).
  if (config.backend() === 'server') cleanups.push(addSupervisorColumn(flex, feature, strings));
  // Forget a finished task's state (the template keeps paused recordings per reservation).
  const forget = (payload: { task?: RecordingTask }): void => {
    if (payload?.task) feature.d.store.forget(payload.task.taskSid);
  };
  flex.Actions.addListener('afterCompleteTask', forget);
  feature.start();
  return {
    feature,
    dispose() {
      for (const c of cleanups) c();
      flex.KeyboardShortcutManager.deleteShortcuts(shortcutKeys);
      flex.Actions.removeListener('afterCompleteTask', forget);
      feature.stop();
    },
  };
}
