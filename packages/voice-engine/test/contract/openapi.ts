/**
 * Contract checks against Twilio's official OpenAPI spec (twilio_api_v2010.json, OpenAPI 3.0).
 *
 * - `loadTwilioSpec` reads the spec (default: the copy vendored in this repository,
 *   `vendor/twilio-oai/twilio_api_v2010.json`, or env `TWILIO_OAI_SPEC`).
 * - `createContractValidator` maps concrete request paths to the spec's path templates and
 *   validates response bodies with Ajv 8 against the documented response schema.
 * - `validateTwilioError` checks Twilio's error body: exactly `{code, message, more_info, status}`.
 *
 * How the OpenAPI 3.0 schemas are turned into JSON Schema for Ajv (done once per validator):
 * - `nullable: true` becomes a `type` array with `"null"` (and `null` is added to an `enum`), so
 *   the result does not depend on Ajv's own `nullable` keyword (which throws without `type` and
 *   leaves `enum` alone). `nullable` with no `type` (e.g. `encryption_details`) means "any value".
 * - `#/components/schemas/...` refs are rewritten to point into one schema document added to Ajv.
 * - Custom formats: `date-time-rfc-2822` is checked for real (see `isRfc2822DateTime`);
 *   `uri` accepts absolute URIs and the relative `/2010-04-01/...` URIs Twilio returns;
 *   `phone-number`, `currency`, `iso-country-code`, `http-method` are lenient shape checks;
 *   the other vendor formats (`uri-map`, `twiml`, ...) are accepted as documented-but-unchecked.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { registerFormats } from './formats.ts';
import { parseBody, validateTwilioError } from './twilio-error-body.ts';

export { isRfc2822DateTime } from './formats.ts';
export { validateTwilioError, type ErrorCheck } from './twilio-error-body.ts';

// ---------------------------------------------------------------------------------------------
// Spec types (only what this module reads)
// ---------------------------------------------------------------------------------------------

export type HttpMethod = 'get' | 'post' | 'put' | 'delete' | 'patch' | 'head' | 'options';
const HTTP_METHODS: readonly HttpMethod[] = ['get', 'post', 'put', 'delete', 'patch', 'head', 'options'];

export interface OpenApiMediaType {
  schema?: unknown;
  examples?: Record<string, { value?: unknown }>;
  example?: unknown;
}

export interface OpenApiResponse {
  description?: string;
  content?: Record<string, OpenApiMediaType>;
}

export interface OpenApiOperation {
  operationId?: string;
  description?: string;
  responses: Record<string, OpenApiResponse>;
  [key: string]: unknown;
}

export type OpenApiPathItem = Partial<Record<HttpMethod, OpenApiOperation>> & Record<string, unknown>;

export interface TwilioSpec {
  openapi: string;
  paths: Record<string, OpenApiPathItem>;
  components?: { schemas?: Record<string, unknown>; [key: string]: unknown };
  [key: string]: unknown;
}

// ---------------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------------

/** Repository root: this file is packages/voice-engine/test/contract/openapi.ts. */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** Twilio's OpenAPI specs, vendored with their MIT notice (vendor/twilio-oai/README.md says why there). */
export const TWILIO_OAI_DIR = path.join(REPO_ROOT, 'vendor', 'twilio-oai');

/** Where the spec is looked for when no path is given and `TWILIO_OAI_SPEC` is not set. */
export const DEFAULT_SPEC_PATH = path.join(TWILIO_OAI_DIR, 'twilio_api_v2010.json');

/**
 * Reads and parses Twilio's API v2010 OpenAPI spec.
 * Order: explicit `specPath`, then env `TWILIO_OAI_SPEC`, then `DEFAULT_SPEC_PATH`.
 * A relative path resolves against the repository root (not the working directory).
 * Throws an error that names the path it looked at when the file is missing or not a spec.
 */
export function loadTwilioSpec(specPath?: string): TwilioSpec {
  const envPath = process.env['TWILIO_OAI_SPEC'];
  const source = specPath !== undefined ? 'the path argument' : envPath ? 'env TWILIO_OAI_SPEC' : 'the default location';
  const chosen = specPath ?? (envPath ? envPath : DEFAULT_SPEC_PATH);
  const resolved = path.resolve(REPO_ROOT, chosen);
  if (!existsSync(resolved)) {
    throw new Error(
      `Twilio OpenAPI spec not found: looked for ${resolved} (from ${source}; the default is ` +
        `vendor/twilio-oai/twilio_api_v2010.json in the repository root ${REPO_ROOT}). ` +
        `Pass a path or set TWILIO_OAI_SPEC.`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(resolved, 'utf8'));
  } catch (e) {
    throw new Error(`Twilio OpenAPI spec at ${resolved} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  if (!isRecord(parsed) || typeof parsed['openapi'] !== 'string' || !isRecord(parsed['paths'])) {
    throw new Error(`File at ${resolved} is not an OpenAPI document (no "openapi" version or "paths" object)`);
  }
  return parsed as TwilioSpec;
}

// ---------------------------------------------------------------------------------------------
// OpenAPI 3.0 schema -> JSON Schema
// ---------------------------------------------------------------------------------------------

const SPEC_SCHEMA_ID = 'urn:twilio-oai:api-v2010';

/**
 * Known defects of the spec, accepted on purpose: properties that `$ref` an enum without
 * `nullable`, although Twilio returns null there (the description says so and the spec's own
 * examples carry null). Found by validating every response example in the spec against its
 * schema; this is the only property in the whole spec with that defect.
 */
export const NULLABLE_ENUM_REF_DEFECTS: Readonly<Record<string, readonly string[]>> = {
  // "When a conference is in progress, will be `null`."
  'api.v2010.account.conference': ['reason_conference_ended'],
};

function withKnownDefectsPatched(schemas: Record<string, unknown>): Record<string, unknown> {
  const out = { ...schemas };
  for (const [name, props] of Object.entries(NULLABLE_ENUM_REF_DEFECTS)) {
    const schema = out[name];
    if (!isRecord(schema) || !isRecord(schema['properties'])) continue;
    const properties: Record<string, unknown> = { ...schema['properties'] };
    for (const prop of props) {
      const p = properties[prop];
      if (isRecord(p)) properties[prop] = { ...p, nullable: true };
    }
    out[name] = { ...schema, properties };
  }
  return out;
}

export interface ContractValidatorOptions {
  /**
   * Stricter than the spec: every property an object schema lists must be present
   * (Twilio's schemas have no `required`, so by the spec alone a missing field passes).
   */
  requireListedProperties?: boolean;
  /** Stricter than the spec: an object may not carry properties its schema does not list. */
  rejectUnlistedProperties?: boolean;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep-copies an OpenAPI schema into plain JSON Schema (see the module comment). */
function toJsonSchema(node: unknown, opts: ContractValidatorOptions): unknown {
  if (Array.isArray(node)) return node.map((n) => toJsonSchema(n, opts));
  if (!isRecord(node)) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('x-') || key === 'nullable' || key === 'example' || key === 'examples') continue;
    if (key === 'description' || key === 'title') continue;
    if (key === '$ref' && typeof value === 'string' && value.startsWith('#/')) {
      out[key] = SPEC_SCHEMA_ID + value;
    } else if (key === 'properties' && isRecord(value)) {
      // Property names are data, not keywords: keep them all (a property may be called `description`).
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonSchema(v, opts)]));
    } else {
      out[key] = toJsonSchema(value, opts);
    }
  }
  if (node['nullable'] === true) {
    if (typeof out['$ref'] === 'string') {
      const ref = out['$ref'];
      delete out['$ref'];
      out['anyOf'] = [{ $ref: ref }, { type: 'null' }];
    } else if (typeof out['type'] === 'string') {
      out['type'] = [out['type'], 'null'];
      if (Array.isArray(out['enum']) && !out['enum'].includes(null)) out['enum'] = [...out['enum'], null];
    } else if (Array.isArray(out['type'])) {
      if (!out['type'].includes('null')) out['type'] = [...out['type'], 'null'];
    }
    // No type and no ref: the spec says nothing about the value, so anything (including null) goes.
  }
  if (isRecord(out['properties'])) {
    const names = Object.keys(out['properties']);
    if (opts.requireListedProperties && names.length > 0) out['required'] = names;
    if (opts.rejectUnlistedProperties && out['additionalProperties'] === undefined) {
      out['additionalProperties'] = false;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Path matching
// ---------------------------------------------------------------------------------------------

interface CompiledSegment {
  /** Exact text when the segment has no parameter. */
  literal: string | null;
  /** Regex for a segment with parameters, e.g. `{Sid}.json` -> /^(.+)\.json$/ */
  regex: RegExp | null;
  params: string[];
  /** 2 literal, 1 parameter with literal text (`{Sid}.json`), 0 bare parameter. */
  specificity: number;
}

interface CompiledTemplate {
  template: string;
  segments: CompiledSegment[];
  item: OpenApiPathItem;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function compileSegment(segment: string): CompiledSegment {
  if (!segment.includes('{')) return { literal: segment, regex: null, params: [], specificity: 2 };
  const params: string[] = [];
  let source = '^';
  let last = 0;
  const re = /\{([^}]+)\}/g;
  for (let m = re.exec(segment); m !== null; m = re.exec(segment)) {
    source += escapeRegex(segment.slice(last, m.index)) + '(.+)';
    params.push(m[1] ?? '');
    last = m.index + m[0].length;
  }
  const rest = segment.slice(last);
  source += escapeRegex(rest) + '$';
  // `(.+)` is greedy, so in `{Sid}.json` the value keeps its own dots: `Twilio.CURRENT.json` -> `Twilio.CURRENT`.
  const hasLiteral = segment.replace(/\{[^}]+\}/g, '').length > 0;
  return { literal: null, regex: new RegExp(source), params, specificity: hasLiteral ? 1 : 0 };
}

/** `http://host/a/b.json?x=1#f` -> `/a/b.json` */
function pathOnly(urlPath: string): string {
  let p = urlPath.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/]*/, '');
  const cut = p.search(/[?#]/);
  if (cut >= 0) p = p.slice(0, cut);
  return p;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

// ---------------------------------------------------------------------------------------------
// Response bodies
// ---------------------------------------------------------------------------------------------

function isEmptyBody(body: unknown): boolean {
  return body === undefined || body === null || body === '';
}

// ---------------------------------------------------------------------------------------------
// Validator
// ---------------------------------------------------------------------------------------------

export interface MatchResult {
  /** The spec's path template, e.g. `/2010-04-01/Accounts/{AccountSid}/Calls/{Sid}.json`. */
  template: string;
  /** The operation for `method`; null when the template exists but does not document that method. */
  operation: OpenApiOperation | null;
  /** Methods the template documents, upper case. */
  methods: string[];
  /** Path parameter values, percent-decoded (`{ Sid: 'Twilio.CURRENT' }`). */
  params: Record<string, string>;
}

export interface ValidationResult {
  ok: boolean;
  template: string | null;
  errors: string[];
}

export interface ContractValidator {
  /** The spec template for a concrete path (query string ignored), most specific first; null if none. */
  match(method: string, urlPath: string): MatchResult | null;
  /** Validates one response: status documented, body per schema (2xx/3xx) or Twilio error shape (>= 400). */
  validate(method: string, urlPath: string, status: number, body: unknown): ValidationResult;
  /** Templates `validate` has matched so far, sorted. */
  coveredTemplates(): string[];
  /** `METHOD template status` for every response `validate` has checked so far, sorted. */
  coveredOperations(): string[];
  /** The response schema for an operation and status as Ajv sees it (after OpenAPI -> JSON Schema). */
  responseSchema(method: string, template: string, status: number): unknown;
}

export function createContractValidator(spec: TwilioSpec, options: ContractValidatorOptions = {}): ContractValidator {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  registerFormats(ajv);
  const components = { ...spec.components, schemas: withKnownDefectsPatched(spec.components?.schemas ?? {}) };
  ajv.addSchema({ $id: SPEC_SCHEMA_ID, components: toJsonSchema(components, options) });

  const templates: CompiledTemplate[] = Object.entries(spec.paths).map(([template, item]) => ({
    template,
    segments: template.split('/').map(compileSegment),
    item,
  }));
  const compiled = new Map<string, ValidateFunction | null>();
  const covered = new Set<string>();
  const coveredOps = new Set<string>();

  function match(method: string, urlPath: string): MatchResult | null {
    const parts = pathOnly(urlPath).split('/');
    let best: { t: CompiledTemplate; score: number[]; params: Record<string, string> } | null = null;
    for (const t of templates) {
      if (t.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      const score: number[] = [];
      let ok = true;
      for (let i = 0; i < parts.length && ok; i++) {
        const seg = t.segments[i] as CompiledSegment;
        const part = parts[i] as string;
        if (seg.literal !== null) {
          ok = seg.literal === part;
        } else if (seg.regex) {
          const m = seg.regex.exec(part);
          if (!m) ok = false;
          else seg.params.forEach((name, j) => (params[name] = decode(m[j + 1] ?? '')));
        }
        score.push(seg.specificity);
      }
      if (!ok) continue;
      if (best === null || compareScores(score, best.score) > 0) best = { t, score, params };
    }
    if (best === null) return null;
    const methods = HTTP_METHODS.filter((m) => isRecord(best.t.item[m])).map((m) => m.toUpperCase());
    const operation = best.t.item[method.toLowerCase() as HttpMethod] ?? null;
    return { template: best.t.template, operation: isRecord(operation) ? operation : null, methods, params: best.params };
  }

  function responseFor(operation: OpenApiOperation, status: number): { key: string; response: OpenApiResponse } | null {
    const exact = operation.responses[String(status)];
    if (exact) return { key: String(status), response: exact };
    const range = operation.responses[`${String(status).charAt(0)}XX`];
    if (range) return { key: `${String(status).charAt(0)}XX`, response: range };
    const fallback = operation.responses['default'];
    return fallback ? { key: 'default', response: fallback } : null;
  }

  function jsonSchemaOf(response: OpenApiResponse): unknown {
    const content = response.content;
    if (!content) return undefined;
    const media = content['application/json'] ?? Object.entries(content).find(([type]) => type.includes('json'))?.[1];
    return media?.schema;
  }

  function validatorFor(key: string, schema: unknown): ValidateFunction | null {
    if (compiled.has(key)) return compiled.get(key) ?? null;
    const fn = schema === undefined ? null : ajv.compile(toJsonSchema(schema, options) as object);
    compiled.set(key, fn);
    return fn;
  }

  function validate(method: string, urlPath: string, status: number, body: unknown): ValidationResult {
    const m = match(method, urlPath);
    const verb = method.toUpperCase();
    const where = `${verb} ${m?.template ?? pathOnly(urlPath)} ${status}`;
    const fail = (errors: string[]): ValidationResult => ({
      ok: false,
      template: m?.template ?? null,
      errors: errors.map((e) => `${where}: ${e}`),
    });
    if (m) {
      covered.add(m.template);
      coveredOps.add(`${verb} ${m.template} ${status}`);
    }

    if (status >= 400) {
      // Errors are Twilio's uniform shape whatever the path (unknown routes answer 404 too).
      const errors = validateTwilioError(status, body).errors;
      const documented = m?.operation ? responseFor(m.operation, status) : null;
      if (m?.operation && documented && errors.length === 0) {
        errors.push(...schemaErrors(`${verb} ${m.template} ${documented.key}`, documented.response, body));
      }
      return errors.length ? fail(errors) : { ok: true, template: m?.template ?? null, errors: [] };
    }

    if (!m) return fail(['no path template in the spec matches this path']);
    if (!m.operation) return fail([`${verb} is not documented for this path (documented: ${m.methods.join(', ') || 'none'})`]);
    const documented = responseFor(m.operation, status);
    if (!documented) {
      return fail([`status ${status} is not documented (documented: ${Object.keys(m.operation.responses).join(', ')})`]);
    }
    if (status === 204) {
      return isEmptyBody(body) ? { ok: true, template: m.template, errors: [] } : fail(['a 204 response must have no body']);
    }
    const errors = schemaErrors(`${verb} ${m.template} ${documented.key}`, documented.response, body);
    return errors.length ? fail(errors) : { ok: true, template: m.template, errors: [] };
  }

  function schemaErrors(cacheKey: string, response: OpenApiResponse, body: unknown): string[] {
    const schema = jsonSchemaOf(response);
    if (schema === undefined) return [];
    const parsed = parseBody(body);
    if (!parsed.ok) return [parsed.error];
    if (parsed.value === undefined) return ['body is missing; the spec documents a JSON body'];
    const fn = validatorFor(cacheKey, schema);
    if (!fn || fn(parsed.value)) return [];
    return (fn.errors ?? []).map(formatAjvError);
  }

  function responseSchema(method: string, template: string, status: number): unknown {
    const operation = spec.paths[template]?.[method.toLowerCase() as HttpMethod];
    if (!isRecord(operation)) return undefined;
    const documented = responseFor(operation as OpenApiOperation, status);
    const schema = documented ? jsonSchemaOf(documented.response) : undefined;
    return schema === undefined ? undefined : toJsonSchema(schema, options);
  }

  return {
    match,
    validate,
    coveredTemplates: () => [...covered].sort(),
    coveredOperations: () => [...coveredOps].sort(),
    responseSchema,
  };
}

function compareScores(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function formatAjvError(e: ErrorObject): string {
  const at = e.instancePath || '(body)';
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return `${e.instancePath}/${String(params['missingProperty'])} is missing (required)`;
    case 'additionalProperties':
      return `${e.instancePath}/${String(params['additionalProperty'])} is not allowed (not listed in the schema)`;
    case 'enum':
      return `${at} must be one of ${(params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'type':
      return `${at} must be ${String(params['type']).split(',').join(' or ')}`;
    default:
      return `${at} ${e.message ?? e.keyword}`;
  }
}
