import { useState, type FormEvent } from 'react';
import { useT } from '../../lib/i18n/i18n-context.tsx';

/** "Agent", "Password", "Sign in". `onSignIn` rejects with a message to show when sign-in fails. */
export function LoginPage({ onSignIn }: { onSignIn: (identity: string, password: string) => Promise<void> }) {
  const t = useT();
  const [identity, setIdentity] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    onSignIn(identity.trim(), password).catch((err: unknown) => {
      setError(t('loginFailed', { reason: err instanceof Error ? err.message : String(err) }));
      setBusy(false);
    });
  };
  return (
    <main className="login">
      <h1>{t('appTitle')}</h1>
      <form onSubmit={submit} className="login-form">
        <label>
          {t('agent')}
          <input name="identity" autoComplete="username" required value={identity} onChange={(e) => setIdentity(e.target.value)} />
        </label>
        <label>
          {t('password')}
          <input name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        {error !== null ? (
          <p role="alert" className="form-error">
            {error}
          </p>
        ) : null}
        <button type="submit" disabled={busy}>
          {t('signIn')}
        </button>
      </form>
    </main>
  );
}
