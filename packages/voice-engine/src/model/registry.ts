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
  /** Resources in memory: live ones, and finished ones until a room hands them to the store. */
  protected readonly items = new Map<string, T>();
  /** How a missing resource is named in NotFoundError ("Call", "Recording", …). */
  protected abstract readonly noun: string;

  /** A finished resource read back from the engine's store (rooms that evict override it). */
  protected stored(_sid: string): T | undefined {
    return undefined;
  }

  /** Every stored resource, oldest first (rooms that evict override it). */
  protected storedAll(): T[] {
    return [];
  }

  /** How many resources the store holds (rooms that evict override it). */
  protected storedCount(): number {
    return this.items.size;
  }

  get size(): number {
    return this.storedCount();
  }

  /** Resources held in memory (live ones, and finished ones not yet handed to the store). */
  get inMemory(): number {
    return this.items.size;
  }

  get(sid: string): T | undefined {
    return this.items.get(sid) ?? this.stored(sid);
  }

  has(sid: string): boolean {
    return this.get(sid) !== undefined;
  }

  keys(): IterableIterator<string> {
    return [...this.values()].map((x) => x.sid).values();
  }

  /** In memory and stored alike, oldest first (reads the whole store when the room evicts: tests and tools). */
  values(): IterableIterator<T> {
    const stored = this.storedAll();
    if (stored.length === 0) return this.items.values();
    const out = stored.map((x) => this.items.get(x.sid) ?? x);
    const seen = new Set(out.map((x) => x.sid));
    for (const x of this.items.values()) if (!seen.has(x.sid)) out.push(x);
    return out.values();
  }

  /** The resource, or a NotFoundError naming it. */
  find(sid: string): T {
    const item = this.get(sid);
    if (!item) throw new NotFoundError(`${this.noun} ${sid}`);
    return item;
  }
}
