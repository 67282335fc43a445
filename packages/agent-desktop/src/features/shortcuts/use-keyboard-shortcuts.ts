import { useEffect } from 'react';
import type { ActionName } from '../actions/action-names.ts';
import { createShortcutHandler } from './shortcut-handler.ts';
import type { ShortcutStore } from './shortcut-storage.ts';

/** Listens for the configured shortcuts on the whole window while mounted. */
export function useKeyboardShortcuts(store: ShortcutStore, invoke: (action: ActionName) => void): void {
  useEffect(() => {
    const handle = createShortcutHandler({ settings: () => store.get(), invoke });
    const onKeyDown = (e: KeyboardEvent): void => {
      if (e.repeat) return;
      if (handle(e)) e.preventDefault();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [store, invoke]);
}
