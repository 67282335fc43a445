import Type from 'typebox';
import { fieldPath, schemaProblems } from '@pause-recording/core';

/**
 * The desktop's build-time environment (`VITE_*`), parsed once by one TypeBox schema that reports
 * every problem at once, through core's shared problem formatter.
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

const got = (v: unknown): string => `, got ${JSON.stringify(v)}`;

function envSchema(knownLocales: readonly string[]) {
  return Type.Object({
    VITE_API_BASE_URL: Type.Optional(Type.String({ pattern: '^https?://[^/]+', problem: 'must be an http(s) URL' })),
    VITE_DEFAULT_LOCALE: Type.Optional(Type.Enum([...knownLocales])),
  });
}

export function parseDesktopEnv<L extends string>(env: Readonly<Record<string, unknown>>, knownLocales: readonly L[]): DesktopEnv<L> {
  // An empty variable counts as unset, as Vite leaves it.
  const api = env['VITE_API_BASE_URL'] === '' ? undefined : env['VITE_API_BASE_URL'];
  const locale = env['VITE_DEFAULT_LOCALE'] === undefined || env['VITE_DEFAULT_LOCALE'] === '' ? (knownLocales[0] ?? '') : env['VITE_DEFAULT_LOCALE'];
  const value = { VITE_API_BASE_URL: api, VITE_DEFAULT_LOCALE: locale };
  const problems = schemaProblems(envSchema(knownLocales), value, { got }).map(
    (p) => `${fieldPath(p.path)}: ${p.keyword === 'type' ? 'must be a string' : p.problem}`,
  );
  const defaultLocale = knownLocales.find((l) => l === locale);
  if (problems.length > 0 || defaultLocale === undefined) throw new EnvError(problems);
  return { apiBaseUrl: typeof api === 'string' ? api.replace(/\/+$/, '') : '', defaultLocale };
}
