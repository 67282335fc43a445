export * from './shortcut-model.ts';
export { ShortcutStore, readShortcutSettings, SHORTCUTS_STORAGE_KEY } from './shortcut-storage.ts';
export { createShortcutHandler, type ShortcutHandlerDeps } from './shortcut-handler.ts';
export { useKeyboardShortcuts } from './use-keyboard-shortcuts.ts';
export { ShortcutSettingsView } from './ShortcutSettingsView.tsx';
