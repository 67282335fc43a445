import type { ActionName, PayloadOf, ResultOf } from './action-names.ts';

export type ActionImpl<N extends ActionName> = (payload: PayloadOf<N>) => Promise<ResultOf<N>>;
/** A replacement gets the original implementation so it can wrap it (Flex's `replaceAction`). */
export type ActionReplacement<N extends ActionName> = (payload: PayloadOf<N>, original: ActionImpl<N>) => Promise<ResultOf<N>>;
export type BeforeListener<N extends ActionName> = (payload: PayloadOf<N>, abort: () => void) => void | Promise<void>;
export type AfterListener<N extends ActionName> = (payload: PayloadOf<N>, result: ResultOf<N>) => void | Promise<void>;
export type ListenerEvent = `before${ActionName}` | `after${ActionName}`;
export type ListenerFor<E extends ListenerEvent> = E extends `before${infer N extends ActionName}`
  ? BeforeListener<N>
  : E extends `after${infer N extends ActionName}`
    ? AfterListener<N>
    : never;

/** Rejects `invokeAction` when a before-listener called `abort()`. */
export class ActionAbortedError extends Error {
  constructor(readonly action: ActionName) {
    super(`${action} was aborted by a before-listener`);
    this.name = 'ActionAbortedError';
  }
}

export class UnknownActionError extends Error {
  constructor(readonly action: string) {
    super(`no action ${action} is registered`);
    this.name = 'UnknownActionError';
  }
}

/** One implementation per action, each typed by its own name (so reading one back needs no cast). */
type Impls = { [N in ActionName]?: ActionImpl<N> };
type AnyListener = (payload: never, second: never) => void | Promise<void>;

/**
 * An actions registry shaped like Flex's: the button, the shortcuts and other features invoke
 * named actions and never call the server themselves, so one place decides what "pause" means and
 * listeners can observe or veto it.
 */
export class ActionsRegistry {
  // No prototype: a name from page scripts such as 'toString' finds nothing, as in a Map.
  private readonly impls: Impls = Object.create(null);
  private readonly listeners = new Map<ListenerEvent, Set<AnyListener>>();

  registerAction<N extends ActionName>(name: N, impl: ActionImpl<N>): void {
    this.store(name, impl);
  }

  isRegistered(name: ActionName): boolean {
    return this.impls[name] !== undefined;
  }

  replaceAction<N extends ActionName>(name: N, replacement: ActionReplacement<N>): void {
    const original = this.impl(name);
    const replaced: ActionImpl<N> = (payload) => replacement(payload, original);
    this.store(name, replaced);
  }

  /** `before<Action>` listeners get `(payload, abort)`, `after<Action>` ones `(payload, result)`. Returns a remover. */
  addListener<E extends ListenerEvent>(event: E, listener: ListenerFor<E>): () => void {
    let set = this.listeners.get(event);
    if (set === undefined) this.listeners.set(event, (set = new Set()));
    const l = listener as AnyListener;
    set.add(l);
    return () => {
      set.delete(l);
    };
  }

  removeAllListeners(event: ListenerEvent): void {
    this.listeners.delete(event);
  }

  /** Runs before-listeners (any may abort), then the action, then after-listeners with its result. */
  async invokeAction<N extends ActionName>(name: N, payload: PayloadOf<N>): Promise<ResultOf<N>> {
    const impl = this.impl(name);
    let aborted = false;
    const abort = (): void => {
      aborted = true;
    };
    for (const l of [...(this.listeners.get(`before${name}`) ?? [])]) {
      await (l as BeforeListener<N>)(payload, abort);
      if (aborted) throw new ActionAbortedError(name);
    }
    const result = await impl(payload);
    for (const l of [...(this.listeners.get(`after${name}`) ?? [])]) await (l as AfterListener<N>)(payload, result);
    return result;
  }

  private store<N extends ActionName>(name: N, impl: ActionImpl<N>): void {
    // Seen through the keys N only, the slot for `name` is exactly ActionImpl<N>.
    const impls: { [K in N]?: ActionImpl<K> } = this.impls;
    impls[name] = impl;
  }

  private impl<N extends ActionName>(name: N): ActionImpl<N> {
    const impl: ActionImpl<N> | undefined = this.impls[name];
    if (impl === undefined) throw new UnknownActionError(name);
    return impl;
  }
}
