import { useI18n } from '../../lib/i18n/i18n-context.tsx';
import { LOCALE_NAMES, LOCALES, isLocale } from '../../lib/i18n/strings.ts';

export function LanguagePicker() {
  const { locale, setLocale, t } = useI18n();
  return (
    <label className="language-picker">
      {t('language')}{' '}
      <select value={locale} onChange={(e) => isLocale(e.target.value) && setLocale(e.target.value)}>
        {LOCALES.map((l) => (
          <option key={l} value={l} lang={l}>
            {LOCALE_NAMES[l]}
          </option>
        ))}
      </select>
    </label>
  );
}
