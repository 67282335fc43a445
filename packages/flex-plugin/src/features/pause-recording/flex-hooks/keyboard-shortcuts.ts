import type * as Flex from '@twilio/flex-ui';
import { StringTemplates } from '../strings/index.ts';
import { RecordingActions } from './actions.ts';

/** One second, as the template: a held key must not toggle the recording back and forth. */
export const SHORTCUT_THROTTLE_MS = 1000;

/** The focused task, as Flex plugins find it: the selected reservation in Flex's worker state. */
function currentTask(flex: Pick<typeof Flex, 'Manager' | 'TaskHelper'>): Flex.ITask | null {
  const sid = flex.Manager.getInstance().store.getState().flex.view.selectedTaskSid;
  return sid ? (flex.TaskHelper.getTaskByTaskSid(sid) ?? null) : null;
}

/**
 * Ctrl+Shift+2/3/4 toggle, pause and resume through Flex's KeyboardShortcutManager, so they can be
 * remapped, throttled and disabled like Flex's own (the manager matches `event.code`: Digit2).
 */
export function registerShortcuts(
  flex: Pick<typeof Flex, 'Manager' | 'TaskHelper' | 'Actions' | 'KeyboardShortcutManager'>,
  strings: Readonly<Record<string, string>>,
): string[] {
  const invoke = (action: string) => () => {
    flex.Actions.invokeAction(action, { task: currentTask(flex) }).catch(() => {
      // Aborted by a before-listener or failed: the action has told the agent already.
    });
  };
  flex.KeyboardShortcutManager.addShortcuts({
    2: { action: invoke(RecordingActions.TOGGLE), name: strings[StringTemplates.SHORTCUT_TOGGLE] ?? 'Toggle recording', throttle: SHORTCUT_THROTTLE_MS },
    3: { action: invoke(RecordingActions.PAUSE), name: strings[StringTemplates.SHORTCUT_PAUSE] ?? 'Pause recording', throttle: SHORTCUT_THROTTLE_MS },
    4: { action: invoke(RecordingActions.RESUME), name: strings[StringTemplates.SHORTCUT_RESUME] ?? 'Resume recording', throttle: SHORTCUT_THROTTLE_MS },
  });
  return ['2', '3', '4'];
}
