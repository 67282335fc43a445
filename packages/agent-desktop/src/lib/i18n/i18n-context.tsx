import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { isLocale, translate, type Locale, type Params, type StringKey } from './strings.ts';

export type Translate = (key: StringKey, params?: Params) => string;

interface I18n {
  readonly locale: Locale;
  readonly setLocale: (l: Locale) => void;
  readonly t: Translate;
}

const STORAGE_KEY = 'agentDesktop.locale';
const I18nContext = createContext<I18n>({ locale: 'en-US', setLocale: () => undefined, t: (k, p) => translate('en-US', k, p) });

/** Provides the current language (remembered in localStorage) and `t()` to every feature. */
export function I18nProvider({ defaultLocale, children }: { defaultLocale: Locale; children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(() => {
    const saved = globalThis.localStorage?.getItem(STORAGE_KEY);
    return isLocale(saved) ? saved : defaultLocale;
  });
  const setLocale = useCallback((l: Locale) => {
    globalThis.localStorage?.setItem(STORAGE_KEY, l);
    document.documentElement.lang = l;
    setLocaleState(l);
  }, []);
  const value = useMemo<I18n>(() => ({ locale, setLocale, t: (k, p) => translate(locale, k, p) }), [locale, setLocale]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  return useContext(I18nContext);
}

export function useT(): Translate {
  return useContext(I18nContext).t;
}
