import { render, type RenderResult } from '@testing-library/react';
import type { ReactElement } from 'react';
import { I18nProvider } from '../../src/lib/i18n/i18n-context.tsx';
import type { Locale } from '../../src/lib/i18n/strings.ts';

/** Renders inside the real i18n provider (en-US unless told), as the app does. */
export function renderWithI18n(ui: ReactElement, locale: Locale = 'en-US'): RenderResult {
  return render(<I18nProvider defaultLocale={locale}>{ui}</I18nProvider>);
}
