import { useCallback, useEffect } from 'react';
import type { ActionName } from '../features/actions/index.ts';
import { LanguagePicker } from '../features/i18n/index.ts';
import { Notifications } from '../features/notifications/index.ts';
import { RecordingDetailPage, RecordingsPage } from '../features/recordings/index.ts';
import { ShortcutSettingsView, useKeyboardShortcuts } from '../features/shortcuts/index.ts';
import { SupervisorView } from '../features/supervisor/index.ts';
import { useT } from '../lib/i18n/i18n-context.tsx';
import { DesktopPage } from './DesktopPage.tsx';
import { startLiveSync } from './live-sync.ts';
import { NavLink } from './NavLink.tsx';
import { navigate, useRoute } from './router.ts';
import type { DesktopServices } from './services.ts';

/** The signed-in frame: header with navigation, the routed page, and the notifications. */
export function Shell({ services: s, onSignOut }: { services: DesktopServices; onSignOut: () => void }) {
  const t = useT();
  const route = useRoute();
  const supervisor = s.session.roles.includes('supervisor');

  useEffect(() => startLiveSync(s), [s]);

  // Shortcuts act on the selected task, as in Flex; with none selected they do nothing.
  const invoke = useCallback(
    (action: ActionName) => {
      const task = s.tasks.selected();
      if (task !== null) s.actions.invokeAction(action, { task }).catch(() => undefined);
    },
    [s],
  );
  useKeyboardShortcuts(s.shortcuts, invoke);

  return (
    <div className="shell">
      <header className="shell-header">
        <h1 className="app-title">{t('appTitle')}</h1>
        <nav aria-label="Main">
          <NavLink to="/" current={route.page === 'desktop'}>
            {t('navDesktop')}
          </NavLink>
          <NavLink to="/recordings" current={route.page === 'recordings' || route.page === 'recording'}>
            {t('navRecordings')}
          </NavLink>
          {supervisor ? (
            <NavLink to="/supervisor" current={route.page === 'supervisor'}>
              {t('navSupervisor')}
            </NavLink>
          ) : null}
          <NavLink to="/settings/shortcuts" current={route.page === 'shortcuts'}>
            {t('navShortcuts')}
          </NavLink>
        </nav>
        <div className="shell-user">
          <LanguagePicker />
          <span>{t('signedInAs', { who: s.session.identity })}</span>
          <button type="button" className="secondary" onClick={onSignOut}>
            {t('signOut')}
          </button>
        </div>
      </header>
      <Notifications store={s.notifications} />
      <main className="shell-main">
        {route.page === 'desktop' ? <DesktopPage services={s} /> : null}
        {route.page === 'recordings' ? <RecordingsPage api={s.api} onOpen={(sid) => navigate(`/recordings/${sid}`)} /> : null}
        {route.page === 'recording' ? <RecordingDetailPage api={s.api} sid={route.sid} onBack={() => navigate('/recordings')} /> : null}
        {route.page === 'supervisor' ? <SupervisorView api={s.api} actions={s.actions} states={s.states} tasks={s.tasks} /> : null}
        {route.page === 'shortcuts' ? <ShortcutSettingsView store={s.shortcuts} /> : null}
      </main>
    </div>
  );
}
