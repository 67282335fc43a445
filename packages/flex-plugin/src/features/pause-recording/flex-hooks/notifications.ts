import type * as Flex from '@twilio/flex-ui';
import { StringTemplates } from '../strings/index.ts';

export const NotificationIds = {
  RECORDING_PAUSED: 'PSRecordingPaused',
  RESUME_RECORDING: 'PSResumeRecording',
  PAUSE_FAILED: 'PSPauseFailed',
  RESUME_FAILED: 'PSResumeFailed',
  NO_RECORDING: 'PSNoRecording',
  PARTIALLY_PAUSED: 'PSPartiallyPaused',
  REMINDER: 'PSRecordingReminder',
  AUTO_RESUMED: 'PSRecordingAutoResumed',
} as const;

/** Registers the feature's notifications; `content` names a template in Flex's string manager. */
export function registerNotifications(flex: Pick<typeof Flex, 'Notifications' | 'NotificationType'>): void {
  const { Notifications, NotificationType } = flex;
  const add = (id: string, content: string, type: Flex.NotificationType, timeout: number): void => {
    // Flex refuses a second registration of an id (a plugin initialised twice): keep the first.
    if (!Notifications.registeredNotifications.has(id)) Notifications.registerNotification({ id, content, type, timeout, closeButton: true });
  };
  add(NotificationIds.RECORDING_PAUSED, StringTemplates.RECORDING_PAUSED, NotificationType.warning, 3000);
  add(NotificationIds.RESUME_RECORDING, StringTemplates.RESUME_RECORDING, NotificationType.success, 3000);
  add(NotificationIds.PAUSE_FAILED, StringTemplates.PAUSE_FAILED, NotificationType.error, 5000);
  add(NotificationIds.RESUME_FAILED, StringTemplates.RESUME_FAILED, NotificationType.error, 5000);
  add(NotificationIds.NO_RECORDING, StringTemplates.NO_RECORDING, NotificationType.warning, 5000);
  // The alarm stays until closed: a call that still records card data must not go unnoticed.
  add(NotificationIds.PARTIALLY_PAUSED, StringTemplates.PARTIALLY_PAUSED, NotificationType.error, 0);
  add(NotificationIds.REMINDER, StringTemplates.REMINDER, NotificationType.warning, 0);
  add(NotificationIds.AUTO_RESUMED, StringTemplates.AUTO_RESUMED, NotificationType.information, 5000);
}
