import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App.tsx';
import './app/styles.css';
import { parseDesktopEnv } from './lib/env.ts';
import { I18nProvider } from './lib/i18n/i18n-context.tsx';
import { LOCALES } from './lib/i18n/strings.ts';

// Read once at start; a bad build-time setting stops here with every problem listed.
const env = parseDesktopEnv(import.meta.env, LOCALES);
const root = document.getElementById('root');
if (root === null) throw new Error('index.html lacks #root');
createRoot(root).render(
  <StrictMode>
    <I18nProvider defaultLocale={env.defaultLocale}>
      <App apiBaseUrl={env.apiBaseUrl} />
    </I18nProvider>
  </StrictMode>,
);
