/**
 * The desktop's reusable feature modules (they know nothing of the app shell), for a Flex plugin
 * or another host: the actions layer, the pause-recording controls, notifications and shortcuts.
 */
export * from './features/actions/index.ts';
export * from './features/pause-recording/index.ts';
export * from './features/notifications/index.ts';
export * from './features/shortcuts/index.ts';
export { RecordingStates, type RecordingEntry } from './lib/recording-states.ts';
export type { DesktopApi } from './lib/api-client.ts';
export type { Notifier, NotificationRequest } from './lib/notifier.ts';
