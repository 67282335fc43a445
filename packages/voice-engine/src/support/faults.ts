/**
 * Fault injection for tests: make chosen requests answer an error status, hang, answer
 * late, drop the connection, or be applied with the answer lost, so a client's retry and alarm paths run against real HTTP.
 */
/** `lose`: the request is applied, then the connection is cut before the answer goes out. */
export type FaultAction = 'status' | 'hang' | 'delay' | 'drop' | 'lose';

export interface FaultRule {
  /** HTTP method to match; any when absent. */
  method?: string;
  /**
   * What the request path (query included) must hold: a substring, or with `glob` a whole-path
   * pattern where `*` stands for any run of characters. Never a RegExp: a caller-supplied
   * pattern must not be able to stall the process (catastrophic backtracking).
   */
  path: string;
  /** Match `path` as a glob over the whole request path instead of as a substring. */
  glob?: boolean;
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
  path: string;
  glob: boolean;
  status: number | null;
  delayMs: number | null;
  hits: number;
}

const STATUSES = [429, 500, 502, 503, 504];
/** Long enough for any engine path; keeps matching cost bounded. */
export const MAX_FAULT_PATTERN = 512;

/**
 * `*` globs without backtracking: the literal pieces between stars must appear in order, the
 * first at the start and the last at the end, each found once by `indexOf` from where the
 * previous one ended. The greedy leftmost choice is always safe for `*`-only patterns, so the
 * cost is at most (pieces x text length), whatever the pattern.
 */
export function globMatch(pattern: string, text: string): boolean {
  const pieces = pattern.split('*');
  if (pieces.length === 1) return pattern === text;
  const first = pieces[0]!;
  const last = pieces[pieces.length - 1]!;
  if (first.length + last.length > text.length || !text.startsWith(first) || !text.endsWith(last)) return false;
  let at = first.length;
  const end = text.length - last.length;
  for (let i = 1; i < pieces.length - 1; i++) {
    const piece = pieces[i]!;
    if (piece === '') continue;
    const found = text.indexOf(piece, at);
    if (found < 0 || found + piece.length > end) return false;
    at = found + piece.length;
  }
  return true;
}

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
    if (typeof rule.path !== 'string' || rule.path === '') throw new Error('fault path must be a non-empty string');
    if (rule.path.length > MAX_FAULT_PATTERN) throw new Error(`fault path must be at most ${MAX_FAULT_PATTERN} characters`);
    const times = rule.times ?? 1;
    if (!Number.isInteger(times) || times < 0) throw new Error('fault times must be an integer >= 0');
    const id = this.nextId++;
    this.rules.push({
      id,
      method: rule.method ? rule.method.toUpperCase() : null,
      path: rule.path,
      glob: rule.glob === true,
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
      const hit = r.glob ? globMatch(r.path, url) : url.includes(r.path);
      if (!hit) continue;
      r.hits++;
      this.hits++;
      if (r.times > 0 && r.hits >= r.times) this.rules = this.rules.filter((x) => x !== r);
      return { ...r };
    }
    return null;
  }
}
