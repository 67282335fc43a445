import type { TSchema } from 'typebox';
import Value from 'typebox/value';
import { Settings } from 'typebox/system';

/**
 * The one way a TypeBox schema's errors become "field + problem" messages, shared by the settings
 * file, the server's environment, the engine's options and routes, and the desktop's environment.
 * Browser-safe (no Node imports).
 *
 * A schema may carry a `problem` annotation: a string used instead of the generic text, or a
 * function of the offending value that returns the whole problem text (its own "got ..." included).
 */
export type ProblemAnnotation = string | ((value: unknown) => string);

export interface SchemaProblem {
  /** Keys and array indexes from the root to the offending value. */
  readonly path: readonly (string | number)[];
  /** `required`, `unknown` (a key the schema does not know), or the failing TypeBox keyword. */
  readonly keyword: string;
  /** What is wrong, without the field's name. */
  readonly problem: string;
  /** The offending value (undefined when it is missing). */
  readonly value: unknown;
  /** The schema of the offending field, when it can be found (its annotations included). */
  readonly schema: Readonly<Record<string, unknown>> | undefined;
}

export interface ProblemOptions {
  /** Appended to generic and string-annotated problems (not to required/unknown): how to show the value. */
  readonly got?: (value: unknown) => string;
  /** At most this many problems (default 100): a guard against pathological input. */
  readonly max?: number;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The name of a value's JSON type: `null`, `array`, `string`... */
export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** `config` + ['users', 0, 'role'] → `config.users[0].role`; with no root, `users[0].role`. */
export function fieldPath(path: readonly (string | number)[], root = ''): string {
  let out = root;
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

function pointer(instancePath: string): (string | number)[] {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9]\d*)$/.test(s) ? Number(s) : s));
}

/** The sub-schema that describes the value at `path`, when it can be found by properties and items. */
function schemaAt(schema: unknown, path: readonly (string | number)[]): Json | undefined {
  let cur: unknown = schema;
  for (const seg of path) {
    if (!isObject(cur)) return undefined;
    const props = cur['properties'];
    if (typeof seg === 'string' && isObject(props) && isObject(props[seg])) cur = props[seg];
    else if (typeof seg === 'number' && isObject(cur['items'])) cur = cur['items'];
    else if (isObject(cur['additionalProperties'])) cur = cur['additionalProperties'];
    else return undefined;
  }
  return isObject(cur) ? cur : undefined;
}

function valueAt(value: unknown, path: readonly (string | number)[]): unknown {
  let cur: unknown = value;
  for (const seg of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}

function choices(s: Json): unknown[] | null {
  if (Array.isArray(s['enum'])) return s['enum'] as unknown[];
  const any = s['anyOf'];
  if (Array.isArray(any) && any.every((b) => isObject(b) && 'const' in b)) return any.map((b) => (b as Json)['const']);
  return null;
}

/** A generic problem text from the schema and the keyword that failed. */
function generic(s: Json | undefined, keyword: string, fallback: string): string {
  if (!s) return fallback;
  const options = choices(s);
  if (options) return `must be one of ${options.map(String).join(', ')}`;
  if ('const' in s) return `must be ${String(s['const'])}`;
  const min = s['minimum'];
  const max = s['maximum'];
  switch (s['type']) {
    case 'integer':
    case 'number': {
      const what = s['type'] === 'integer' ? 'an integer' : 'a number';
      if ((keyword === 'minimum' || keyword === 'maximum') && min !== undefined && max !== undefined)
        return `must be between ${String(min)} and ${String(max)}`;
      if (keyword === 'minimum') return `must be at least ${String(min)}`;
      if (keyword === 'maximum') return `must be at most ${String(max)}`;
      return `must be ${what}`;
    }
    case 'boolean':
      return 'must be true or false';
    case 'string':
      if (keyword === 'minLength') return s['minLength'] === 1 ? 'must not be empty' : `must be at least ${String(s['minLength'])} characters`;
      if (keyword === 'maxLength') return `must be at most ${String(s['maxLength'])} characters`;
      if (keyword === 'pattern') return `must match ${String(s['pattern'])}`;
      return 'must be a string';
    case 'array':
      return 'must be an array';
    case 'object':
      return 'must be an object';
    default:
      return fallback;
  }
}

/**
 * Every problem of `value` against `schema`, one per field (the first found), in the schema's
 * order of discovery. Missing required properties and unknown keys are their own problems.
 */
export function schemaProblems(schema: TSchema, value: unknown, opts: ProblemOptions = {}): SchemaProblem[] {
  const max = opts.max ?? 100;
  // TypeBox buffers 8 errors by default; a settings file may have more problems than that, and
  // every one is reported. Restored at once: the setting is process-wide.
  const before = Settings.Get().maxErrors;
  Settings.Set({ maxErrors: Math.max(max * 4, 8) });
  let errors;
  try {
    errors = Value.Errors(schema, value);
  } finally {
    Settings.Set({ maxErrors: before });
  }
  const out: SchemaProblem[] = [];
  const seen = new Set<string>();
  const add = (p: SchemaProblem): void => {
    const key = JSON.stringify(p.path);
    if (seen.has(key) || out.length >= max) return;
    seen.add(key);
    out.push(p);
  };
  const got = opts.got ?? (() => '');
  for (const e of errors) {
    const at = pointer(e.instancePath);
    const params = e.params as Json;
    if (e.keyword === 'required') {
      for (const name of (params['requiredProperties'] as string[] | undefined) ?? []) {
        const s = schemaAt(schema, [...at, name]);
        // A field's own annotation describes it missing too ("must be a non-empty string").
        const note = s?.['problem'] as ProblemAnnotation | undefined;
        const problem = typeof note === 'function' ? note(undefined) : (note ?? 'required');
        add({ path: [...at, name], keyword: 'required', problem, value: undefined, schema: s });
      }
      continue;
    }
    if (e.keyword === 'additionalProperties') {
      for (const name of (params['additionalProperties'] as string[] | undefined) ?? []) {
        add({ path: [...at, name], keyword: 'unknown', problem: 'unknown key', value: valueAt(value, [...at, name]), schema: undefined });
      }
      continue;
    }
    // `additionalProperties: false` also reports each extra key as "schema is false": said above.
    if (e.keyword === 'boolean' && e.schemaPath.endsWith('/additionalProperties')) continue;
    const s = schemaAt(schema, at);
    const v = valueAt(value, at);
    const note = s?.['problem'] as ProblemAnnotation | undefined;
    const problem = typeof note === 'function' ? note(v) : `${typeof note === 'string' ? note : generic(s, e.keyword, e.message)}${got(v)}`;
    add({ path: at, keyword: e.keyword, problem, value: v, schema: s });
  }
  return out;
}
