import { useT } from '../../lib/i18n/i18n-context.tsx';
import { useObservable } from '../../lib/observable.ts';
import type { NotificationStore } from './notification-store.ts';

/**
 * The banner area. Errors and warnings are `role="alert"` so screen readers announce them at once;
 * success and info are polite `role="status"`.
 */
export function Notifications({ store }: { store: NotificationStore }) {
  const t = useT();
  const items = useObservable(store.observable());
  return (
    <section className="notifications" aria-label={t('notifications')}>
      {items.map((n) => (
        <div
          key={`${n.id}:${n.seq}`}
          className={`notification notification-${n.kind}${n.sticky === true ? ' notification-sticky' : ''}`}
          role={n.kind === 'error' || n.kind === 'warning' ? 'alert' : 'status'}
          data-notification-id={n.id}
        >
          <span className="notification-text">{t(n.message, n.params)}</span>
          {n.sticky === true ? null : (
            <button type="button" className="notification-close" aria-label={t('close')} onClick={() => store.dismiss(n.id)}>
              ×
            </button>
          )}
        </div>
      ))}
    </section>
  );
}
