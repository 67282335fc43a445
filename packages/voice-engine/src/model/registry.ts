import { NotFoundError } from './errors.ts';

/** Twilio lists newest first. */
export function newestFirst<T extends { createdMs: number }>(items: Iterable<T>): T[] {
  return [...items].sort((a, b) => b.createdMs - a.createdMs);
}

/**
 * The read side every room shares: its resources by SID, read-only to the outside (routes,
 * tests and benches look, only the room changes them). `find` is the lookup the API uses.
 */
export abstract class Registry<T extends { sid: string }> {
  protected readonly items = new Map<string, T>();
  /** How a missing resource is named in NotFoundError ("Call", "Recording", …). */
  protected abstract readonly noun: string;

  get size(): number {
    return this.items.size;
  }

  get(sid: string): T | undefined {
    return this.items.get(sid);
  }

  has(sid: string): boolean {
    return this.items.has(sid);
  }

  keys(): IterableIterator<string> {
    return this.items.keys();
  }

  values(): IterableIterator<T> {
    return this.items.values();
  }

  /** The resource, or a NotFoundError naming it. */
  find(sid: string): T {
    const item = this.items.get(sid);
    if (!item) throw new NotFoundError(`${this.noun} ${sid}`);
    return item;
  }
}
