import { describe, expect, it } from 'vitest';
import { EnvError, parseDesktopEnv } from './env.ts';

const LOCALES = ['en-US', 'th'] as const;

describe('parseDesktopEnv', () => {
  it('defaults to same-origin API and the first locale', () => {
    expect(parseDesktopEnv({}, LOCALES)).toEqual({ apiBaseUrl: '', defaultLocale: 'en-US' });
  });

  it('reads the API URL without a trailing slash and a known locale', () => {
    expect(parseDesktopEnv({ VITE_API_BASE_URL: 'http://127.0.0.1:4400/', VITE_DEFAULT_LOCALE: 'th' }, LOCALES)).toEqual({
      apiBaseUrl: 'http://127.0.0.1:4400',
      defaultLocale: 'th',
    });
  });

  it('lists every problem at once', () => {
    let err: unknown;
    try {
      parseDesktopEnv({ VITE_API_BASE_URL: 'ftp://x', VITE_DEFAULT_LOCALE: 'fr-FR' }, LOCALES);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EnvError);
    expect((err as EnvError).problems).toHaveLength(2);
    expect((err as EnvError).message).toContain('VITE_API_BASE_URL');
    expect((err as EnvError).message).toContain('VITE_DEFAULT_LOCALE');
  });
});
