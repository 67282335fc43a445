/**
 * Fault injection for tests: make chosen requests answer an error status, hang, answer
 * late, drop the connection, or be applied with the answer lost, so a client's retry and alarm paths run against real HTTP.
 */
/** `lose`: the request is applied, then the connection is cut before the answer goes out. */
export type FaultAction = 'status' | 'hang' | 'delay' | 'drop' | 'lose';

export interface FaultRule {
  /** HTTP method to match; any when absent. */
  method?: string;
  /** Substring of, or RegExp tested against, the request path (query included). */
  path: string | RegExp;
  action: FaultAction;
  /** For `status`: 429, 500, 502, 503 or 504. */
  status?: number;
  /** For `delay`: how long to hold the request before handling it normally. */
  delayMs?: number;
  /** How many matching requests to affect; 0 means every one until cleared. Default 1. */
  times?: number;
}

export interface ActiveFault extends Required<Pick<FaultRule, 'action' | 'times'>> {
  id: number;
  method: string | null;
  path: string | RegExp;
  status: number | null;
  delayMs: number | null;
  hits: number;
}

const STATUSES = [429, 500, 502, 503, 504];

export class FaultInjector {
  private rules: ActiveFault[] = [];
  private nextId = 1;
  /** Every request a fault was applied to, for tests that count attempts. */
  hits = 0;

  add(rule: FaultRule): number {
    if (rule.action === 'status' && (rule.status === undefined || !STATUSES.includes(rule.status))) {
      throw new Error(`fault status must be one of ${STATUSES.join(', ')}`);
    }
    if (rule.action === 'delay' && !(typeof rule.delayMs === 'number' && rule.delayMs >= 0)) {
      throw new Error('fault delayMs must be a number >= 0 for action delay');
    }
    const times = rule.times ?? 1;
    if (!Number.isInteger(times) || times < 0) throw new Error('fault times must be an integer >= 0');
    const id = this.nextId++;
    this.rules.push({
      id,
      method: rule.method ? rule.method.toUpperCase() : null,
      path: rule.path,
      action: rule.action,
      status: rule.status ?? null,
      delayMs: rule.delayMs ?? null,
      times,
      hits: 0,
    });
    return id;
  }

  remove(id: number): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length !== before;
  }

  clear(): void {
    this.rules = [];
  }

  list(): ActiveFault[] {
    return this.rules.map((r) => ({ ...r }));
  }

  /** The fault to apply to this request, consuming one of its `times`. */
  take(method: string, url: string): ActiveFault | null {
    for (const r of this.rules) {
      if (r.method && r.method !== method.toUpperCase()) continue;
      const hit = typeof r.path === 'string' ? url.includes(r.path) : r.path.test(url);
      if (!hit) continue;
      r.hits++;
      this.hits++;
      if (r.times > 0 && r.hits >= r.times) this.rules = this.rules.filter((x) => x !== r);
      return { ...r };
    }
    return null;
  }
}
