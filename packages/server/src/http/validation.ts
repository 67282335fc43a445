import { AppError, SID_PREFIXES, sidProblem, type SidKind } from '@pause-recording/core';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifySchemaCompiler,
  FastifySchemaValidationError,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { problemsError, type FieldProblem } from './errors.ts';

/**
 * Route schemas (TypeBox, packages/core/src/task-api.ts) checked by TypeBox's compiled validator,
 * with its errors turned into the server's own 400: `{error: {code: 'INVALID_PARAMETER', field,
 * message: 'field: problem; ...', details: {problems}}}`. A schema field may say its problem in
 * words (`x-problem`) or be a SID (`x-sid`, the problem then says what is wrong with the value).
 */

const CREDENTIAL_IN_URL = 'credentials do not belong in the URL (send Authorization: Bearer; the event stream takes a ticket from POST /api/events/ticket)';

/** The server's Fastify instance as routes see it: request parts typed from their TypeBox schemas. */
export type Api = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

const isSidKind = (k: string): k is SidKind => Object.hasOwn(SID_PREFIXES, k);

type Part = 'body' | 'querystring' | 'params' | 'headers' | string;

function annotation(schema: unknown, key: string): string | undefined {
  if (typeof schema !== 'object' || schema === null) return undefined;
  const v: unknown = Reflect.get(schema, key);
  return typeof v === 'string' ? v : undefined;
}

function propertySchema(schema: TSchema, name: string): unknown {
  const props: unknown = Reflect.get(schema, 'properties');
  return typeof props === 'object' && props !== null ? Reflect.get(props, name) : undefined;
}

function valueOf(data: unknown, name: string): unknown {
  return typeof data === 'object' && data !== null ? Reflect.get(data, name) : undefined;
}

function unknownProblem(part: Part, name: string): string {
  if (part !== 'querystring') return 'unknown field';
  return /token/i.test(name) ? CREDENTIAL_IN_URL : 'unknown query parameter';
}

/** The problem of the top-level field `name` of `data` (every route schema is a flat object). */
function fieldProblem(schema: TSchema, data: unknown, name: string, fallback: string): string {
  const sub = propertySchema(schema, name);
  const kind = annotation(sub, 'x-sid');
  if (kind !== undefined && isSidKind(kind)) return sidProblem(kind, valueOf(data, name)) ?? fallback;
  return annotation(sub, 'x-problem') ?? fallback;
}

interface SchemaError {
  readonly keyword: string;
  readonly instancePath: string;
  readonly params: Record<string, unknown>;
  readonly message?: string;
}

/** Each bad field once, in the order TypeBox reports them (unknown fields first). */
export function problemsOf(schema: TSchema, part: Part, data: unknown, errors: readonly SchemaError[]): FieldProblem[] {
  const out = new Map<string, string>();
  const add = (field: string, problem: string): void => {
    if (!out.has(field)) out.set(field, problem);
  };
  for (const e of errors) {
    const top = e.instancePath.split('/')[1]?.replace(/~1/g, '/').replace(/~0/g, '~');
    if (e.keyword === 'additionalProperties') {
      const names = e.params['additionalProperties'];
      if (Array.isArray(names)) for (const n of names) add(String(n), unknownProblem(part, String(n)));
    } else if (e.keyword === 'required') {
      const names = e.params['requiredProperties'];
      if (Array.isArray(names)) for (const n of names) add(String(n), fieldProblem(schema, data, String(n), 'is required'));
    } else if (top === undefined) {
      if (e.keyword !== 'boolean') add(part === 'body' ? 'body' : part, part === 'body' ? 'must be a JSON object' : (e.message ?? 'is not valid'));
    } else if (e.keyword !== 'boolean') {
      // `boolean` is the false schema of an unknown field: reported once as additionalProperties.
      add(top, fieldProblem(schema, data, top, e.message ?? 'is not valid'));
    }
  }
  return [...out].map(([field, problem]) => ({ field, problem }));
}

/** Fastify's validator compiler: TypeBox's compiled check; an absent body counts as `{}`. */
export const typeBoxValidator: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = Compile(schema);
  const part: Part = httpPart ?? 'body';
  return (value: unknown) => {
    const data = part === 'body' && (value === undefined || value === null) ? {} : value;
    if (check.Check(data)) return { value: data };
    const problems = problemsOf(schema, part, data, check.Errors(data));
    const error: FastifySchemaValidationError[] = problems.map((p) => ({
      keyword: 'problem',
      instancePath: `/${p.field}`,
      schemaPath: '#',
      params: { field: p.field, problem: p.problem },
      message: p.problem,
    }));
    return { error };
  };
};

/** The problems a schema found (a route with `attachValidation` adds its own to them); none without an error. */
export function schemaProblems(error: Error | undefined): FieldProblem[] {
  if (!(error instanceof AppError)) return [];
  const problems: unknown = error.details?.['problems'];
  return Array.isArray(problems) ? problems.filter(isFieldProblem) : [];
}

function isFieldProblem(p: unknown): p is FieldProblem {
  return typeof p === 'object' && p !== null && typeof Reflect.get(p, 'field') === 'string' && typeof Reflect.get(p, 'problem') === 'string';
}

/** Fastify's `schemaErrorFormatter`: the validator's problems as the server's 400. */
export function schemaErrorFormatter(errors: FastifySchemaValidationError[], dataVar: string): Error {
  const problems: FieldProblem[] = errors.map((e) => {
    const field = e.params['field'];
    return { field: typeof field === 'string' ? field : dataVar, problem: e.message ?? 'is not valid' };
  });
  return problemsError(problems.length > 0 ? problems : [{ field: dataVar, problem: 'is not valid' }]);
}
