import { enUS, type StringKey, type Strings } from './locales/en-US.ts';
import { esES } from './locales/es-ES.ts';
import { esMX } from './locales/es-MX.ts';
import { ptBR } from './locales/pt-BR.ts';
import { th } from './locales/th.ts';
import { zhHans } from './locales/zh-Hans.ts';

export type { StringKey, Strings };

export const LOCALES = ['en-US', 'es-MX', 'es-ES', 'pt-BR', 'th', 'zh-Hans'] as const;
export type Locale = (typeof LOCALES)[number];

/** Each language's own name, shown in the picker whatever the current language is. */
export const LOCALE_NAMES: Readonly<Record<Locale, string>> = {
  'en-US': 'English (US)',
  'es-MX': 'Español (México)',
  'es-ES': 'Español (España)',
  'pt-BR': 'Português (Brasil)',
  th: 'ไทย',
  'zh-Hans': '简体中文',
};

export const STRINGS: Readonly<Record<Locale, Strings>> = {
  'en-US': enUS,
  'es-MX': esMX,
  'es-ES': esES,
  'pt-BR': ptBR,
  th,
  'zh-Hans': zhHans,
};

export function isLocale(v: unknown): v is Locale {
  return typeof v === 'string' && (LOCALES as readonly string[]).includes(v);
}

export type Params = Readonly<Record<string, string | number>>;

/** The string `key` in `locale` with `{name}` placeholders filled from `params`. */
export function translate(locale: Locale, key: StringKey, params: Params = {}): string {
  return STRINGS[locale][key].replace(/\{(\w+)\}/g, (whole, name: string) => {
    const v = params[name];
    return v === undefined ? whole : String(v);
  });
}
