import { InvalidParameterError } from '../errors.ts';
import { matches, parseExpression, type Expression } from './expressions.ts';

/** A workflow's routing: filters tried in order (first match wins), then the default queue. */
export interface WorkflowConfiguration {
  filters: { expression: Expression; queue: string }[];
  defaultQueue: string | null;
  /** Every queue the configuration names. */
  queues: string[];
}

const bad = (problem: string): InvalidParameterError => new InvalidParameterError('Configuration', problem);

function record(v: unknown, where: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad(`${where} must be a JSON object`);
  return v as Record<string, unknown>;
}

function queueOf(v: unknown, where: string): string {
  const q = record(v, where)['queue'];
  if (typeof q !== 'string' || !/^WQ[0-9a-f]{32}$/.test(q)) throw bad(`${where}.queue must be a TaskQueue SID`);
  return q;
}

/**
 * Twilio's workflow JSON, the subset the engine routes: `task_routing.filters[]` with
 * `expression` (or `filter_friendly_name` only) and `targets[0].queue`, and
 * `task_routing.default_filter.queue`. Other target keys (priority, timeout, expression) are refused.
 */
export function parseWorkflowConfiguration(text: string): WorkflowConfiguration {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw bad('must be JSON');
  }
  const routing = record(record(raw, 'Configuration')['task_routing'], 'task_routing');
  const filtersRaw = routing['filters'] ?? [];
  if (!Array.isArray(filtersRaw)) throw bad('task_routing.filters must be a list');
  const filters = filtersRaw.map((f, i) => {
    const where = `task_routing.filters[${i}]`;
    const fr = record(f, where);
    const expr = fr['expression'] ?? '1==1';
    if (typeof expr !== 'string') throw bad(`${where}.expression must be a string`);
    const targets = fr['targets'];
    if (!Array.isArray(targets) || targets.length !== 1) throw bad(`${where}.targets must list exactly one target (the engine routes to one queue)`);
    const target = record(targets[0], `${where}.targets[0]`);
    const extra = Object.keys(target).filter((k) => k !== 'queue');
    if (extra.length > 0) throw bad(`${where}.targets[0] has ${extra.join(', ')}, which the engine does not emulate (only queue)`);
    return { expression: parseExpression(expr, 'Configuration'), queue: queueOf(target, `${where}.targets[0]`) };
  });
  const defaultQueue = routing['default_filter'] === undefined ? null : queueOf(routing['default_filter'], 'task_routing.default_filter');
  if (filters.length === 0 && defaultQueue === null) throw bad('needs task_routing.filters or task_routing.default_filter');
  return { filters, defaultQueue, queues: [...new Set([...filters.map((f) => f.queue), ...(defaultQueue ? [defaultQueue] : [])])] };
}

/** The queue a task with these attributes enters, or null (no filter matched and no default). */
export function routeTask(config: WorkflowConfiguration, attrs: Record<string, unknown>): string | null {
  for (const f of config.filters) if (matches(f.expression, attrs)) return f.queue;
  return config.defaultQueue;
}
