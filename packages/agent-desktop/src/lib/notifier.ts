import type { Params, StringKey } from './i18n/strings.ts';

export type NotificationKind = 'info' | 'success' | 'warning' | 'error';

export interface NotificationRequest {
  /** Same id replaces the earlier one (one alarm per task, not a pile). */
  readonly id: string;
  readonly kind: NotificationKind;
  readonly message: StringKey;
  readonly params?: Params;
  /** Stays until dismissed in code (alarms) instead of timing out. */
  readonly sticky?: boolean;
}

/** How features raise notifications without knowing how they are shown. */
export interface Notifier {
  notify(n: NotificationRequest): void;
  dismiss(id: string): void;
}
