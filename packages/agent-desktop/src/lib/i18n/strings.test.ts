import { describe, expect, it } from 'vitest';
import { enUS } from './locales/en-US.ts';
import { LOCALES, STRINGS, translate } from './strings.ts';

const placeholders = (s: string): string[] => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '').sort();

describe('strings', () => {
  it('every language defines every key, none empty, with the same placeholders as en-US', () => {
    const keys = Object.keys(enUS).sort();
    for (const locale of LOCALES) {
      const table = STRINGS[locale];
      expect(Object.keys(table).sort(), locale).toEqual(keys);
      for (const key of keys) {
        const s = table[key as keyof typeof enUS];
        expect(s.trim(), `${locale}.${key}`).not.toBe('');
        expect(placeholders(s), `${locale}.${key}`).toEqual(placeholders(enUS[key as keyof typeof enUS]));
      }
    }
  });

  it('the seed-facing strings are translated, not copied from English', () => {
    for (const locale of LOCALES.filter((l) => l !== 'en-US')) {
      for (const key of ['pauseRecording', 'resumeRecording', 'recordingPausedPanel', 'notifPaused', 'notifResumed'] as const) {
        expect(STRINGS[locale][key], `${locale}.${key}`).not.toBe(enUS[key]);
      }
    }
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate('en-US', 'pausedBy', { who: 'alice' })).toBe('Paused by alice');
    expect(translate('pt-BR', 'pausedBy', { who: 'alice' })).toBe('Pausada por alice');
    expect(translate('en-US', 'pausedBy')).toBe('Paused by {who}');
  });
});
