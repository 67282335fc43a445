import type { LoginResponse } from '@pause-recording/core';
import { useEffect, useState } from 'react';
import { LoginPage } from '../features/auth/index.ts';
import { LanguagePicker } from '../features/i18n/index.ts';
import { createHttpApi } from '../lib/api-client.ts';
import { loadSession, saveSession } from '../lib/session.ts';
import { createServices, type DesktopServices } from './services.ts';
import { Shell } from './Shell.tsx';

/** Sign-in gate: without a session the login page, with one the shell and its services. */
export function App({ apiBaseUrl }: { apiBaseUrl: string }) {
  const [session, setSession] = useState<LoginResponse | null>(() => loadSession());
  const [services, setServices] = useState<DesktopServices | null>(null);
  const [api] = useState(() => createHttpApi(apiBaseUrl, () => loadSession()?.token ?? null));

  useEffect(() => {
    if (session === null) return;
    let made: DesktopServices | null = null;
    let cancelled = false;
    api.config().then(
      (config) => {
        if (cancelled) return;
        made = createServices(api, session, config);
        setServices(made);
      },
      () => {
        // The token is no longer accepted (expired, server secret changed): sign in again.
        saveSession(null);
        setSession(null);
      },
    );
    return () => {
      cancelled = true;
      made?.dispose();
      setServices(null);
    };
  }, [api, session]);

  const signIn = async (identity: string, password: string): Promise<void> => {
    const s = await api.login(identity, password);
    saveSession(s);
    setSession(s);
  };
  const signOut = (): void => {
    // Revoke the token on the server too (best effort: signing out locally never waits on it).
    void api.logout().catch(() => undefined);
    saveSession(null);
    setSession(null);
  };

  if (session === null) {
    return (
      <>
        <div className="login-language">
          <LanguagePicker />
        </div>
        <LoginPage onSignIn={signIn} />
      </>
    );
  }
  if (services === null) return <p className="loading">…</p>;
  return <Shell services={services} onSignOut={signOut} />;
}
