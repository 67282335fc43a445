/**
 * The desktop's build-time environment (`VITE_*`), parsed once by one schema that reports every
 * problem at once.
 */
export interface DesktopEnv<L extends string = string> {
  /** Base URL of the control server; '' means the origin that served the desktop. */
  readonly apiBaseUrl: string;
  /** Language used before the agent picks one. */
  readonly defaultLocale: L;
}

export class EnvError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid desktop environment:\n- ${problems.join('\n- ')}`);
    this.name = 'EnvError';
  }
}

export function parseDesktopEnv<L extends string>(env: Readonly<Record<string, unknown>>, knownLocales: readonly L[]): DesktopEnv<L> {
  const problems: string[] = [];
  const str = (key: string): string | undefined => {
    const v = env[key];
    if (v === undefined || v === '') return undefined;
    if (typeof v !== 'string') {
      problems.push(`${key}: must be a string`);
      return undefined;
    }
    return v;
  };
  const apiRaw = str('VITE_API_BASE_URL');
  let apiBaseUrl = '';
  if (apiRaw !== undefined) {
    if (/^https?:\/\/[^/]+/.test(apiRaw)) apiBaseUrl = apiRaw.replace(/\/+$/, '');
    else problems.push(`VITE_API_BASE_URL: must be an http(s) URL, got ${JSON.stringify(apiRaw)}`);
  }
  const localeRaw = str('VITE_DEFAULT_LOCALE') ?? knownLocales[0] ?? '';
  const defaultLocale = knownLocales.find((l) => l === localeRaw);
  if (defaultLocale === undefined) problems.push(`VITE_DEFAULT_LOCALE: must be one of ${knownLocales.join(', ')}, got ${JSON.stringify(localeRaw)}`);
  if (problems.length > 0 || defaultLocale === undefined) throw new EnvError(problems);
  return { apiBaseUrl, defaultLocale };
}
