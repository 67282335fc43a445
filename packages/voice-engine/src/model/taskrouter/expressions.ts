import { InvalidParameterError } from '../errors.ts';

/**
 * The subset of TaskRouter's expression language the engine evaluates (queue `target_workers`
 * against worker attributes, workflow filters against task attributes):
 *   `1==1` (everyone), `path == value`, `path != value`, `path HAS value` (array contains),
 *   `path IN [v, …]`, joined by `AND` / `OR` (AND binds tighter). Values: 'text', "text",
 *   numbers, true, false. Anything else is refused with the parameter's name.
 */
type Value = string | number | boolean;
type Clause = { kind: 'true' } | { kind: 'cmp'; path: string[]; op: '==' | '!=' | 'HAS' | 'IN'; value: Value | Value[] };
/** OR of ANDs. */
export type Expression = Clause[][];

const CLAUSE = /^([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*)\s*(==|!=|\bHAS\b|\bhas\b|\bIN\b|\bin\b)\s*(.+)$/;

function parseValue(raw: string, param: string): Value {
  const v = raw.trim();
  const q = /^'([^']*)'$/.exec(v) ?? /^"([^"]*)"$/.exec(v);
  if (q) return q[1]!;
  if (/^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  if (v === 'true' || v === 'false') return v === 'true';
  throw new InvalidParameterError(param, `value ${v} must be a quoted string, a number, true or false`);
}

function parseClause(text: string, param: string): Clause {
  const t = text.trim();
  if (/^1\s*==\s*1$/.test(t)) return { kind: 'true' };
  const m = CLAUSE.exec(t);
  if (!m)
    throw new InvalidParameterError(param, `'${t}' is not an expression the engine supports (1==1, attr == 'v', attr != 'v', attr HAS 'v', attr IN ['v'])`);
  const op = m[2]!.toUpperCase() as '==' | '!=' | 'HAS' | 'IN';
  const rawValue = m[3]!.trim();
  if (op === 'IN') {
    const list = /^\[(.*)\]$/.exec(rawValue);
    if (!list) throw new InvalidParameterError(param, `IN needs a list like ['a', 'b']; got ${rawValue}`);
    const items = list[1]!.trim() === '' ? [] : list[1]!.split(',').map((x) => parseValue(x, param));
    return { kind: 'cmp', path: m[1]!.split('.'), op, value: items };
  }
  return { kind: 'cmp', path: m[1]!.split('.'), op, value: parseValue(rawValue, param) };
}

/** Parses an expression; `param` names the request parameter in the error. */
export function parseExpression(text: string, param: string): Expression {
  if (text.trim() === '') throw new InvalidParameterError(param, 'must not be empty (1==1 matches everyone)');
  return text.split(/\s+(?:OR|or|\|\|)\s+/).map((part) => part.split(/\s+(?:AND|and|&&)\s+/).map((c) => parseClause(c, param)));
}

function lookup(attrs: unknown, path: string[]): unknown {
  let cur = attrs;
  for (const key of path) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function holds(c: Clause, attrs: unknown): boolean {
  if (c.kind === 'true') return true;
  const v = lookup(attrs, c.path);
  switch (c.op) {
    case '==':
      return v === c.value;
    case '!=':
      return v !== c.value;
    case 'HAS':
      return Array.isArray(v) && v.includes(c.value);
    case 'IN':
      return Array.isArray(c.value) && (c.value as unknown[]).includes(v);
  }
}

export function matches(e: Expression, attrs: unknown): boolean {
  return e.some((all) => all.every((c) => holds(c, attrs)));
}

/** A JSON object given as text (worker and task `Attributes`), or an error naming the parameter. */
export function parseAttributes(text: string, param: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new InvalidParameterError(param, 'must be a JSON object');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new InvalidParameterError(param, 'must be a JSON object');
  return v as Record<string, unknown>;
}
