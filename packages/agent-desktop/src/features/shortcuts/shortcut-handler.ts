import type { ActionName } from '../actions/action-names.ts';
import { matches, type KeyLike, type ShortcutSettings } from './shortcut-model.ts';

export interface ShortcutHandlerDeps {
  readonly settings: () => ShortcutSettings;
  /** Runs the action for the selected task (the caller decides which task that is). */
  readonly invoke: (action: ActionName) => void;
  readonly now?: () => number;
}

/**
 * Turns key presses into actions: the first shortcut whose keys match fires, at most once per its
 * throttle window. Returns whether the event was used (so the caller can preventDefault).
 */
export function createShortcutHandler(deps: ShortcutHandlerDeps): (e: KeyLike) => boolean {
  const lastFired = new Map<string, number>();
  const now = deps.now ?? Date.now;
  return (e) => {
    const settings = deps.settings();
    if (!settings.enabled) return false;
    const s = settings.shortcuts.find((x) => matches(x, e));
    if (s === undefined) return false;
    const t = now();
    const last = lastFired.get(s.id);
    if (last !== undefined && t - last < s.throttleMs) return true;
    lastFired.set(s.id, t);
    deps.invoke(s.action);
    return true;
  };
}
