export { NotificationStore, NOTIFICATION_TIMEOUT_MS, type ShownNotification } from './notification-store.ts';
export { Notifications } from './Notifications.tsx';
