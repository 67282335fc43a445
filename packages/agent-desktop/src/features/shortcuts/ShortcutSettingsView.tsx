import { useState, type KeyboardEvent } from 'react';
import { useT } from '../../lib/i18n/i18n-context.tsx';
import { useObservable } from '../../lib/observable.ts';
import { describeKeys, isCustom, type Shortcut } from './shortcut-model.ts';
import type { ShortcutStore } from './shortcut-storage.ts';
import { ThrottleInput } from './ThrottleInput.tsx';

const MODIFIER_CODES = new Set(['ShiftLeft', 'ShiftRight', 'ControlLeft', 'ControlRight', 'AltLeft', 'AltRight', 'MetaLeft', 'MetaRight']);

/**
 * The keyboard-shortcuts settings (as the template's feature): defaults and custom shortcuts,
 * remap a key, change the throttle, delete, disable all, reset to defaults.
 */
export function ShortcutSettingsView({ store }: { store: ShortcutStore }) {
  const t = useT();
  const settings = useObservable(store.observable());
  const [capturing, setCapturing] = useState<string | null>(null);
  const defaults = settings.shortcuts.filter((s) => !isCustom(s));
  const custom = settings.shortcuts.filter((s) => isCustom(s));

  const onCapture = (s: Shortcut, e: KeyboardEvent<HTMLButtonElement>): void => {
    if (capturing !== s.id || MODIFIER_CODES.has(e.code)) return;
    // The key press is the new shortcut, not a command for the page or the global handler.
    e.preventDefault();
    e.stopPropagation();
    if (e.code !== 'Escape') store.remap(s.id, { code: e.code, ctrl: e.ctrlKey || e.metaKey, shift: e.shiftKey, alt: e.altKey });
    setCapturing(null);
  };

  const rows = (list: readonly Shortcut[]) =>
    list.map((s) => {
      const action = t(`action_${s.action}`);
      return (
        <tr key={s.id}>
          <th scope="row">{action}</th>
          <td>
            <kbd>{describeKeys(s)}</kbd>
          </td>
          <td>
            <ThrottleInput value={s.throttleMs} label={t('throttleFor', { action })} onCommit={(ms) => store.setThrottle(s.id, ms)} />
          </td>
          <td className="shortcut-buttons">
            <button
              type="button"
              aria-label={`${t('remap')}: ${action}`}
              aria-pressed={capturing === s.id}
              onClick={() => setCapturing(capturing === s.id ? null : s.id)}
              onKeyDown={(e) => onCapture(s, e)}
              onBlur={() => setCapturing(null)}
            >
              {capturing === s.id ? t('pressKey') : t('remap')}
            </button>
            <button type="button" aria-label={`${t('delete')}: ${action}`} onClick={() => store.remove(s.id)}>
              {t('delete')}
            </button>
          </td>
        </tr>
      );
    });

  const table = (caption: string, list: readonly Shortcut[], empty: string | null) => (
    <table className="shortcuts-table">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t('colAction')}</th>
          <th scope="col">{t('colKeys')}</th>
          <th scope="col">{t('colThrottle')}</th>
          <th scope="col">
            <span className="visually-hidden">{t('colActions')}</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {rows(list)}
        {list.length === 0 && empty !== null ? (
          <tr>
            <td colSpan={4}>{empty}</td>
          </tr>
        ) : null}
      </tbody>
    </table>
  );

  return (
    <section className="shortcut-settings" aria-labelledby="shortcuts-title">
      <h2 id="shortcuts-title">{t('shortcutsTitle')}</h2>
      <div className="toolbar">
        <button type="button" onClick={() => store.setEnabled(!settings.enabled)} aria-pressed={!settings.enabled}>
          {settings.enabled ? t('disableAll') : t('enableAll')}
        </button>
        <button type="button" onClick={() => store.reset()}>
          {t('resetDefaults')}
        </button>
      </div>
      {table(t('defaultShortcuts'), defaults, null)}
      {table(t('customShortcuts'), custom, t('noCustomShortcuts'))}
    </section>
  );
}
