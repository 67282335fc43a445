import { isActionName } from '../actions/action-names.ts';
import { DEFAULT_SETTINGS, type Shortcut, type ShortcutSettings } from './shortcut-model.ts';
import { Observable } from '../../lib/observable.ts';

export const SHORTCUTS_STORAGE_KEY = 'agentDesktop.shortcuts';

function isShortcut(v: unknown): v is Shortcut {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Record<string, unknown>;
  return (
    typeof s['id'] === 'string' &&
    isActionName(s['action']) &&
    typeof s['code'] === 'string' &&
    typeof s['ctrl'] === 'boolean' &&
    typeof s['shift'] === 'boolean' &&
    typeof s['alt'] === 'boolean' &&
    typeof s['throttleMs'] === 'number' &&
    Number.isFinite(s['throttleMs']) &&
    s['throttleMs'] >= 0 &&
    typeof s['builtIn'] === 'boolean'
  );
}

/** Reads saved settings; anything unreadable falls back to the defaults rather than breaking the keys. */
export function readShortcutSettings(storage: Pick<Storage, 'getItem'> | undefined): ShortcutSettings {
  const raw = storage?.getItem(SHORTCUTS_STORAGE_KEY);
  if (raw === null || raw === undefined) return DEFAULT_SETTINGS;
  try {
    const v = JSON.parse(raw) as Record<string, unknown>;
    const list = v['shortcuts'];
    if (typeof v['enabled'] !== 'boolean' || !Array.isArray(list) || !list.every(isShortcut)) return DEFAULT_SETTINGS;
    return { enabled: v['enabled'], shortcuts: list };
  } catch {
    return DEFAULT_SETTINGS;
  }
}

/** The agent's shortcut settings, persisted in localStorage on every change. */
export class ShortcutStore {
  private readonly settings: Observable<ShortcutSettings>;

  constructor(private readonly storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | undefined = globalThis.localStorage) {
    this.settings = new Observable(readShortcutSettings(storage));
  }

  get(): ShortcutSettings {
    return this.settings.get();
  }

  observable(): Observable<ShortcutSettings> {
    return this.settings;
  }

  remap(id: string, keys: Pick<Shortcut, 'code' | 'ctrl' | 'shift' | 'alt'>): void {
    this.updateOne(id, (s) => ({ ...s, ...keys }));
  }

  setThrottle(id: string, throttleMs: number): void {
    if (!Number.isFinite(throttleMs) || throttleMs < 0) return;
    this.updateOne(id, (s) => ({ ...s, throttleMs: Math.round(throttleMs) }));
  }

  remove(id: string): void {
    const cur = this.get();
    this.save({ ...cur, shortcuts: cur.shortcuts.filter((s) => s.id !== id) });
  }

  setEnabled(enabled: boolean): void {
    this.save({ ...this.get(), enabled });
  }

  reset(): void {
    this.storage?.removeItem(SHORTCUTS_STORAGE_KEY);
    this.settings.set(DEFAULT_SETTINGS);
  }

  private updateOne(id: string, f: (s: Shortcut) => Shortcut): void {
    const cur = this.get();
    this.save({ ...cur, shortcuts: cur.shortcuts.map((s) => (s.id === id ? f(s) : s)) });
  }

  private save(next: ShortcutSettings): void {
    this.storage?.setItem(SHORTCUTS_STORAGE_KEY, JSON.stringify(next));
    this.settings.set(next);
  }
}
