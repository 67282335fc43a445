import Type, { type TSchema } from 'typebox';
import Value from 'typebox/value';
import { Compile } from 'typebox/compile';
import { schemaProblems, TWILIO_ERROR } from '@pause-recording/core';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifySchemaCompiler,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { TwilioHttpError } from './twilio-error.ts';

/** The engine's Fastify instance, whose routes are typed by their TypeBox schemas. */
export type EngineApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

/**
 * Schemas of Twilio's form-encoded parameters. Every value arrives as a string (an array when
 * the key repeats); `decodeForm` turns it into what the schema declares before it is checked.
 */
export const Form = {
  /** One of a fixed set of strings; case matters, as at Twilio. */
  oneOf: <const T extends string>(values: readonly T[]) => Type.Enum([...values]),
  /** `true` or `false` in any case. */
  bool: () => Type.Boolean(),
  int: (minimum: number, maximum: number) => Type.Integer({ minimum, maximum }),
  /** A present, non-empty string. */
  text: () => Type.String({ minLength: 1 }),
  /** An absolute http(s) URL; a bad one is Twilio's 21205. */
  url: () => Type.String({ pattern: '^[Hh][Tt][Tt][Pp][Ss]?://[^\\s/?#]+', problem: 'must be an absolute http(s) URL', code: TWILIO_ERROR.INVALID_URL }),
  /** `GET` or `POST` for a webhook. */
  method: () => Type.Enum(['POST', 'GET']),
  /** An event list: repeated keys (the SDK) or one space- or comma-separated value (curl users). */
  events: <const T extends string>(allowed: readonly T[]) =>
    Type.Array(Type.Enum([...allowed], { problem: (v: unknown) => `has unknown event '${String(v)}'; allowed: ${allowed.join(', ')}` })),
} as const;

/** Twilio paging: `PageSize` (1..1000, default 50) and `Page` (from 0). */
export const Paging = {
  PageSize: Type.Optional(Form.int(1, 1000)),
  Page: Type.Optional(Type.Integer({ minimum: 0 })),
  PageToken: Type.Optional(Type.String()),
};

/** The account path parameter every 2010 route has. */
export const AccountPath = { AccountSid: Type.String() };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Form values as the schema declares them: the last of repeated keys for one value, every part
 * for a list, `true`/`false` as booleans, digit strings as integers. An empty value counts as
 * absent unless the field's schema accepts it (an empty `VoiceUrl` clears the number's URL).
 * Keys the schema does not name pass through, as Twilio ignores them.
 */
export function decodeForm(schema: TSchema, raw: unknown): Json {
  if (raw === undefined || raw === null || raw === '') return {};
  if (!isObject(raw)) throw TwilioHttpError.badRequest('Request body must be form-encoded parameters');
  const props = (schema as { properties?: Record<string, Json> }).properties ?? {};
  const out: Json = {};
  for (const [key, value] of Object.entries(raw)) {
    const prop = props[key];
    if (!prop) {
      out[key] = value;
      continue;
    }
    const values = (Array.isArray(value) ? value : [value]).filter((v) => v !== undefined && v !== null).map((v) => (typeof v === 'object' ? v : String(v)));
    if (prop['type'] === 'array') {
      const parts = [...new Set(values.flatMap((v) => (typeof v === 'string' ? v.split(/[\s,]+/) : [v])).filter((v) => v !== ''))];
      if (parts.length > 0) out[key] = parts;
      continue;
    }
    if (values.length === 0) continue;
    const last = values[values.length - 1];
    if (last === '' && !Value.Check(prop, '')) continue;
    if (prop['type'] === 'boolean' && typeof last === 'string' && /^(true|false)$/i.test(last)) out[key] = last.toLowerCase() === 'true';
    else if (prop['type'] === 'integer' && typeof last === 'string' && /^-?\d+$/.test(last)) out[key] = Number(last);
    else out[key] = last;
  }
  return out;
}

/** The first problem of a request part as Twilio's 400, naming the parameter. */
function twilioProblem(schema: TSchema, value: unknown): TwilioHttpError | null {
  const [first] = schemaProblems(schema, value, { got: (v) => `; got '${String(v)}'`, max: 1 });
  if (!first) return null;
  const name = String(first.path[0] ?? 'request');
  if (first.keyword === 'required') return TwilioHttpError.missing(name);
  const code = typeof first.schema?.['code'] === 'number' ? first.schema['code'] : TWILIO_ERROR.INVALID_PARAMETER;
  return TwilioHttpError.invalid(name, first.problem, code);
}

/**
 * Validates params, query and body with their TypeBox schemas after Twilio's form decoding;
 * a failure is Twilio's error (`{code, message, more_info, status}`) naming the parameter.
 */
export const twilioValidatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const decode = httpPart === 'body' || httpPart === 'querystring';
  const validator = Compile(schema);
  return (data: unknown) => {
    try {
      const value = decode ? decodeForm(schema, data) : data;
      // The compiled check is the fast path; the problem is worked out only for a bad request.
      if (validator.Check(value)) return { value };
      return { error: twilioProblem(schema, value) ?? TwilioHttpError.badRequest('Bad request') };
    } catch (e) {
      if (e instanceof TwilioHttpError) return { error: e };
      throw e;
    }
  };
};
