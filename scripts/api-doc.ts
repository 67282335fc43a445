/**
 * Renders docs/api.md from the control server's OpenAPI document (served at GET /api/openapi.json,
 * built by @fastify/swagger from the routes' TypeBox schemas) and the hand-written notes in
 * docs/api-notes.md. Pure: the same document and notes always give the same text.
 */

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** Named schemas met while rendering (`title`), listed once under Types. */
type Named = Map<string, unknown>;

/** A schema as a compact TypeScript-like type: `{ to: string }`, `'json' | 'csv'`, `TaskView[]`. */
export function typeOf(schema: unknown, depth = 0, named?: Named): string {
  if (!isObj(schema)) return 'unknown';
  const title = str(schema['title']);
  if (title !== undefined && named !== undefined) {
    if (!named.has(title)) named.set(title, schema);
    return title + (schema['nullable'] === true ? ' | null' : '');
  }
  if (schema['nullable'] === true) {
    const inner = typeOf({ ...schema, nullable: false }, depth, named);
    return inner.endsWith('null') ? inner : `${inner} | null`;
  }
  if (Array.isArray(schema['enum'])) return schema['enum'].map((v) => JSON.stringify(v)).join(' | ');
  if ('const' in schema) return JSON.stringify(schema['const']);
  const union = schema['anyOf'] ?? schema['oneOf'];
  if (Array.isArray(union)) return union.map((s) => typeOf(s, depth, named)).join(' | ');
  const t = schema['type'];
  if (Array.isArray(t)) return t.map((x) => typeOf({ ...schema, type: x }, depth, named)).join(' | ');
  switch (t) {
    case 'string':
      return schema['format'] === 'binary' ? 'binary' : 'string';
    case 'integer':
      return 'integer';
    case 'number':
    case 'boolean':
    case 'null':
      return t;
    case 'array': {
      const item = typeOf(schema['items'], depth, named);
      return item.includes(' ') && !item.startsWith('{') ? `(${item})[]` : `${item}[]`;
    }
    case 'object': {
      const props = isObj(schema['properties']) ? schema['properties'] : {};
      const required = Array.isArray(schema['required']) ? schema['required'] : [];
      const keys = Object.keys(props);
      const extra = schema['additionalProperties'];
      if (keys.length === 0) {
        if (isObj(extra)) return `{ [key: string]: ${typeOf(extra, depth + 1, named)} }`;
        return extra === false ? '{}' : '{ [key: string]: unknown }';
      }
      const pad = '  '.repeat(depth + 1);
      const lines = keys.map((k) => `${pad}${k}${required.includes(k) ? '' : '?'}: ${typeOf(props[k], depth + 1, named)};`);
      if (extra === true) lines.push(`${pad}[key: string]: unknown;`);
      return `{\n${lines.join('\n')}\n${'  '.repeat(depth)}}`;
    }
    default:
      return 'unknown';
  }
}

/** What a field must be, from its schema's constraints and the validator's annotations. */
function constraints(schema: Json): string {
  const out: string[] = [];
  const d = str(schema['description']);
  if (d !== undefined) out.push(d.replace(/\.$/, ''));
  if (typeof schema['x-sid'] === 'string') out.push(`a SID (\`${str(schema['pattern']) ?? ''}\`)`);
  else if (typeof schema['pattern'] === 'string') out.push(`matches \`${schema['pattern']}\``);
  if (typeof schema['minLength'] === 'number' && schema['minLength'] > 0) out.push(`at least ${schema['minLength']} characters`);
  if (typeof schema['maxLength'] === 'number') out.push(`at most ${schema['maxLength']} characters`);
  if (typeof schema['minimum'] === 'number' && typeof schema['maximum'] === 'number') out.push(`${schema['minimum']} to ${schema['maximum']}`);
  if (typeof schema['format'] === 'string' && schema['format'] !== 'binary') out.push(`format ${schema['format']}`);
  const problem = str(schema['x-problem']);
  if (problem !== undefined) out.push(`400 otherwise: "${problem}"`);
  return out.join('; ').replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function table(rows: { name: string; schema: unknown; required: boolean }[], named: Named): string[] {
  if (rows.length === 0) return [];
  const lines = ['| field | type | required | notes |', '|---|---|---|---|'];
  for (const r of rows) {
    const type = typeOf(r.schema, 0, named)
      .replace(/\s*\n\s*/g, ' ')
      .replace(/\|/g, '\\|');
    lines.push(`| \`${r.name}\` | \`${type}\` | ${r.required ? 'yes' : 'no'} | ${isObj(r.schema) ? constraints(r.schema) : ''} |`);
  }
  return lines;
}

function parameters(op: Json, where: string): { name: string; schema: unknown; required: boolean }[] {
  const params = Array.isArray(op['parameters']) ? op['parameters'].filter(isObj) : [];
  return params
    .filter((p) => p['in'] === where)
    .map((p) => ({
      name: str(p['name']) ?? '?',
      schema: { ...(isObj(p['schema']) ? p['schema'] : {}), ...(p['description'] === undefined ? {} : { description: p['description'] }) },
      required: p['required'] === true,
    }));
}

function operation(method: string, path: string, op: Json, named: Named): string[] {
  const out = [`### \`${method.toUpperCase()} ${path}\``, ''];
  const summary = str(op['summary']);
  if (summary !== undefined) out.push(`${summary}.`, '');
  const secured = Array.isArray(op['security']) && op['security'].length > 0;
  out.push(`Authentication: ${secured ? '`Authorization: Bearer <token>`' : 'none'}.`, '');
  for (const [where, title] of [
    ['path', 'Path parameters'],
    ['query', 'Query parameters'],
    ['header', 'Headers'],
  ] as const) {
    const rows = parameters(op, where);
    if (rows.length > 0) out.push(`${title}:`, '', ...table(rows, named), '');
    else if (where === 'query' && path.startsWith('/api/') && path !== '/api/health') out.push('Query parameters: none (any is refused with 400).', '');
  }
  const body = isObj(op['requestBody']) && isObj(op['requestBody']['content']) ? op['requestBody']['content'] : null;
  if (body !== null) {
    // The same schema under each content type a route takes: shown once, naming them all.
    const types = Object.keys(body);
    for (const media of Object.values(body).slice(0, 1)) {
      const schema = isObj(media) ? media['schema'] : undefined;
      if (!isObj(schema)) continue;
      const props = isObj(schema['properties']) ? schema['properties'] : {};
      const required = Array.isArray(schema['required']) ? schema['required'] : [];
      const rows = Object.entries(props).map(([name, s]) => ({ name, schema: s, required: required.includes(name) }));
      const closed = schema['additionalProperties'] === false;
      out.push(
        `Body (${types.map((t) => `\`${t}\``).join(' or ')})${rows.length === 0 ? (closed ? ': none (`{}` or no body; any field is refused with 400).' : `: \`${typeOf(schema, 0, named).replace(/\s*\n\s*/g, ' ')}\`.`) : `${closed ? ', no other fields' : ''}:`}`,
        '',
      );
      if (rows.length > 0) out.push(...table(rows, named), '');
    }
  }
  const responses = isObj(op['responses']) ? op['responses'] : {};
  out.push('Responses:', '');
  for (const [status, r] of Object.entries(responses)) {
    if (!isObj(r)) continue;
    const content = isObj(r['content']) ? r['content'] : {};
    const first = Object.values(content).find(isObj);
    const schema = first?.['schema'];
    const desc = str(r['description']);
    const shown = schema === undefined ? (desc ?? '') : typeOf(schema, 0, named).replace(/\s*\n\s*/g, ' ');
    const extra =
      isObj(schema) && str(schema['title']) === undefined && str(schema['description']) !== undefined ? ` (${str(schema['description']) ?? ''})` : '';
    out.push(`- ${status}: ${schema === undefined ? shown || 'no body' : `\`${shown}\`${extra}`}`);
  }
  out.push('');
  return out;
}

/** docs/api.md: the notes (without their own title), then every documented route. */
export function renderApiDoc(openapi: unknown, notes: string): string {
  if (!isObj(openapi) || !isObj(openapi['paths'])) throw new Error('not an OpenAPI document: no paths');
  const body = notes.replace(/^# [^\n]*\n+/, '').trimEnd();
  const out = [
    '# Control server API',
    '',
    "<!-- Generated by `npm run docs:api` (scripts/gen-api-doc.ts) from the server's OpenAPI document and docs/api-notes.md.",
    '     Edit the notes or the route schemas, then run it; a test fails when this file differs. -->',
    '',
    body,
    '',
    '## Route reference',
    '',
    'Generated from the route schemas (`GET /api/openapi.json` serves the same as OpenAPI 3). Field types',
    'are those of `packages/core/src/task-api.ts`, where the TypeScript types are derived from the schemas.',
    '',
  ];
  const named: Named = new Map();
  for (const [path, item] of Object.entries(openapi['paths'])) {
    if (!isObj(item)) continue;
    for (const m of METHODS) {
      const op = item[m];
      if (isObj(op)) out.push(...operation(m, path, op, named));
    }
  }
  out.push('## Types', '', 'The named types of the answers above, as the schemas define them.', '');
  // Expanding a type may name further types: keep going until every named one is listed.
  const listed = new Set<string>();
  for (let more = true; more;) {
    more = false;
    for (const [name, schema] of [...named].sort(([a], [b]) => a.localeCompare(b))) {
      if (listed.has(name)) continue;
      listed.add(name);
      more = true;
      const rest: Json = { ...(isObj(schema) ? schema : {}) };
      delete rest['title'];
      const d = str(rest['description']);
      out.push(`### ${name}`, '', ...(d === undefined ? [] : [d, '']), '```ts', typeOf(rest, 0, named), '```', '');
    }
  }
  return (
    out
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trimEnd() + '\n'
  );
}
